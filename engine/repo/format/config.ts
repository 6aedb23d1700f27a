/**
 * The repository config: {"version":2,"id":…,"chunker_polynomial":…}, sealed with the master key and
 * never compressed. Our chunker parameters ride along in an extra "offlineseed" member, which restic's
 * JSON decoder ignores, so they stay encrypted and travel with the repository.
 */
import { randomBytes } from 'node:crypto';
import { OfflineSeedError } from '../../protocol/errors.ts';
import { isValidChunkerPolynomial, randomChunkerPolynomial } from './chunkerPolynomial.ts';

export interface RepositoryConfig {
  version: 1 | 2;
  id: string;
  chunkerPolynomial: string;
  /** Our metadata; absent in repositories restic created. */
  offlineseed?: { chunker?: Record<string, unknown> };
}

export function newConfig(offlineseed?: RepositoryConfig['offlineseed']): RepositoryConfig {
  return {
    version: 2,
    id: randomBytes(32).toString('hex'),
    chunkerPolynomial: randomChunkerPolynomial().toString(16),
    ...(offlineseed === undefined ? {} : { offlineseed }),
  };
}

export function encodeConfig(config: RepositoryConfig): Buffer {
  const json: Record<string, unknown> = { version: config.version, id: config.id, chunker_polynomial: config.chunkerPolynomial };
  if (config.offlineseed !== undefined) json.offlineseed = config.offlineseed;
  return Buffer.from(JSON.stringify(json), 'utf8');
}

export function decodeConfig(plaintext: Buffer): RepositoryConfig {
  const bad = (why: string): OfflineSeedError =>
    new OfflineSeedError('OfflineSeed.ConfigInvalid', 'InvalidData', `repository config is invalid: ${why}`, { targetObject: 'config' });
  let json: { version?: unknown; id?: unknown; chunker_polynomial?: unknown; offlineseed?: unknown };
  try {
    json = JSON.parse(plaintext.toString('utf8')) as typeof json;
  } catch {
    throw bad('not JSON');
  }
  if (json.version !== 1 && json.version !== 2) throw bad(`unsupported repository version ${String(json.version)}`);
  if (typeof json.id !== 'string' || json.id === '') throw bad('missing id');
  if (typeof json.chunker_polynomial !== 'string' || !/^[0-9a-f]+$/.test(json.chunker_polynomial)) throw bad('missing chunker polynomial');
  if (!isValidChunkerPolynomial(BigInt(`0x${json.chunker_polynomial}`))) throw bad('invalid chunker polynomial');
  return {
    version: json.version,
    id: json.id,
    chunkerPolynomial: json.chunker_polynomial,
    ...(typeof json.offlineseed === 'object' && json.offlineseed !== null ? { offlineseed: json.offlineseed as RepositoryConfig['offlineseed'] } : {}),
  };
}
