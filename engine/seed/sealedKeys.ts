/**
 * The drives' BitLocker recovery passwords as they are published to storage: sealed, never in clear.
 *
 *   key        scrypt(repository password, 32-byte random salt, N=2^15 r=8 p=1) → 32 bytes: the same
 *              work factor restic puts on the repository's own key files, so the sealed keys are no
 *              easier to attack than the repository they unlock the drives of
 *   cipher     AES-256-GCM, 12-byte random nonce, 16-byte tag; the associated data binds the blob to
 *              the seed (format, version, job name), so a sealed file copied from another seed fails
 *   plaintext  JSON {driveId: recoveryPassword}
 *   keyCheck   SHA-256 of 32 more bytes of the same scrypt output: a wrong password is told apart from
 *              damaged ciphertext (the GCM tag alone fails for both) without saying anything of the key
 *
 * Why the repository password: whoever may complete the seed holds it already (Complete-OfflineSeed
 * opens the repository with it), and a runbook gets it as one Automation credential; no second secret
 * is created that could be lost. The storage account's own access control is a second fence, not the
 * only one.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { OfflineSeedError } from '../protocol/errors.ts';
import { registerSecret } from '../protocol/secretRedactor.ts';

export const SEALED_KEYS_FORMAT = 'offlineseed-sealed-bitlocker-keys';

export interface SealedKeys {
  format: typeof SEALED_KEYS_FORMAT;
  version: 1;
  jobName: string;
  driveIds: string[];
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: 'aes-256-gcm';
  nonce: string;
  ciphertext: string;
  tag: string;
  /** Absent in files sealed before it existed: those cannot tell a wrong password from damage. */
  keyCheck?: string;
}

const N = 2 ** 15;
const R = 8;
const P = 1;

/**
 * 64 bytes of scrypt: the AES key, then the key-check secret. scrypt's output is PBKDF2's, whose first
 * 32 bytes do not depend on the length asked for, so files sealed with a 32-byte derivation still open.
 */
function derive(password: string, salt: Buffer, n: number, r: number, p: number): { key: Buffer; check: Buffer; wipe(): void } {
  const bytes = scryptSync(Buffer.from(password, 'utf8'), salt, 64, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 });
  return { key: bytes.subarray(0, 32), check: createHash('sha256').update(bytes.subarray(32)).digest(), wipe: () => bytes.fill(0) };
}

function aad(jobName: string): Buffer {
  return Buffer.from(`${SEALED_KEYS_FORMAT}/1/${jobName}`, 'utf8');
}

export function sealKeys(keys: Readonly<Record<string, string>>, password: string, jobName: string): SealedKeys {
  const salt = randomBytes(32);
  const nonce = randomBytes(12);
  const derived = derive(password, salt, N, R, P);
  const cipher = createCipheriv('aes-256-gcm', derived.key, nonce);
  cipher.setAAD(aad(jobName));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(keys), 'utf8'), cipher.final()]);
  const keyCheck = derived.check.toString('base64');
  derived.wipe();
  return {
    format: SEALED_KEYS_FORMAT,
    version: 1,
    jobName,
    driveIds: Object.keys(keys).sort(),
    kdf: { name: 'scrypt', N, r: R, p: P, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm',
    nonce: nonce.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    keyCheck,
  };
}

/** The recovery passwords by drive id (registered as secrets), or OfflineSeed.WrongPassword / OfflineSeed.SealedKeysCorrupt. */
export function unsealKeys(sealed: SealedKeys, password: string, where: string): Record<string, string> {
  const corrupt = (detail: string): OfflineSeedError => new OfflineSeedError('OfflineSeed.SealedKeysCorrupt', 'InvalidData', `the sealed BitLocker keys at ${where} are damaged: ${detail}`, {
    targetObject: where,
    recommendedAction: 'Publish the seed again from the server (Publish-OfflineSeed -StagingPath ...): the keys are sealed again from the key files.',
  });
  if (sealed?.format !== SEALED_KEYS_FORMAT || sealed.version !== 1 || sealed.kdf?.name !== 'scrypt' || sealed.cipher !== 'aes-256-gcm') throw corrupt('unknown format');
  const { N: n, r, p } = sealed.kdf;
  if (![n, r, p].every((v) => Number.isInteger(v) && v > 0) || n > 2 ** 20 || r > 32 || p > 16) throw corrupt('scrypt parameters out of range');
  const wrongPassword = (): OfflineSeedError => new OfflineSeedError('OfflineSeed.WrongPassword', 'AuthenticationError', `the password does not unseal the BitLocker keys published at ${where}`, {
    targetObject: where,
    recommendedAction: 'Give the repository password of this seed (-Password, e.g. from an Automation credential).',
  });
  const derived = derive(password, Buffer.from(sealed.kdf.salt, 'base64'), n, r, p);
  let plain: Buffer;
  try {
    if (sealed.keyCheck !== undefined) {
      const stored = Buffer.from(sealed.keyCheck, 'base64');
      if (stored.length !== derived.check.length) throw corrupt('the key check is not 32 bytes');
      if (!timingSafeEqual(stored, derived.check)) throw wrongPassword();
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', derived.key, Buffer.from(sealed.nonce, 'base64'));
      decipher.setAAD(aad(sealed.jobName));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      plain = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
    } catch {
      // With the password proven by the key check, a failing tag means the file was altered.
      throw sealed.keyCheck === undefined ? wrongPassword() : corrupt('the ciphertext, nonce, tag or job name does not authenticate');
    }
  } finally {
    derived.wipe();
  }
  let keys: Record<string, string>;
  try {
    keys = JSON.parse(plain.toString('utf8')) as Record<string, string>;
  } catch {
    throw corrupt('the content is not a key list');
  } finally {
    plain.fill(0);
  }
  for (const value of Object.values(keys)) registerSecret(value);
  return keys;
}
