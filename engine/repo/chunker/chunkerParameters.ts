/**
 * Everything that decides where the chunker cuts. Stored in the repository config (inside the sealed
 * "offlineseed" member), so later runs, and other machines, cut identically and deduplicate against
 * what is already there.
 */
import { randomBytes } from 'node:crypto';
import { OfflineSeedError } from '../../protocol/errors.ts';

export const CHUNKER_ALGORITHM = 'fastcdc';
export const CHUNKER_ALGORITHM_VERSION = 1;

export interface ChunkerParameters {
  readonly algorithm: typeof CHUNKER_ALGORITHM;
  readonly version: typeof CHUNKER_ALGORITHM_VERSION;
  /** No cut before this many bytes (except at the end of the stream). */
  readonly minSize: number;
  /** Below this chunk length the stricter mask (maskBits + normalization bits) applies, above it the looser one. */
  readonly normalSize: number;
  /** log2 of the cut probability's inverse between the two masks. */
  readonly maskBits: number;
  /** Normalized chunking level: how many bits stricter / looser the masks are before / after normalSize. */
  readonly normalization: number;
  /** A cut is forced at this length. */
  readonly maxSize: number;
  /** 64-bit seed selecting the gear table, 16 lowercase hex digits. */
  readonly seed: string;
}

/** The JSON form: plain members only, so it fits the config's Record<string, unknown>. */
export type ChunkerParametersJson = { [K in keyof ChunkerParameters]: ChunkerParameters[K] };

export const MIN_WINDOW = 64;
export const MAX_CHUNK_SIZE_LIMIT = 64 * 1024 * 1024;
const SEED_PATTERN = /^[0-9a-f]{16}$/;

/*
 * min 512 KiB / max 8 MiB as restic. With the first 512 KiB skipped, a 1 MiB mask alone would give
 * a 1.5 MiB mean; normalizing at 768 KiB with masks of 2^22 (before) and 2^18 (after) brings the mean
 * to ~1 MiB and squeezes most chunks into 0.75-1.5 MiB, which dedups better than a long tail.
 */
const DEFAULT_SIZES = {
  minSize: 512 * 1024,
  normalSize: 768 * 1024,
  maskBits: 20,
  normalization: 2,
  maxSize: 8 * 1024 * 1024,
} as const;

export function deriveChunkerParameters(seedHex: string): ChunkerParameters {
  return validateChunkerParameters({
    algorithm: CHUNKER_ALGORITHM,
    version: CHUNKER_ALGORITHM_VERSION,
    ...DEFAULT_SIZES,
    seed: seedHex.toLowerCase(),
  });
}

/** Fixed seed for tests and for tools that need some chunking without a repository. */
export const DEFAULT_CHUNKER_PARAMETERS: ChunkerParameters = deriveChunkerParameters('0000000000000000');

/** A fresh random seed per repository, as restic draws a fresh polynomial. */
export function newChunkerParameters(): ChunkerParameters {
  return deriveChunkerParameters(randomBytes(8).toString('hex'));
}

export function chunkerParametersToJson(p: ChunkerParameters): ChunkerParametersJson {
  return {
    algorithm: p.algorithm,
    version: p.version,
    minSize: p.minSize,
    normalSize: p.normalSize,
    maskBits: p.maskBits,
    normalization: p.normalization,
    maxSize: p.maxSize,
    seed: p.seed,
  };
}

export function chunkerParametersFromJson(value: unknown): ChunkerParameters {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('not an object');
  const v = value as Record<string, unknown>;
  const known = new Set<string>(Object.keys(chunkerParametersToJson(DEFAULT_CHUNKER_PARAMETERS)));
  const unknown = Object.keys(v).find((k) => !known.has(k));
  if (unknown !== undefined) throw invalid(`unknown member "${unknown}"`);
  if (v.algorithm !== CHUNKER_ALGORITHM) throw invalid(`unsupported algorithm ${JSON.stringify(v.algorithm)}`);
  if (v.version !== CHUNKER_ALGORITHM_VERSION) throw invalid(`unsupported ${CHUNKER_ALGORITHM} version ${JSON.stringify(v.version)}`);
  return validateChunkerParameters({
    algorithm: CHUNKER_ALGORITHM,
    version: CHUNKER_ALGORITHM_VERSION,
    minSize: integer(v, 'minSize'),
    normalSize: integer(v, 'normalSize'),
    maskBits: integer(v, 'maskBits'),
    normalization: integer(v, 'normalization'),
    maxSize: integer(v, 'maxSize'),
    seed: seedString(v.seed),
  });
}

export function validateChunkerParameters(p: ChunkerParameters): ChunkerParameters {
  if (p.algorithm !== CHUNKER_ALGORITHM || p.version !== CHUNKER_ALGORITHM_VERSION) throw invalid('unsupported algorithm');
  for (const key of ['minSize', 'normalSize', 'maskBits', 'normalization', 'maxSize'] as const) {
    if (!Number.isSafeInteger(p[key]) || p[key] < 0) throw invalid(`${key} must be a non-negative integer`);
  }
  // The gear hash only sees the last 32 bytes; below 64 the warm-up before minSize would overlap the previous chunk.
  if (p.minSize < MIN_WINDOW) throw invalid(`minSize must be at least ${MIN_WINDOW}`);
  if (p.normalSize < p.minSize) throw invalid('normalSize must not be below minSize');
  if (p.maxSize < p.normalSize) throw invalid('maxSize must not be below normalSize');
  if (p.maxSize > MAX_CHUNK_SIZE_LIMIT) throw invalid(`maxSize must not exceed ${MAX_CHUNK_SIZE_LIMIT}`);
  // Both masks take the top bits of a 32-bit hash and must keep at least one bit.
  if (p.maskBits - p.normalization < 1 || p.maskBits + p.normalization > 31) {
    throw invalid('maskBits - normalization must be at least 1 and maskBits + normalization at most 31');
  }
  if (!SEED_PATTERN.test(p.seed)) throw invalid('seed must be 16 lowercase hex digits');
  return p;
}

function integer(v: Record<string, unknown>, key: string): number {
  const x = v[key];
  if (typeof x !== 'number' || !Number.isSafeInteger(x)) throw invalid(`${key} must be an integer`);
  return x;
}

function seedString(x: unknown): string {
  if (typeof x !== 'string' || !SEED_PATTERN.test(x)) throw invalid('seed must be 16 lowercase hex digits');
  return x;
}

function invalid(why: string): OfflineSeedError {
  return new OfflineSeedError('OfflineSeed.ChunkerParametersInvalid', 'InvalidData', `chunker parameters are invalid: ${why}`, {
    targetObject: 'config',
  });
}
