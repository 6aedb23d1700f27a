/**
 * kill -9 at seeded random points of drive.prepare (at least 20 kills that land), in chains over a
 * session spanning drives: kill, rerun, kill the rerun, ... until both drives are Complete. After
 * every kill nothing half-written sits under a final name on the drive; after every chain the drives
 * pass drive.verify and the manifest rules of §3.6 (what the datacenter checks), their union is the
 * staged repository, and restic check --read-data passes on that union (no file lost).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine } from '../helpers/engine.ts';
import { restic } from '../helpers/fixtures.ts';
import { bitLockerKey, listing, resultOf, stageSeed, treeHashes, type StagedSeed } from '../drive/fixtures.ts';
import { checkManifestFile } from '../drive/manifestRules.ts';
import { faultSeed, KillCampaign, misnamedRepositoryFiles, runAndKill } from './faultKit.ts';

const SEED = faultSeed(7002);
const KILLS_WANTED = 20;
const work = mkdtempSync('/var/tmp/offlineseed-fault-drive-');
let seed: StagedSeed;
let total = 0;
let referenceMs = 0;

interface Chain {
  staging: string;
  drives: string[];
  capacity: number;
  /** Drives the session filled (known once it is Complete). */
  used: number;
}

function newChain(name: string): Chain {
  const staging = join(work, name, 'staging');
  cpSync(seed.staging, staging, { recursive: true });
  const drives = [1, 2, 3, 4].map((n) => join(work, name, `drive-${n}`));
  for (const d of drives) mkdirSync(d);
  return { staging, drives, capacity: Math.ceil(total * 0.6), used: 0 };
}

function params(c: Chain, n: number): Record<string, unknown> {
  return { stagingPath: c.staging, driveRoot: c.drives[n - 1], driveId: `FAULT-${n}`, capacityBytes: c.capacity, bitLockerKey: bitLockerKey(n), threads: 1 };
}

test.before(async () => {
  seed = await stageSeed(work, 'fault', Array.from({ length: 8 }, (_, i) => 1_500_000 + i * 77_777));
  total = [...treeHashes(seed.repository).keys()].reduce((n, p) => n + statSync(join(seed.repository, p)).size, 0);
});

test('a clean session gives the reference duration of one drive', async () => {
  const c = newChain('reference');
  const started = Date.now();
  const first = resultOf(await runEngine('drive.prepare', params(c, 1)));
  referenceMs = Date.now() - started;
  assert.is(first.state, 'NeedsNextDrive', 'the session spans drives');
  for (let n = 2; n <= 4; n++) if (resultOf(await runEngine('drive.prepare', params(c, n))).state === 'Complete') return;
  assert.unreachable('the session did not complete on 4 drives');
});

/** Both drives Complete and verified, manifests valid, nothing temporary left, union = repository, restic agrees. */
async function assertSessionComplete(c: Chain, chain: number): Promise<void> {
  const union = join(work, `union-${chain}`);
  for (let n = 1; n <= c.used; n++) {
    const drive = c.drives[n - 1]!;
    const verify = await runEngine('drive.verify', { driveRoot: drive, stagingPath: c.staging, driveId: `FAULT-${n}` });
    const v = resultOf(verify);
    assert.is(v.ok, true, JSON.stringify(v.problems));
    assert.is(v.manifestHashMatches, true);
    const { problems } = checkManifestFile({ driveRoot: drive, driveId: `FAULT-${n}`, containers: [seed.container], manifestHash: String(v.manifestHash) });
    assert.equal(problems, [], `drive ${n} manifest`);
    assert.equal(listing(drive).filter((p) => p.includes('.tmp') || p.includes('offlineseed-tmp')), [], 'no temporary files left');
    cpSync(join(drive, seed.jobName), union, { recursive: true });
  }
  assert.equal([...treeHashes(union, []).entries()].sort(), [...treeHashes(seed.repository).entries()].sort(), 'the drives hold the repository, each file once');
  assert.match(restic(union, 'check', '--read-data'), /no errors were found/);
  rmSync(union, { recursive: true, force: true });
}

test(`seed ${SEED}: ${KILLS_WANTED} kills -9 at seeded points of a session spanning drives, each chain then completes`, async () => {
  // At most three kills per drive, so the chains spread over fresh sessions too.
  const campaign = new KillCampaign(SEED, KILLS_WANTED, referenceMs, { minMs: 150, spread: 1, killsPerRun: 3 });
  await campaign.run('faults/driveKills', async (chain) => {
    const c = newChain(`chain-${chain}`);
    for (let n = 1; c.used === 0; n++) {
      assert.ok(n <= 4, 'the session completes on at most 4 drives');
      const onDrive = join(c.drives[n - 1]!, seed.jobName);
      const run = await campaign.untilComplete(`chain ${chain} drive ${n}`, (afterMs) => runAndKill('drive.prepare', params(c, n), afterMs), () => {
        // Every file under its final name on the drive is whole (repository files are named by their SHA-256).
        if (existsSync(onDrive)) assert.equal(misnamedRepositoryFiles(onDrive), [], 'no partial file under a final name');
      }, n === 1);
      if (resultOf(run).state === 'Complete') c.used = n;
    }
    await assertSessionComplete(c, chain);
    rmSync(join(work, `chain-${chain}`), { recursive: true, force: true });
  });
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
