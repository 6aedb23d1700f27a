/**
 * Shared by the job tests: a seed staged and prepared on drives with the real engine (seed.start,
 * drive.prepare), requests for the job.* commands against the test world, and a collector of every byte
 * the engine printed for the secrets scan.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as assert from 'uvu/assert';
import { runEngine, type EngineRun } from '../helpers/engine.ts';
import { RESTIC_PASSWORD, seededBytes } from '../helpers/fixtures.ts';
import { bitLockerKey } from '../drive/fixtures.ts';
import type { ArrivingDrive } from '../world/datacenter.ts';
import type { World } from '../world/world.ts';

export const MiB = 1024 * 1024;
export const DAY_MS = 24 * 60 * 60 * 1000;

export const RETURN_ADDRESS = {
  recipientName: 'Contoso Backup Operations',
  streetAddress1: '1 Main Street',
  city: 'Redmond',
  stateOrProvince: 'WA',
  postalCode: '98052',
  countryOrRegion: 'USA',
  phone: '+1 425 555 0100',
  email: 'backup-ops@contoso.example',
};
export const RETURN_SHIPPING = { carrierName: 'FedEx', carrierAccountNumber: '987654321' };

export interface PreparedDrive {
  driveId: string;
  root: string;
  key: string;
  manifestFile: string;
  manifestHash: string;
}

export interface PreparedSeed {
  name: string;
  jobName: string;
  staging: string;
  source: string;
  container: string;
  prefix: string;
  drives: PreparedDrive[];
}

/**
 * Stages a small seed for the world's storage account and prepares it on drives (folders standing for
 * drives) with drive.prepare. `drives: 2` makes the seed span two drives.
 */
export async function prepareSeed(world: World, work: string, name: string, options: { drives?: 1 | 2; keySeed?: number; stageOnly?: boolean } = {}): Promise<PreparedSeed> {
  const source = join(work, `${name}-source`);
  mkdirSync(source, { recursive: true });
  const spanning = (options.drives ?? 1) === 2;
  const sizes = spanning ? [3 * MiB, 3 * MiB, 3 * MiB] : [256 * 1024, 512 * 1024];
  sizes.forEach((size, i) => writeFileSync(join(source, `file-${i}.bin`), seededBytes(7000 + i * 31 + name.length, size)));
  for (let i = 0; i < 10; i++) writeFileSync(join(source, `note-${i}.txt`), `note ${i} of ${name}\n`.repeat(50 + i));
  const staging = join(work, `${name}-staging`);
  const jobName = `${name}-job`;
  const container = 'seeds';
  const prefix = name;
  const stage = await runEngine('seed.start', {
    sources: [source], stagingPath: staging, jobName, storageAccount: world.storageAccount.name, container, prefix, password: RESTIC_PASSWORD, packSizeMiB: 4, threads: 2,
  });
  assert.is(stage.exitCode, 0, JSON.stringify(stage.errors) + stage.stderr);
  const seed: PreparedSeed = { name, jobName, staging, source, container, prefix, drives: [] };
  if (options.stageOnly === true) return seed;
  for (let n = 1; n <= 4; n++) {
    const root = join(work, `${name}-drive-${n}`);
    mkdirSync(root, { recursive: true });
    const key = bitLockerKey((options.keySeed ?? name.length * 97) + n);
    const driveId = `${name.replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, 12)}D${n}`;
    const prep = await runEngine('drive.prepare', { stagingPath: staging, driveRoot: root, driveId, bitLockerKey: key, capacityBytes: spanning ? 6 * MiB : 1024 * MiB, threads: 2 });
    assert.is(prep.exitCode, 0, JSON.stringify(prep.errors) + prep.stderr);
    const r = prep.results[0]!;
    seed.drives.push({ driveId, root, key, manifestFile: String(r.manifestFile), manifestHash: String(r.manifestHash) });
    if (r.state === 'Complete') break;
  }
  if (spanning) assert.ok(seed.drives.length >= 2, `the seed spans ${seed.drives.length} drive(s)`);
  return seed;
}

