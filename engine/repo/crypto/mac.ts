/**
 * Poly1305-AES as restic uses it: MAC over the ciphertext only, one-time key r ‖ AES-128_k(IV).
 * poly1305.ts supplies the fast (WebAssembly) Poly1305 when present.
 */
import { createCipheriv, timingSafeEqual } from 'node:crypto';
import type { CryptoKey } from './masterKey.ts';
import { poly1305 } from './poly1305Impl.ts';

export function macFor(key: CryptoKey, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const aes = createCipheriv('aes-128-ecb', key.macK, null);
  aes.setAutoPadding(false);
  const s = aes.update(iv);
  const oneTimeKey = Buffer.allocUnsafe(32);
  key.macR.copy(oneTimeKey, 0);
  s.copy(oneTimeKey, 16);
  return poly1305(ciphertext, oneTimeKey);
}

export function macMatches(expected: Uint8Array, actual: Uint8Array): boolean {
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
