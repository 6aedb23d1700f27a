/**
 * restic's key material: AES-256 for encryption, and a Poly1305-AES MAC key (k: AES-128 key for the
 * nonce, r: the Poly1305 multiplier). The master key is random per repository; each password derives
 * a user key (scrypt) that seals the master key inside keys/<id>.
 */
import { randomBytes } from 'node:crypto';

export interface CryptoKey {
  readonly encrypt: Buffer; // 32 bytes
  readonly macK: Buffer; // 16 bytes
  readonly macR: Buffer; // 16 bytes
}

export function newRandomKey(): CryptoKey {
  return { encrypt: randomBytes(32), macK: randomBytes(16), macR: randomBytes(16) };
}

/** scrypt output (64 bytes) split as restic does: encrypt ‖ mac.k ‖ mac.r. */
export function keyFromDerivedBytes(bytes: Buffer): CryptoKey {
  if (bytes.length !== 64) throw new Error('derived key must be 64 bytes');
  return { encrypt: bytes.subarray(0, 32), macK: bytes.subarray(32, 48), macR: bytes.subarray(48, 64) };
}

export function isValidKey(key: CryptoKey): boolean {
  const nonZero = (b: Buffer): boolean => b.some((x) => x !== 0);
  return key.encrypt.length === 32 && key.macK.length === 16 && key.macR.length === 16 && nonZero(key.encrypt) && nonZero(key.macK) && nonZero(key.macR);
}

/** The master key JSON inside a key file: {"mac":{"k":…,"r":…},"encrypt":…} (std base64). */
export function encodeMasterKeyJson(key: CryptoKey): string {
  return JSON.stringify({ mac: { k: key.macK.toString('base64'), r: key.macR.toString('base64') }, encrypt: key.encrypt.toString('base64') });
}

export function decodeMasterKeyJson(text: string): CryptoKey {
  const value = JSON.parse(text) as { mac?: { k?: string; r?: string }; encrypt?: string };
  const key = {
    encrypt: Buffer.from(value.encrypt ?? '', 'base64'),
    macK: Buffer.from(value.mac?.k ?? '', 'base64'),
    macR: Buffer.from(value.mac?.r ?? '', 'base64'),
  };
  if (!isValidKey(key)) throw new Error('master key is malformed');
  return key;
}
