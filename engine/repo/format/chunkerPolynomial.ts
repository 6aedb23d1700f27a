/**
 * The repository config must carry an irreducible polynomial of degree 53 over GF(2), or restic
 * refuses to open it ("invalid chunker polynomial"). Port of restic/chunker's DerivePolynomial and
 * Ben-Or irreducibility test, in BigInt (it runs once, at init).
 */
import { randomBytes } from 'node:crypto';

const DEGREE = 53;

function degree(x: bigint): number {
  return x === 0n ? -1 : x.toString(2).length - 1;
}

function mod(x: bigint, d: bigint): bigint {
  const dd = degree(d);
  while (degree(x) >= dd) x ^= d << BigInt(degree(x) - dd);
  return x;
}

function mulMod(a: bigint, b: bigint, m: bigint): bigint {
  let result = 0n;
  while (b !== 0n) {
    if ((b & 1n) !== 0n) result ^= a;
    a = mod(a << 1n, m);
    b >>= 1n;
  }
  return mod(result, m);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, mod(a, b)];
  return a;
}

/** (x^(2^p) - x) mod g */
function qp(p: number, g: bigint): bigint {
  let res = 2n;
  for (let i = 0; i < p; i++) res = mulMod(res, res, g);
  return mod(res ^ 2n, g);
}

export function isIrreducible(x: bigint): boolean {
  for (let i = 1; i <= Math.floor(degree(x) / 2); i++) {
    if (gcd(x, qp(i, x)) !== 1n) return false;
  }
  return true;
}

export function randomChunkerPolynomial(): bigint {
  for (;;) {
    let f = randomBytes(8).readBigUInt64LE(0);
    f &= (1n << BigInt(DEGREE + 1)) - 1n;
    f |= (1n << BigInt(DEGREE)) | 1n;
    if (isIrreducible(f)) return f;
  }
}

export function isValidChunkerPolynomial(x: bigint): boolean {
  return degree(x) === DEGREE && isIrreducible(x);
}
