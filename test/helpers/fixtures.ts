/** Source trees for tests, and a byte-for-byte comparison of two trees (content, mode, mtime, links). */
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Deterministic pseudo-random bytes (xorshift), so fixtures are the same on every run. */
export function seededBytes(seed: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.writeUInt32LE(x, i < length - 3 ? i : length - 4);
  }
  return out;
}

/** Deterministic pseudo-random numbers in [0, 1) (xorshift), so a failure names a reproducible case. */
export function seededRandom(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Empty files and folders, unicode and odd names, deep paths, symlinks, modes, big and small files. */
export function makeEdgeCaseTree(root: string): void {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'hello.txt'), 'hello restic\n');
  writeFileSync(join(root, 'empty.txt'), '');
  mkdirSync(join(root, 'emptydir'));
  writeFileSync(join(root, 'ünïcødé – 😀.txt'), 'unicode name\n');
  writeFileSync(join(root, 'quote"<&>.txt'), 'html-ish name\n');
  writeFileSync(join(root, 'tab\tand\nnewline'), 'control characters in the name\n');
  writeFileSync(Buffer.concat([Buffer.from(`${root}/bad`), Buffer.from([0xff])]), 'invalid utf-8 name\n');
  let deep = root;
  for (let i = 0; i < 30; i++) deep = join(deep, `level-${i}`);
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'deep.txt'), 'at the bottom\n');
  symlinkSync('hello.txt', join(root, 'link-to-hello'));
  symlinkSync('does/not/exist', join(root, 'dangling-link'));
  writeFileSync(join(root, 'private.key'), 'mode 0600\n');
  chmodSync(join(root, 'private.key'), 0o600);
  writeFileSync(join(root, 'script.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(root, 'script.sh'), 0o755);
  mkdirSync(join(root, 'data'));
  writeFileSync(join(root, 'data', 'random.bin'), seededBytes(7, 3 * 1024 * 1024 + 17));
  writeFileSync(join(root, 'data', 'text.log'), Buffer.from('2026-11-21 INFO request served in 12 ms\n'.repeat(60000)));
  writeFileSync(join(root, 'data', 'random-copy.bin'), seededBytes(7, 3 * 1024 * 1024 + 17));
  for (let i = 0; i < 40; i++) writeFileSync(join(root, 'data', `small-${i}.dat`), seededBytes(100 + i, 100 + i * 97));
  utimesSync(join(root, 'hello.txt'), new Date('2001-02-03T04:05:06.789Z'), new Date('2001-02-03T04:05:06.789Z'));
}

export interface TreeEntry {
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  mtimeMs: number;
  sha256?: string;
  target?: string;
}

/** Path (as hex of the raw bytes, so invalid UTF-8 survives) → entry. */
export function describeTree(root: string): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>();
  const walk = (dir: Buffer, rel: Buffer): void => {
    for (const name of readdirSync(dir, { encoding: 'buffer' })) {
      const full = Buffer.concat([dir, Buffer.from('/'), name]);
      const relPath = rel.length === 0 ? name : Buffer.concat([rel, Buffer.from('/'), name]);
      const st = lstatSync(full);
      const key = relPath.toString('utf8') + (relPath.toString('utf8').includes('\ufffd') ? ` [${relPath.toString('hex')}]` : '');
      if (st.isSymbolicLink()) out.set(key, { type: 'symlink', mode: 0, mtimeMs: 0, target: readlinkSync(full, { encoding: 'buffer' }).toString('hex') });
      else if (st.isDirectory()) {
        out.set(key, { type: 'dir', mode: st.mode & 0o7777, mtimeMs: Math.floor(st.mtimeMs) });
        walk(full, relPath);
      } else out.set(key, { type: 'file', mode: st.mode & 0o7777, mtimeMs: Math.floor(st.mtimeMs), sha256: createHash('sha256').update(readFileSync(full)).digest('hex') });
    }
  };
  walk(Buffer.from(root), Buffer.alloc(0));
  return out;
}

/** Differences between two trees, as readable lines; empty when equal. */
export function diffTrees(expected: string, actual: string, options: { dirTimes?: boolean } = {}): string[] {
  const a = describeTree(expected);
  const b = describeTree(actual);
  const problems: string[] = [];
  for (const [path, e] of a) {
    const g = b.get(path);
    if (g === undefined) {
      problems.push(`missing: ${path}`);
      continue;
    }
    if (e.type !== g.type) problems.push(`${path}: type ${g.type}, expected ${e.type}`);
    else if (e.sha256 !== g.sha256) problems.push(`${path}: content differs`);
    else if (e.target !== g.target) problems.push(`${path}: link target differs`);
    else if (e.mode !== g.mode) problems.push(`${path}: mode ${g.mode.toString(8)}, expected ${e.mode.toString(8)}`);
    else if (e.type === 'file' && e.mtimeMs !== g.mtimeMs) problems.push(`${path}: mtime ${g.mtimeMs}, expected ${e.mtimeMs}`);
    else if (e.type === 'dir' && options.dirTimes === true && e.mtimeMs !== g.mtimeMs) problems.push(`${path}: dir mtime ${g.mtimeMs}, expected ${e.mtimeMs}`);
  }
  for (const path of b.keys()) if (!a.has(path)) problems.push(`unexpected: ${path}`);
  return problems;
}

export const RESTIC_PASSWORD = 'test-password-9f3a';

export function restic(repo: string, ...args: string[]): string {
  return execFileSync('restic', ['-r', repo, '--no-cache', ...args], {
    env: { ...process.env, RESTIC_PASSWORD, RESTIC_PROGRESS_FPS: '0.1' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

export function randomName(): string {
  return randomBytes(4).toString('hex');
}