/** The drives as they arrive at the datacenter (unlocked with the key they were prepared with). */
export function arriving(seed: PreparedSeed, faults: Record<string, ArrivingDrive['faults']> = {}): ArrivingDrive[] {
  return seed.drives.map((d) => ({ driveId: d.driveId, root: d.root, expectedBitLockerKey: d.key, ...(faults[d.driveId] === undefined ? {} : { faults: faults[d.driveId] }) }));
}

export function coordinates(world: World, seed: PreparedSeed): Record<string, unknown> {
  return { stagingPath: seed.staging, subscriptionId: world.subscriptionId, resourceGroup: world.resourceGroupName };
}

/** job.create params for an Import/Export job (these tests are about that control plane; Data Box is the default for new jobs). */
export function createParams(world: World, seed: PreparedSeed, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...coordinates(world, seed), controlPlane: 'ImportExport', location: 'West US', returnAddress: RETURN_ADDRESS, returnShipping: RETURN_SHIPPING, ...extra };
}

/** Everything the engine printed, for the secrets scan; job.keys results are kept apart. */
export class OutputLog {
  readonly texts: string[] = [];
  readonly keyResults: Record<string, unknown>[] = [];

  add(run: EngineRun, command: string): EngineRun {
    if (command === 'job.keys') {
      for (const line of run.stdout.split('\n')) {
        if (line.includes('"type":"result"')) this.keyResults.push((JSON.parse(line) as { data: Record<string, unknown> }).data);
        else this.texts.push(line);
      }
    } else {
      this.texts.push(run.stdout);
    }
    this.texts.push(run.stderr);
    return run;
  }

  /** Asserts no form of any secret appears outside the job.keys results, and there only as bitLockerKey. */
  assertNoSecrets(secrets: readonly string[]): void {
    const all = this.texts.join('\n');
    assert.ok(all.length > 500, 'the engine did print something');
    for (const secret of secrets) {
      for (const form of secretForms(secret)) assert.not.ok(all.includes(form), `a secret leaked into the output (${form.slice(0, 4)}…)`);
    }
    for (const result of this.keyResults) {
      const { bitLockerKey: _key, ...rest } = result;
      void _key;
      const text = JSON.stringify(rest);
      for (const secret of secrets) for (const form of secretForms(secret)) assert.not.ok(text.includes(form), 'a job.keys result carries a secret outside bitLockerKey');
    }
  }
}

export function secretForms(secret: string): string[] {
  return [...new Set([secret, JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString('base64'), secret.replace(/-/g, '')])].filter((s) => s.length >= 8);
}

/** Runs a job command against the world (profile folder inside the test's work folder). */
export function jobRunner(world: World, work: string, log: OutputLog) {
  const config = join(work, 'config');
  mkdirSync(config, { recursive: true });
  return async (command: string, params: Record<string, unknown>, options: { dryRun?: boolean; env?: Record<string, string | undefined> } = {}): Promise<EngineRun> => {
    const run = await runEngine(command, params, {
      env: { ...world.env, XDG_CONFIG_HOME: config, ...options.env },
      ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }),
    });
    return log.add(run, command);
  };
}

export function lastError(run: EngineRun): { errorId: string; category: string; message: string; recommendedAction?: string; targetObject?: string } {
  const e = run.errors.at(-1);
  assert.ok(e, `expected an error event; exit ${run.exitCode}, events ${JSON.stringify(run.events).slice(0, 400)}`);
  return e as unknown as { errorId: string; category: string; message: string; recommendedAction?: string; targetObject?: string };
}

export function logs(run: EngineRun, level?: string): string[] {
  return run.events.filter((e) => e.type === 'log' && (level === undefined || e.level === level)).map((e) => String(e.message));
}

export function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

export function descriptor(seed: PreparedSeed): Record<string, unknown> {
  return readJson(join(seed.staging, 'offlineseed.json'));
}

