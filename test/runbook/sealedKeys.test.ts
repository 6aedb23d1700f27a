/**
 * Sealed BitLocker keys (engine/seed/sealedKeys.ts): a wrong password and a damaged file give different
 * ids, files sealed before the key check existed still open, and nothing sealed shows a key.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createCipheriv, randomBytes, scryptSync } from 'node:crypto';
import { sealKeys, unsealKeys, SEALED_KEYS_FORMAT, type SealedKeys } from '../../engine/seed/sealedKeys.ts';
import { OfflineSeedError } from '../../engine/protocol/errors.ts';

const KEYS = { 'DRIVE-1': '111111-222222-333333-444444-555555-666666-777777-888888', 'DRIVE-2': '000011-000022-000033-000044-000055-000066-000077-000088' };
const PASSWORD = 'correct horse battery staple';

function errorIdOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return error instanceof OfflineSeedError ? error.errorId : `not an OfflineSeedError: ${String(error)}`;
  }
  return 'no error';
}

function flipFirstByte(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] = bytes[0]! ^ 0x01;
  return bytes.toString('base64');
}

const sealed = sealKeys(KEYS, PASSWORD, 'job-1');

test('the right password opens the keys; the sealed file holds no key', () => {
  assert.equal(unsealKeys(sealed, PASSWORD, 'here'), KEYS);
  const text = JSON.stringify(sealed);
  for (const key of Object.values(KEYS)) {
    assert.not.ok(text.includes(key) || text.includes(key.replace(/-/g, '')), 'no key in the sealed file');
  }
  assert.is(Buffer.from(sealed.keyCheck!, 'base64').length, 32);
});

test('a wrong password is WrongPassword; damage under the right password is SealedKeysCorrupt', () => {
  assert.is(errorIdOf(() => unsealKeys(sealed, 'wrong password', 'here')), 'OfflineSeed.WrongPassword');
  for (const field of ['ciphertext', 'tag', 'nonce'] as const) {
    const damaged: SealedKeys = { ...sealed, [field]: flipFirstByte(sealed[field]) };
    assert.is(errorIdOf(() => unsealKeys(damaged, PASSWORD, 'here')), 'OfflineSeed.SealedKeysCorrupt', field);
  }
  assert.is(errorIdOf(() => unsealKeys({ ...sealed, jobName: 'job-2' }, PASSWORD, 'here')), 'OfflineSeed.SealedKeysCorrupt', 'copied from another seed');
  assert.is(errorIdOf(() => unsealKeys({ ...sealed, keyCheck: 'AAAA' }, PASSWORD, 'here')), 'OfflineSeed.SealedKeysCorrupt', 'a key check of the wrong length');
});

test('a file sealed before the key check (32-byte scrypt key, no keyCheck) still opens', () => {
  const salt = randomBytes(32);
  const nonce = randomBytes(12);
  const key = scryptSync(Buffer.from(PASSWORD, 'utf8'), salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(`${SEALED_KEYS_FORMAT}/1/job-old`, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(KEYS), 'utf8'), cipher.final()]);
  const old: SealedKeys = {
    format: SEALED_KEYS_FORMAT, version: 1, jobName: 'job-old', driveIds: Object.keys(KEYS),
    kdf: { name: 'scrypt', N: 2 ** 15, r: 8, p: 1, salt: salt.toString('base64') }, cipher: 'aes-256-gcm',
    nonce: nonce.toString('base64'), ciphertext: ciphertext.toString('base64'), tag: cipher.getAuthTag().toString('base64'),
  };
  assert.equal(unsealKeys(old, PASSWORD, 'here'), KEYS);
  // Without a key check the two cases cannot be told apart: both stay WrongPassword, as before.
  assert.is(errorIdOf(() => unsealKeys(old, 'wrong password', 'here')), 'OfflineSeed.WrongPassword');
});

test.run();
