/**
 * A restore of one folder (include) reads the trees on the way to it and below it, and no sibling's:
 * subtrees the walk will not enter are not read ahead (they would each hold a read-ahead slot for good).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEventSink } from '../../engine/protocol/eventSink.ts';
import { LocalBackend } from '../../engine/repo/backend/localBackend.ts';
import { Repository } from '../../engine/repo/repository.ts';
import { decodeTree } from '../../engine/repo/tree/treeEncoding.ts';
import { nameText } from '../../engine/repo/tree/treeNode.ts';
import { Restorer } from '../../engine/restorer/restorer.ts';
import { runEngine } from '../helpers/engine.ts';
import { RESTIC_PASSWORD } from '../helpers/fixtures.ts';

const work = mkdtempSync('/var/tmp/offlineseed-restore-include-');
const source = join(work, 'source');
for (let d = 0; d < 12; d++) {
  const sub = join(source, `dir${d}`, 'inner');
  mkdirSync(sub, { recursive: true });
  writeFileSync(join(sub, 'file.txt'), `folder ${d}\n`);
}

test('only the included folder\'s trees (and those leading to it) are read', async () => {
  const staged = await runEngine('seed.start', { sources: [source], stagingPath: join(work, 'staging'), jobName: 'restore-include', storageAccount: 'seedaccount', container: 'seed', password: RESTIC_PASSWORD });
  assert.is(staged.exitCode, 0, JSON.stringify(staged.errors));
  const repo = await Repository.open(new LocalBackend(join(work, 'staging', 'repository')), RESTIC_PASSWORD);
  await repo.loadIndex();
  const { snapshot } = await repo.findSnapshot('latest');

  // Which tree belongs to which folder, walked without the restorer.
  const folderOfTree = new Map<string, string>();
  const walk = async (treeId: string, path: string): Promise<void> => {
    folderOfTree.set(treeId, path);
    for (const node of decodeTree(await repo.loadBlob('tree', treeId))) {
      if (node.type === 'dir' && node.subtree !== null) await walk(node.subtree, `${path}/${nameText(node)}`);
    }
  };
  await walk(snapshot.tree, '');

  const read: string[] = [];
  const loadBlob = repo.loadBlob.bind(repo);
  repo.loadBlob = (type, id) => {
    if (type === 'tree') read.push(folderOfTree.get(id) ?? id);
    return loadBlob(type, id);
  };
  const include = `${source}/dir7`.replace(/^\//, '');
  const target = join(work, 'target');
  await new Restorer(repo, createEventSink(() => undefined), new AbortController().signal, { treeId: snapshot.tree, target, include: [include], overwrite: 'always', threads: 1 }).run();

  assert.equal(readdirSync(join(target, ...include.split('/').slice(0, -1))), ['dir7'], 'only the included folder was restored');
  const siblings = read.filter((path) => /\/dir(?!7\b)\d+(\/|$)/.test(path));
  assert.equal(siblings, [], 'no sibling folder\'s tree was read');
  assert.ok(read.some((path) => path.endsWith('/dir7/inner')), 'the included folder\'s subtree was read');
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
