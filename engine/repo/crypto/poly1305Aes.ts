/**
 * Poly1305-AES as restic seals blobs (restic-format.md §2.3): s = AES-128-ECB_k(IV), and the tag is
 * Poly1305 with key r ‖ s over the ciphertext only (no IV, no lengths).
 * k may be a KeyObject: parsing a raw key for every blob showed up in profiles.
 */
import { createCipheriv, type KeyObject } from 'node:crypto';
import { poly1305Mac } from './poly1305.ts';

function checkLength(name: string, bytes: Uint8Array, length: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) throw new RangeError(`${name} must be ${length} bytes`);
}

export function poly1305AesMac(ciphertext: Uint8Array, macK16: Uint8Array | KeyObject, macR16: Uint8Array, iv16: Uint8Array): Uint8Array {
  if (macK16 instanceof Uint8Array) checkLength('MAC key k', macK16, 16);
  else if (macK16.symmetricKeySize !== 16) throw new RangeError('MAC key k must be 16 bytes');
  checkLength('MAC key r', macR16, 16);
  checkLength('IV', iv16, 16);
  const aes = createCipheriv('aes-128-ecb', macK16, null);
  aes.setAutoPadding(false);
  const s = aes.update(iv16);
  const key = new Uint8Array(32);
  key.set(macR16, 0);
  key.set(s, 16);
  const tag = poly1305Mac(ciphertext, key);
  key.fill(0);
  s.fill(0);
  return tag;
}
