/** node:crypto KeyObjects for a repository key, made once: createCipheriv with raw bytes re-parses them per call. */
import { createSecretKey, type KeyObject } from 'node:crypto';
import type { CryptoKey } from './masterKey.ts';

const cache = new WeakMap<CryptoKey, { encrypt: KeyObject; macK: KeyObject }>();

export function keyObjectsFor(key: CryptoKey): { encrypt: KeyObject; macK: KeyObject } {
  let objects = cache.get(key);
  if (objects === undefined) {
    objects = { encrypt: createSecretKey(key.encrypt), macK: createSecretKey(key.macK) };
    cache.set(key, objects);
  }
  return objects;
}
