/**
 * restic's authenticated encryption envelope: IV(16) ‖ AES-256-CTR(plaintext) ‖ MAC(16).
 * The whole 16-byte IV is the CTR counter block (Node's aes-256-ctr increments all 128 bits, as Go does).
 */
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { OfflineSeedError } from '../../protocol/errors.ts';
import { keyObjectsFor } from './keyObjects.ts';
import { macFor, macMatches } from './mac.ts';
import type { CryptoKey } from './masterKey.ts';
import { SEAL_OVERHEAD } from '../format/packLayout.ts';

function newIv(): Buffer {
  const iv = Buffer.allocUnsafe(16);
  do randomFillSync(iv); while (iv.every((b) => b === 0)); // restic rejects an all-zero nonce
  return iv;
}

/** Seals into a fresh buffer of length plaintext + 32. */
export function seal(key: CryptoKey, plaintext: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(plaintext.length + SEAL_OVERHEAD);
  sealInto(key, plaintext, out, 0);
  return out;
}

/** Seals into out[offset .. offset + plaintext.length + 32); returns the bytes written. */
export function sealInto(key: CryptoKey, plaintext: Uint8Array, out: Buffer, offset: number): number {
  const iv = newIv();
  iv.copy(out, offset);
  const cipher = createCipheriv('aes-256-ctr', keyObjectsFor(key).encrypt, iv);
  const ctStart = offset + 16;
  const written = cipher.update(plaintext);
  written.copy(out, ctStart);
  const ciphertext = out.subarray(ctStart, ctStart + plaintext.length);
  const tag = macFor(key, iv, ciphertext);
  out.set(tag, ctStart + plaintext.length);
  return plaintext.length + SEAL_OVERHEAD;
}

/**
 * Seals into pieces (IV, ciphertext, MAC) for a writer that appends them, without assembling one
 * buffer: a pipeline worker streams them into a pack file.
 */
export function sealToParts(key: CryptoKey, plaintext: Uint8Array): { parts: [Buffer, Buffer, Uint8Array]; length: number } {
  const iv = newIv();
  const ciphertext = createCipheriv('aes-256-ctr', keyObjectsFor(key).encrypt, iv).update(plaintext);
  const tag = macFor(key, iv, ciphertext);
  return { parts: [iv, ciphertext, tag], length: plaintext.length + SEAL_OVERHEAD };
}

export class CiphertextVerificationError extends OfflineSeedError {
  constructor(what: string) {
    super('OfflineSeed.CiphertextVerificationFailed', 'InvalidData', `ciphertext verification failed: ${what} is corrupt or was sealed with another key`, {
      targetObject: what,
      recommendedAction: 'Run Test-OfflineSeed -ReadData to find every damaged pack; repair it from the staging location or a drive.',
    });
  }
}

/** Verifies the MAC first, then decrypts, as restic does. */
export function open(key: CryptoKey, sealed: Uint8Array, what = 'object'): Buffer {
  if (sealed.length < SEAL_OVERHEAD) throw new CiphertextVerificationError(what);
  const iv = sealed.subarray(0, 16);
  if (iv.every((b) => b === 0)) throw new CiphertextVerificationError(what);
  const ciphertext = sealed.subarray(16, sealed.length - 16);
  const tag = sealed.subarray(sealed.length - 16);
  if (!macMatches(tag, macFor(key, iv, ciphertext))) throw new CiphertextVerificationError(what);
  const decipher = createDecipheriv('aes-256-ctr', keyObjectsFor(key).encrypt, iv);
  return decipher.update(ciphertext);
}
