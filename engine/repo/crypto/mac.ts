/** The MAC of a sealed object under a repository key (Poly1305-AES over the ciphertext). */
import { timingSafeEqual } from 'node:crypto';
import { keyObjectsFor } from './keyObjects.ts';
import type { CryptoKey } from './masterKey.ts';
import { poly1305AesMac } from './poly1305Aes.ts';

export function macFor(key: CryptoKey, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return poly1305AesMac(ciphertext, keyObjectsFor(key).macK, key.macR, iv);
}

export function macMatches(expected: Uint8Array, actual: Uint8Array): boolean {
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
