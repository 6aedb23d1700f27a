/**
 * The drive copy workers on their own (engine/drive/copier.ts + driveCopy.worker.ts), with 4 MiB slots
 * so that small files exercise every path of the two-slot pipeline: batches of many files, a file
 * larger than a slot streaming through both slots, empty and odd-sized files, a source that is
 * shorter than listed, and a cancel. The bytes on the "drive" and every block MD5 are checked
 * against node:crypto; nothing may be left in the temporary folder.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { batchesOf, DriveWorkers } from '../../engine/drive/copier.ts';
import type { CopyFile, VerifyFile } from '../../engine/drive/workerMessages.ts';
import { packTrailerProblem } from '../../engine/drive/packTrailer.ts';
import { OfflineSeedError } from '../../engine/protocol/errors.ts';

const MiB = 1 << 20;
const BLOCK = 4 * MiB;

function blockMd5s(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at < bytes.length; at += BLOCK) out.push(createHash('md5').update(bytes.subarray(at, at + BLOCK)).digest('hex').toUpperCase());
  return out;
}

interface World {
  root: string;
  temp: string;
  files: CopyFile[];
  contents: Map<string, Buffer>;
}

/** Files whose fdatasync was in flight when a request failed are removed as it completes. */
async function emptiedSoon(dir: string): Promise<string[]> {
  for (let i = 0; i < 100 && readdirSync(dir).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return readdirSync(dir);
}

function world(lengths: readonly number[]): World {
  const root = mkdtempSync(join(tmpdir(), 'offlineseed-copier-'));
  const source = join(root, 'source');
  const drive = join(root, 'drive');
  const temp = join(drive, '.tmp');
  mkdirSync(source);
  mkdirSync(temp, { recursive: true });
  const contents = new Map<string, Buffer>();
  const files = lengths.map((length, i) => {
    const bytes = randomBytes(length);
    const path = join(source, `f${i}`);
    writeFileSync(path, bytes);
    contents.set(join(drive, `f${i}`), bytes);
    return { source: path, temp: join(temp, `t${i}`), target: join(drive, `f${i}`), length };
  });
  return { root, temp, files, contents };
}

test('two-slot pipeline: many batches, a file larger than a slot, odd and empty files land whole with their block MD5s', async () => {
  const lengths = [0, 1, 4095, 4096, 4097, BLOCK, BLOCK + 1, 9 * MiB + 123, 3 * MiB, 2 * MiB + 7, ...Array.from({ length: 40 }, (_, i) => 1000 + i * 7919)];
  const w = world(lengths);
  const workers = new DriveWorkers({ threads: 2, windowBytes: BLOCK });
  try {
    const seen = new Map<string, string[]>();
    let progress = 0;
    workers.onProgress = (bytes) => {
      progress += bytes;
    };
    const batches = batchesOf(w.files, workers.windowBytes);
    assert.ok(batches.length > 4, 'enough batches to keep both slots of both workers busy');
    await workers.copy(batches, async (file, md5) => {
      assert.not.ok(seen.has(file.target), `${file.target} reported once`);
      seen.set(file.target, md5);
    }, new AbortController().signal);
    assert.is(seen.size, w.files.length);
    for (const file of w.files) {
      const want = w.contents.get(file.target)!;
      const got = readFileSync(file.target);
      assert.ok(got.equals(want), `${file.target}: ${got.length} bytes, want ${want.length}`);
      assert.equal(seen.get(file.target), blockMd5s(want), `${file.target}: block MD5s`);
    }
    assert.is(progress, lengths.reduce((n, l) => n + l, 0));
    assert.equal(readdirSync(w.temp), []);
  } finally {
    await workers.close();
    rmSync(w.root, { recursive: true, force: true });
  }
});

test('a source shorter than listed fails with OfflineSeed.SourceChanged and leaves no temporary file', async () => {
  for (const listed of [3 * MiB, 10 * MiB]) { // within a slot, and larger than a slot
    const w = world([listed - 5000, 2000, 3000]);
    w.files[0]!.length = listed; // the file is shorter than the plan says
    const workers = new DriveWorkers({ threads: 2, windowBytes: BLOCK });
    try {
      let error: unknown;
      await workers.copy(batchesOf(w.files, workers.windowBytes), async () => undefined, new AbortController().signal).catch((e: unknown) => {
        error = e;
      });
      assert.instance(error, OfflineSeedError);
      assert.is((error as OfflineSeedError).errorId, 'OfflineSeed.SourceChanged');
      assert.not.ok(existsSync(w.files[0]!.target), 'the short file is not in place');
      assert.equal(await emptiedSoon(w.temp), []);
    } finally {
      await workers.close();
      rmSync(w.root, { recursive: true, force: true });
    }
  }
});

test('a cancel stops the copy with OfflineSeed.Cancelled; files reported are whole, no temporary file stays', async () => {
  const w = world(Array.from({ length: 60 }, () => 2 * MiB + 11));
  const workers = new DriveWorkers({ threads: 2, windowBytes: BLOCK });
  const controller = new AbortController();
  const reported: string[] = [];
  try {
    let error: unknown;
    await workers.copy(batchesOf(w.files, workers.windowBytes), async (file) => {
      reported.push(file.target);
      if (reported.length === 3) controller.abort();
    }, controller.signal).catch((e: unknown) => {
      error = e;
    });
    assert.instance(error, OfflineSeedError);
    assert.is((error as OfflineSeedError).errorId, 'OfflineSeed.Cancelled');
    assert.ok(reported.length < w.files.length, `stopped early (${reported.length} of ${w.files.length})`);
    for (const target of reported) assert.ok(readFileSync(target).equals(w.contents.get(target)!), `${target} whole`);
    assert.equal(await emptiedSoon(w.temp), []);
  } finally {
    await workers.close();
    rmSync(w.root, { recursive: true, force: true });
  }
});

test('verify reads back through both slots: a flipped byte, a short file and a wrong SHA-256 are each found in their own file only', async () => {
  const lengths = [BLOCK + 5, 9 * MiB + 1, 3000, 0, ...Array.from({ length: 30 }, (_, i) => 100_000 + i * 4099)];
  const w = world(lengths);
  const workers = new DriveWorkers({ threads: 2, windowBytes: BLOCK });
  try {
    const md5s = new Map<string, string[]>();
    await workers.copy(batchesOf(w.files, workers.windowBytes), async (file, md5) => {
      md5s.set(file.target, md5);
    }, new AbortController().signal);
    const flipped = w.files[1]!.target; // in its third block, past the first slot
    const bytes = readFileSync(flipped);
    bytes[9 * MiB - 3]! ^= 0x40;
    writeFileSync(flipped, bytes);
    const short = w.files[5]!.target;
    writeFileSync(short, readFileSync(short).subarray(0, 5000));
    const verifyFiles: VerifyFile[] = w.files.map((f) => ({
      path: f.target, length: f.length, md5: md5s.get(f.target)!,
      sha256: createHash('sha256').update(f === w.files[7] ? Buffer.from('other') : w.contents.get(f.target)!).digest('hex'),
    }));
    const problems = new Map<string, string[]>();
    await workers.verify(batchesOf(verifyFiles, workers.windowBytes), async (files, results) => {
      files.forEach((f, i) => {
        if (results[i]!.problems.length > 0) problems.set(f.path, results[i]!.problems);
      });
    }, new AbortController().signal);
    assert.equal([...problems.keys()].sort(), [flipped, short, w.files[7]!.target].sort());
    assert.ok(problems.get(flipped)!.some((p) => p.startsWith('block 2 ')), problems.get(flipped)!.join('; '));
    assert.ok(problems.get(short)!.some((p) => p.includes('5000 bytes long')), problems.get(short)!.join('; '));
    assert.ok(problems.get(w.files[7]!.target)!.some((p) => p.includes('SHA-256')));
  } finally {
    await workers.close();
    rmSync(w.root, { recursive: true, force: true });
  }
});

test('pack trailer: a header length a whole pack can end with passes; a cut or overwritten end does not', () => {
  const size = 16 * MiB + 12345;
  for (const entries of [[1, 0], [0, 1], [300, 0], [120, 77]] as const) {
    assert.is(packTrailerProblem(32 + 37 * entries[0] + 41 * entries[1], size), undefined, `${entries[0]} raw + ${entries[1]} compressed entries`);
  }
  assert.ok(packTrailerProblem(size, size), 'longer than the pack');
  assert.ok(packTrailerProblem(0xdeadbeef, size), 'random bytes');
  assert.ok(packTrailerProblem(32 + 37 + 1, size), 'not whole entries');
  assert.ok(packTrailerProblem(32, size), 'no entry');
  assert.ok(packTrailerProblem(69, 60), 'shorter than any pack');
});

test('a staged pack whose end is not a pack trailer is refused (OfflineSeed.PackCorrupt) before it is written', async () => {
  for (const length of [3 * MiB, 10 * MiB]) { // within a slot, and larger than a slot
    const w = world([length, 5000, 7000]);
    const good = 32 + 37 * 10 + 41 * 5;
    for (const [i, trailer] of [[0, 0xfffffff0], [1, good], [2, good]] as const) {
      const bytes = w.contents.get(w.files[i]!.target)!;
      bytes.writeUInt32LE(trailer, bytes.length - 4);
      writeFileSync(w.files[i]!.source, bytes);
      w.files[i]!.pack = true;
    }
    const workers = new DriveWorkers({ threads: 2, windowBytes: BLOCK });
    try {
      let error: unknown;
      await workers.copy(batchesOf(w.files, workers.windowBytes), async () => undefined, new AbortController().signal).catch((e: unknown) => {
        error = e;
      });
      assert.instance(error, OfflineSeedError);
      assert.is((error as OfflineSeedError).errorId, 'OfflineSeed.PackCorrupt');
      assert.ok((error as OfflineSeedError).message.includes(w.files[0]!.source), (error as OfflineSeedError).message);
      assert.not.ok(existsSync(w.files[0]!.target), 'the damaged pack is not on the drive');
      assert.equal(await emptiedSoon(w.temp), []);
      // Plausible trailers pass.
      const fine = new DriveWorkers({ threads: 1, windowBytes: BLOCK });
      try {
        await fine.copy(batchesOf(w.files.slice(1), fine.windowBytes), async () => undefined, new AbortController().signal);
      } finally {
        await fine.close();
      }
      for (const file of w.files.slice(1)) assert.ok(readFileSync(file.target).equals(w.contents.get(file.target)!));
    } finally {
      await workers.close();
      rmSync(w.root, { recursive: true, force: true });
    }
  }
});

test.run();
