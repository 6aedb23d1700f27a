/**
 * A backup takes a file unchanged from the parent snapshot without encoding its node again when the
 * fresh stat says exactly what the parent's node says (sameNode): the tree then writes the parent's
 * node text as it is (sourceIsCurrent). sameNode must notice a difference in any recorded field, and
 * for a node whose text is restic 0.14's own the result is byte for byte what encoding it gives.
 */
import { mkdtempSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nodeFromStat } from '../../engine/fs/nodeFromStat.ts';
import { decodeTree, encodeNode, encodeTree } from '../../engine/repo/tree/treeEncoding.ts';
import { sameNode, type TreeNode } from '../../engine/repo/tree/treeNode.ts';

const work = mkdtempSync('/var/tmp/offlineseed-samenode-');
test.after(() => rmSync(work, { recursive: true, force: true }));

async function freshNodes(): Promise<TreeNode[]> {
  writeFileSync(join(work, 'a.txt'), 'alpha');
  writeFileSync(join(work, 'b.bin'), Buffer.alloc(1000, 7));
  try {
    symlinkSync('a.txt', join(work, 'link'));
  } catch {
    // already there
  }
  const nodes = await Promise.all(['a.txt', 'b.bin', 'link'].map((n) => nodeFromStat(join(work, n))));
  for (const n of nodes) if (n.type === 'file') n.content = ['ab'.repeat(32)];
  return nodes;
}

test('a node decoded from its own encoding is the same node; a change in any recorded field is noticed', async () => {
  const changes: [string, (n: TreeNode) => void][] = [
    ['type', (n) => (n.type = 'fifo')], ['mode', (n) => (n.mode ^= 1)], ['mtime', (n) => (n.mtime = { ...n.mtime, nanos: (n.mtime.nanos + 1) % 1e9 })],
    ['atime', (n) => (n.atime = { ...n.atime, unixSeconds: n.atime.unixSeconds + 1n })], ['ctime', (n) => (n.ctime = { ...n.ctime, offsetSeconds: n.ctime.offsetSeconds + 3600 })],
    ['uid', (n) => (n.uid += 1)], ['gid', (n) => (n.gid += 1)], ['user', (n) => (n.user += 'x')], ['group', (n) => (n.group += 'x')],
    ['inode', (n) => (n.inode += 1n)], ['deviceId', (n) => (n.deviceId += 1n)], ['size', (n) => (n.size += 1n)], ['links', (n) => (n.links += 1n)],
    ['device', (n) => (n.device += 1n)], ['subtree', (n) => (n.subtree = 'cd'.repeat(32))], ['error', (n) => (n.error = 'lost')],
    ['name', (n) => (n.name = Buffer.concat([n.name, Buffer.from('x')]))], ['linkTarget', (n) => (n.linkTarget = Buffer.from('elsewhere'))],
    ['content', (n) => (n.content = [...(n.content ?? []), 'ef'.repeat(32)])],
    ['extendedAttributes', (n) => (n.extendedAttributes = [{ name: 'user.x', value: Buffer.from('1') }])],
    ['genericAttributes', (n) => (n.genericAttributes = { creation_time: '"2024-01-01T00:00:00Z"' })],
    ['extraFields', (n) => (n.extraFields = [{ key: 'future', json: '1' }])],
  ];
  for (const fresh of await freshNodes()) {
    const decoded = decodeTree(encodeTree([fresh]))[0]!;
    assert.ok(sameNode(fresh, decoded), `${fresh.name} round trip`);
    for (const [field, change] of changes) {
      const changed: TreeNode = { ...decoded, content: decoded.content === null ? null : [...decoded.content] };
      change(changed);
      assert.not.ok(sameNode(fresh, changed), `${fresh.name}: ${field} changed but sameNode says same`);
    }
  }
});

test('a tree of current parent nodes is byte for byte the tree of the fresh nodes, and the parent text is used as it is', async () => {
  const fresh = await freshNodes();
  const parentBlob = encodeTree(fresh);
  const current = decodeTree(parentBlob).map((n) => ({ ...n, sourceIsCurrent: true }));
  assert.ok(encodeTree(current).equals(parentBlob));
  // The mark means the text is taken without encoding the node: a text that is not the node's shows it.
  const marked = { ...current[0]!, sourceJson: Buffer.from('{"name":"verbatim"}') };
  assert.is(encodeTree([marked]).toString(), '{"nodes":[{"name":"verbatim"}]}\n');
  const unmarked = { ...marked, sourceIsCurrent: false };
  assert.is(encodeTree([unmarked]).toString(), `{"nodes":[${encodeNode(unmarked)}]}\n`);
});

test.run();
