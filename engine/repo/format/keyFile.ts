/**
 * keys/<id>: plain JSON (Go field order) holding the scrypt parameters and the master key sealed with
 * the key derived from the password. The file name is the SHA-256 of these bytes.
 */
import { randomBytes, scrypt } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { OfflineSeedError } from '../../protocol/errors.ts';
import { decodeMasterKeyJson, encodeMasterKeyJson, keyFromDerivedBytes, type CryptoKey } from '../crypto/masterKey.ts';
import { CiphertextVerificationError, open, seal } from '../crypto/seal.ts';
import { rfc3339Now } from './timestamp.ts';

export interface ScryptParameters {
  N: number;
  r: number;
  p: number;
}

/** 32 MiB of memory and ~0.1 s per attempt here: restic's own calibration lands near N=32768, r=8. */
export const DEFAULT_SCRYPT: ScryptParameters = { N: 32768, r: 8, p: 1 };

interface KeyFileJson {
  created?: string;
  username?: string;
  hostname?: string;
  kdf: string;
  N: number;
  r: number;
  p: number;
  salt: string;
  data: string;
}

export function deriveUserKey(password: string, salt: Buffer, params: ScryptParameters): Promise<CryptoKey> {
  return new Promise((resolve, reject) => {
    scrypt(Buffer.from(password, 'utf8'), salt, 64, { N: params.N, r: params.r, p: params.p, maxmem: 256 * 128 * params.N * params.r + (64 << 20) }, (error, derived) => {
      if (error) reject(error);
      else resolve(keyFromDerivedBytes(derived));
    });
  });
}

export async function createKeyFile(password: string, master: CryptoKey, params: ScryptParameters = DEFAULT_SCRYPT): Promise<Buffer> {
  const salt = randomBytes(64);
  const userKey = await deriveUserKey(password, salt, params);
  const data = seal(userKey, Buffer.from(encodeMasterKeyJson(master), 'utf8'));
  const json: KeyFileJson = {
    created: rfc3339Now(),
    username: safeUsername(),
    hostname: hostname(),
    kdf: 'scrypt',
    N: params.N,
    r: params.r,
    p: params.p,
    salt: salt.toString('base64'),
    data: data.toString('base64'),
  };
  return Buffer.from(JSON.stringify(json), 'utf8');
}

/** Returns the master key, or undefined when the password does not open this key file. */
export async function openKeyFile(bytes: Buffer, password: string, name: string): Promise<CryptoKey | undefined> {
  let json: KeyFileJson;
  try {
    json = JSON.parse(bytes.toString('utf8')) as KeyFileJson;
  } catch {
    throw new OfflineSeedError('OfflineSeed.KeyFileCorrupt', 'InvalidData', `key file keys/${name} is not valid JSON`, { targetObject: `keys/${name}` });
  }
  const salt = Buffer.from(json.salt ?? '', 'base64');
  if (json.kdf !== 'scrypt' || salt.length !== 64 || !validScrypt(json)) {
    throw new OfflineSeedError('OfflineSeed.KeyFileCorrupt', 'InvalidData', `key file keys/${name} has unsupported or invalid KDF parameters`, { targetObject: `keys/${name}` });
  }
  const userKey = await deriveUserKey(password, salt, { N: json.N, r: json.r, p: json.p });
  try {
    return decodeMasterKeyJson(open(userKey, Buffer.from(json.data, 'base64'), `keys/${name}`).toString('utf8'));
  } catch (error) {
    if (error instanceof CiphertextVerificationError) return undefined;
    throw error;
  }
}

function validScrypt(p: { N: number; r: number; p: number }): boolean {
  const isPow2 = Number.isInteger(p.N) && p.N > 1 && (p.N & (p.N - 1)) === 0;
  return isPow2 && p.N <= 1 << 22 && Number.isInteger(p.r) && p.r >= 1 && Number.isInteger(p.p) && p.p >= 1 && p.r * p.p < 1 << 30 && p.r * p.p <= 1024;
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}
