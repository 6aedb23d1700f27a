/**
 * decodeTree reads trees of the common shape (restic 0.14's members, each of its type) member by member
 * and hands everything else to the general reading (decodeTreeGeneric): for every blob, valid or not,
 * both give the same nodes (every field and the exact source text) or the same error. Blobs: trees of
 * real files (odd names, symlinks, a FIFO, empty and large files) and 5 000 byte-level mutations of them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nodeFromStat } from '../../engine/fs/nodeFromStat.ts';
import { decodeTree, decodeTreeGeneric, encodeTree } from '../../engine/repo/tree/treeEncoding.ts';
import type { TreeNode } from '../../engine/repo/tree/treeNode.ts';
import { seededRandom } from '../helpers/fixtures.ts';

const work = mkdtempSync('/var/tmp/offlineseed-treedecode-');
test.after(() => rmSync(work, { recursive: true, force: true }));

/** Every field as comparable text (Buffers as hex, bigints as decimal). */
function describe(parse: (blob: Uint8Array) => TreeNode[], blob: Uint8Array): string {
  try {
    return JSON.stringify(parse(blob), (_key, value: unknown) => {
      if (typeof value === 'bigint') return `${value}n`;
      if (value !== null && typeof value === 'object' && (value as { type?: string }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
        return `hex:${Buffer.from((value as { data: number[] }).data).toString('hex')}`;
      }
      return value;
    });
  } catch (error) {
    return `error: ${(error as Error).name} ${(error as Error).message}`;
  }
}


async function sampleTrees(): Promise<Buffer[]> {
  const dir = join(work, 'tree');
  mkdirSync(dir, { recursive: true });
  const names = ['plain.txt', 'ünïcödé.txt', 'quote"<&>.txt', 'tab\there', 'new\nline', Buffer.from([0x62, 0x61, 0x64, 0xff]).toString('latin1')];
  for (const [i, name] of names.entries()) writeFileSync(Buffer.concat([Buffer.from(join(dir, '/')), Buffer.from(name, i === names.length - 1 ? 'latin1' : 'utf8')]), 'x'.repeat(i * 1000));
  writeFileSync(join(dir, 'empty'), '');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  symlinkSync('plain.txt', join(dir, 'link'));
  symlinkSync(Buffer.from([0x74, 0xfe]).toString('latin1'), join(dir, 'oddlink'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  const nodes: TreeNode[] = [];
  for (const name of readdirSync(dir, { encoding: 'buffer' })) {
    const node = await nodeFromStat(Buffer.concat([Buffer.from(join(dir, '/')), name]));
    if (node.type === 'file') node.content = node.size === 0n ? [] : ['ab'.repeat(32), 'CD'.repeat(32).toLowerCase()];
    if (node.type === 'dir') node.subtree = 'ef'.repeat(32);
    nodes.push(node);
  }
  const big = { ...nodes[0]!, name: Buffer.from('huge'), size: 2n ** 63n + 5n, inode: 2n ** 64n - 1n, deviceId: 2n ** 53n + 1n };
  return [encodeTree(nodes), encodeTree([big]), encodeTree([]), Buffer.from('{"nodes":null}\n'), Buffer.from(' {"nodes" : [ ] } \n')];
}

test('the common reading and the general one agree on real trees and on 5 000 mutations of them', async () => {
  const trees = await sampleTrees();
  for (const blob of trees) assert.is(describe(decodeTree, blob), describe(decodeTreeGeneric, blob));
  assert.not.match(describe(decodeTree, trees[0]!), /^error/);
  // The common reading keeps each node's text as a view of the blob (the general one copies it): so it is the one that read these.
  for (const blob of trees.slice(0, 2)) assert.ok(decodeTree(blob).every((n) => n.sourceJson?.buffer === blob.buffer), 'trees as we write them did not take the common reading');
  const next = seededRandom(0xdec0de);
  const alphabet = Buffer.from('0123456789abcdef"\\{}[],:-. \nnulltrue\u00ff');
  let agreedValid = 0;
  for (let i = 0; i < 5_000; i++) {
    const source = trees[Math.floor(next() * 2)]!;
    const bytes = [...source];
    const edits = 1 + Math.floor(next() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(next() * bytes.length);
      const b = alphabet[Math.floor(next() * alphabet.length)]!;
      const kind = next();
      if (kind < 0.4) bytes[at] = b;
      else if (kind < 0.7) bytes.splice(at, 0, b);
      else bytes.splice(at, 1);
    }
    const blob = Buffer.from(bytes);
    const common = describe(decodeTree, blob);
    assert.is(common, describe(decodeTreeGeneric, blob), `mutation ${i}: ${blob.toString('latin1').slice(0, 400)}`);
    if (!common.startsWith('error')) agreedValid++;
  }
  assert.ok(agreedValid > 200, `only ${agreedValid} mutations were still valid trees: the test would not see the common path succeed`);
});

test.run();
