/**
 * The archiver's walk does not stop while every worker is busy: archive() queues the file and returns,
 * so in an incremental backup the walk over unchanged files overlaps the reading of changed ones. A
 * worker is held on a FIFO nobody writes to yet (its open blocks), and further large and small files
 * are handed to the pool meanwhile; once the FIFO is written, every file is archived.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_QUEUED_FILES, WorkerPool, type FileOutcome } from '../../engine/archiver/workerPool.ts';
import { chunkerParametersToJson, newChunkerParameters } from '../../engine/repo/chunker/chunkerParameters.ts';
import { seededBytes } from '../helpers/fixtures.ts';

const MiB = 1024 * 1024;
const work = mkdtempSync('/var/tmp/offlineseed-pool-');

function newPool(): { pool: WorkerPool; packs: string[] } {
  const packs: string[] = [];
  const claimed = new Set<string>();
  const pool = new WorkerPool(1, {
    key: { encrypt: randomBytes(32), macK: randomBytes(16), macR: randomBytes(16) },
    chunker: chunkerParametersToJson(newChunkerParameters()),
    compression: 'off',
    packSize: 16 * MiB,
    readSize: MiB,
  }, {
    claim: (id) => !claimed.has(id) && claimed.add(id) !== undefined,
    onPack: (packId) => packs.push(packId),
    uploadPack: async () => undefined,
    onRead: () => undefined,
  });
  return { pool, packs };
}

/**
 * A FIFO nobody writes to yet: a worker that opens it blocks until release(). No data is written on
 * release: a FIFO's size is always 0, and bytes would look like a change made while it was read.
 */
function stuckFifo(name: string): { path: string; release: () => void } {
  const path = join(work, name);
  execFileSync('mkfifo', [path]);
  let released = false;
  return {
    path,
    release: () => {
      if (released) return;
      released = true;
      closeSync(openSync(path, 'w'));
    },
  };
}

/** 'returned' when the promise settles within the time, else 'waiting'. */
async function within<T>(promise: Promise<T>, ms: number): Promise<'returned' | 'waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'waiting'>((r) => (timer = setTimeout(() => r('waiting'), ms)));
  const result = await Promise.race([promise.then(() => 'returned' as const), timeout]);
  clearTimeout(timer);
  return result;
}

test.after(() => rmSync(work, { recursive: true, force: true }));

test('archive() returns while the only worker is stuck on a large file; all files are archived once it is freed', async () => {
  const { path: fifo, release } = stuckFifo('stuck.fifo');
  const large = join(work, 'large.bin');
  writeFileSync(large, seededBytes(1, 3 * MiB));
  const small = join(work, 'small.txt');
  writeFileSync(small, 'small file\n');
  const { pool } = newPool();
  const outcomes: Promise<FileOutcome>[] = [];
  try {
    // Announced as large: the worker takes it alone and blocks opening the FIFO.
    outcomes.push((await pool.archive(Buffer.from(fifo), 3 * MiB)).outcome);
    // The worker holds a large file already, so this one has to wait for it: in the queue, not in archive().
    const second = pool.archive(Buffer.from(large), 3 * MiB);
    assert.is(await within(second, 3000), 'returned', 'archive() of a second large file waited for the busy worker');
    outcomes.push((await second).outcome);
    const third = pool.archive(Buffer.from(small), 11);
    assert.is(await within(third, 3000), 'returned');
    outcomes.push((await third).outcome);
    await pool.dispatchOpenBatch();
    release();
    const done = await Promise.all(outcomes);
    assert.equal(done.map((o) => o.size), [0, 3 * MiB, 11]);
    assert.ok(done.every((o) => o.error === undefined));
    assert.ok(done[1]!.content.length > 1 && done[2]!.content.length === 1);
    await pool.flush();
  } finally {
    release();
    await pool.terminate();
  }
});

test('the walk waits once MAX_QUEUED_FILES files are queued, and goes on as the worker frees up', async () => {
  const { path: fifo, release } = stuckFifo('stuck2.fifo');
  const small = join(work, 'tiny.txt');
  writeFileSync(small, 'tiny\n');
  const { pool } = newPool();
  const outcomes: Promise<FileOutcome>[] = [];
  try {
    outcomes.push((await pool.archive(Buffer.from(fifo), 3 * MiB)).outcome);
    // Two batches of 64 go to the worker (its limit); then the queue fills up to the bound.
    let returned = 0;
    let blocked: Promise<{ outcome: Promise<FileOutcome> }> | undefined;
    for (let i = 0; i < MAX_QUEUED_FILES + 200 && blocked === undefined; i++) {
      const next = pool.archive(Buffer.from(small), 5);
      if ((await within(next, 200)) === 'waiting') blocked = next;
      else {
        returned++;
        outcomes.push((await next).outcome);
      }
    }
    assert.ok(blocked !== undefined, 'archive() never waited: the queue is unbounded');
    assert.ok(returned >= MAX_QUEUED_FILES, `only ${returned} files were queued before archive() waited`);
    release();
    outcomes.push((await blocked!).outcome);
    await pool.dispatchOpenBatch();
    const done = await Promise.all(outcomes);
    assert.is(done.length, returned + 2);
    assert.ok(done.every((o) => o.error === undefined));
    await pool.flush();
  } finally {
    release();
    await pool.terminate();
  }
});

test.run();