/** A pack file on a drive, as the manifest names it (drive-relative, backslashes). */
export function somePackOnDrive(drive: PreparedDrive): { filePath: string; size: number } {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/[\\/]data[\\/][0-9a-f]{2}[\\/][0-9a-f]{64}$/.test(full)) files.push(full);
    }
  };
  walk(drive.root);
  assert.ok(files.length > 0, `drive ${drive.driveId} holds pack files`);
  const largest = files.sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
  return { filePath: `\\${relative(drive.root, largest).split('/').join('\\')}`, size: statSync(largest).size };
}

export function md5Hex(data: Buffer): string {
  return createHash('md5').update(data).digest('hex').toUpperCase();
}

/**
 * Drive records written the way drive preparation writes them (journal with a closed record, DriveInfo
 * export naming an owner-only key file, the descriptor's "drives" member), for drive sets drive.prepare
 * itself would refuse to make (more than ten drives, a drive id twice, a drive without a key). The
 * drives do not exist: such jobs are only created, never imported.
 */
export async function fabricateDrives(seed: PreparedSeed, ids: readonly string[], options: { withoutKey?: readonly string[] } = {}): Promise<{ driveId: string; key: string | undefined; manifestHash: string }[]> {
  const { DriveJournal } = await import('../../engine/drive/journal.ts');
  const { writeDriveInfo } = await import('../../engine/drive/driveInfo.ts');
  const { writeKeyFile } = await import('../../engine/drive/bitLocker.ts');
  const dir = join(seed.staging, 'drives', 'fabricated');
  mkdirSync(dir, { recursive: true });
  const now = new Date().toISOString();
  const sessionId = `${seed.jobName}-fab`;
  const sessionFile = join(dir, `${sessionId}.session.json`);
  const out: { driveId: string; key: string | undefined; manifestHash: string }[] = [];
  const entries: Record<string, unknown>[] = [];
  for (const [i, driveId] of ids.entries()) {
    const base = `${dir}/${i}-${driveId}`;
    const journalPath = `${base}.jrn`;
    const driveInfoPath = `${base}_DriveInfo.xml`;
    const keyFile = `${base}_BitLockerKey.txt`;
    const withKey = !(options.withoutKey ?? []).includes(driveId);
    const key = withKey ? bitLockerKey(900 + i * 7 + seed.name.length) : undefined;
    if (key !== undefined) await writeKeyFile(keyFile, key);
    const manifestHash = md5Hex(Buffer.from(`${seed.name}/${driveId}/${i}`));
    const state = i === ids.length - 1 ? 'Complete' : 'NeedsNextDrive';
    const journal = await DriveJournal.create(journalPath, {
      type: 'header', format: 'offlineseed-drive-journal', version: 1, driveId, driveNumber: i + 1, sessionId, mode: 'seed', driveRoot: `/fabricated/${driveId}`,
      capacityBytes: 1, budgetBytes: 1, sessionFile, bitLockerKeyFile: key === undefined ? null : keyFile, engineVersion: 'test', createdAt: now,
    });
    await journal.append({
      type: 'closed', state, manifestFile: '\\DriveManifest.xml', manifestHash, manifestBytes: 1, files: 1, bytes: 1, filesRemaining: 0, bytesRemaining: 0,
      driveInfoPath, driveInfo: '', at: now,
    }, true);
    await journal.close();
    await writeDriveInfo(driveInfoPath, { driveId, manifestFile: '\\DriveManifest.xml', manifestHash, ...(key === undefined ? {} : { bitLockerKeyFile: keyFile }) });
    entries.push({ driveId, driveNumber: i + 1, state, journalPath, driveInfoPath, manifestFile: '\\DriveManifest.xml', manifestHash, files: 1, bytes: 1 });
    out.push({ driveId, key, manifestHash });
  }
  const path = join(seed.staging, 'offlineseed.json');
  const d = readJson(path);
  writeFileSync(path, JSON.stringify({ ...d, state: 'DrivesPrepared', drives: { sessionId, sessionFile, complete: true, drives: entries } }, null, 2));
  return out;
}

export function editDescriptor(seed: PreparedSeed, change: (d: Record<string, unknown>) => Record<string, unknown>): void {
  const path = join(seed.staging, 'offlineseed.json');
  writeFileSync(path, JSON.stringify(change(readJson(path)), null, 2));
}
