/**
 * A seed of many packs: index files are written during the run (every 32 packs), not only at the end,
 * so an interrupted run loses little; the repository is still exactly what restic accepts.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine } from '../helpers/engine.ts';
import { restic, RESTIC_PASSWORD, seededBytes } from '../helpers/fixtures.ts';

const work = mkdtempSync('/var/tmp/offlineseed-packs-');
const source = join(work, 'source');
mkdirSync(source);
for (let i = 0; i < 40; i++) writeFileSync(join(source, `part-${i}.bin`), seededBytes(5000 + i, 4 * 1024 * 1024));

test('more than 32 packs: index files are written along the way and the run completes', async () => {
  const staging = join(work, 'staging');
  const run = await runEngine('seed.start', { sources: [source], stagingPath: staging, jobName: 'many-packs', storageAccount: 'acct', container: 'seed', password: RESTIC_PASSWORD, packSizeMiB: 4 });
  assert.is(run.exitCode, 0, JSON.stringify(run.errors) + run.stderr);
  const indexFiles = readdirSync(join(staging, 'repository', 'index'));
  assert.ok(indexFiles.length >= 2, `index files: ${indexFiles.length}`);
  assert.match(restic(join(staging, 'repository'), 'check'), /no errors were found/);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
