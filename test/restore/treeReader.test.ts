/**
 * The restore walk's tree read-ahead (engine/restorer/treeReader.ts), against a repository stand-in that
 * records which trees it was asked for: depth-first order, a bound on what is read ahead, each tree read
 * once, and a read-ahead that fails and is never taken does not crash the process.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Repository } from '../../engine/repo/repository.ts';
import { TreeReader } from '../../engine/restorer/treeReader.ts';

function fakeRepository(failing: ReadonlySet<string> = new Set()): { repo: Repository; loads: string[] } {
  const loads: string[] = [];
  const repo = {
    loadBlob(type: string, id: string): Promise<Buffer> {
      loads.push(id);
      return failing.has(id) ? Promise.reject(new Error(`${type} ${id} is damaged`)) : Promise.resolve(Buffer.from(`tree ${id}`));
    },
  } as unknown as Repository;
  return { repo, loads };
}

const ids = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

test('subtrees are read ahead in walk order, a folder\'s own first', async () => {
  const { repo, loads } = fakeRepository();
  const reader = new TreeReader(repo);
  assert.equal((await reader.read('root')).toString(), 'tree root');
  reader.prefetch(['a', 'b']);
  assert.equal(loads, ['root', 'a', 'b']);
  assert.equal((await reader.read('a')).toString(), 'tree a');
  reader.prefetch(['a1', 'a2']);
  assert.equal(loads, ['root', 'a', 'b', 'a1', 'a2'], 'read ahead once each, nothing read twice');
  await reader.read('a1');
  await reader.read('a2');
  await reader.read('b');
  assert.is(loads.length, 5);
});

test('at most 16 trees are read ahead; taking one lets the next start, deepest announced first', async () => {
  const { repo, loads } = fakeRepository();
  const reader = new TreeReader(repo);
  reader.prefetch(ids('x', 40));
  assert.equal(loads, ids('x', 16));
  await reader.read('x0');
  assert.equal(loads.at(-1), 'x16');
  reader.prefetch(['x0-sub']);
  await reader.read('x1');
  assert.equal(loads.at(-1), 'x0-sub', 'the subtree just announced goes before older announcements');
  assert.is(loads.length, 18);
});

test('a tree taken before its turn is read now, and not again when its turn comes', async () => {
  const { repo, loads } = fakeRepository();
  const reader = new TreeReader(repo);
  reader.prefetch(ids('y', 20));
  assert.equal((await reader.read('y19')).toString(), 'tree y19');
  for (let i = 0; i < 19; i++) await reader.read(`y${i}`);
  assert.is(loads.length, 20);
  assert.is(loads.filter((id) => id === 'y19').length, 1);
});

test('a read-ahead that fails surfaces on read, and is no unhandled rejection when never read', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const { repo } = fakeRepository(new Set(['bad', 'never-read']));
    const reader = new TreeReader(repo);
    reader.prefetch(['bad', 'never-read']);
    await new Promise((r) => setTimeout(r, 20));
    try {
      await reader.read('bad');
      assert.unreachable('the damaged tree must fail its read');
    } catch (error) {
      assert.match((error as Error).message, /bad is damaged/);
    }
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test.run();
