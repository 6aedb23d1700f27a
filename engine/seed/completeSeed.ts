/**
 * Complete-OfflineSeed: once the import job is done, make sure the container holds exactly the seed.
 * Every blob the drive journals list is checked for presence and size (a listing, cheap); the blobs the
 * service's logs report as failed (or a Data Box verbose log does not list as copied whole), the small
 * repository files (config, keys, index, snapshots) and a sample of packs are downloaded and compared
 * piece by piece with the MD5s recorded when the drives were written (everything with readData).
 * Whatever is missing or wrong is uploaded again from the staging location, over the network, as
 * RepairImport did. Then the repository is opened in the cloud
 * and the seed marked complete. Idempotent: a second run finds nothing to repair.
 */
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { AzureBackend } from '../blob/azureBackend.ts';
import type { EventSink } from '../protocol/eventSink.ts';
import { CancelledError, OfflineSeedError } from '../protocol/errors.ts';
import type { FileHandle, FileType } from '../repo/backend/backend.ts';
import { LocalBackend } from '../repo/backend/localBackend.ts';
import { Repository } from '../repo/repository.ts';
import type { AzureAccessParams } from '../repo/repositoryLocation.ts';
import { openAzureBackend } from '../blob/openAzureBackend.ts';
import { expectedBlobs, type ExpectedBlob } from './expectedBlobs.ts';
import { resolvePassword, type PasswordParams } from './password.ts';
import { BlobSeedStore } from './blobSeedStore.ts';
import { openSeed } from './openSeed.ts';
import { publishedExpectedBlobs } from './publishedDrives.ts';
import type { SeedDescriptor } from './seedDescriptor.ts';
import { blobsToVerifyFirst, diagnosticsLocation, readServiceLogs } from './serviceLogs.ts';
import { containerNameProblem } from './azureNames.ts';

export interface CompleteParams extends PasswordParams, AzureAccessParams {
  stagingPath?: string;
  /** The published seed, for a runbook: verification only (repair needs the staged files). */
  seedUri?: string;
  verifyPercent?: number;
  readData?: boolean;
  force?: boolean;
  diagnosticsContainer?: string;
}

export interface CompleteOutcome {
  jobName: string;
  stagingPath?: string;
  seedUri?: string;
  repository: string;
  blobsExpected: number;
  blobsPresent: number;
  blobsVerifiedByHash: number;
  blobsMissing: number;
  blobsCorrupt: number;
  blobsRepaired: number;
  bytesRepaired: number;
  logsRead: number;
  failuresReported: number;
  repaired: string[];
  durationSeconds: number;
}

const PIECE = 4 * 1024 * 1024;

function pieceMd5s(data: Buffer): string[] {
  const out: string[] = [];
  for (let offset = 0; offset < data.length || (offset === 0 && data.length === 0); offset += PIECE) {
    out.push(createHash('md5').update(data.subarray(offset, offset + PIECE)).digest('hex').toUpperCase());
    if (data.length === 0) break;
  }
  return out;
}

/** Repository file of a blob name inside the prefix: config, keys/<id>, data/<xx>/<id>, … */
function handleOf(inside: string): FileHandle | undefined {
  if (inside === 'config') return { type: 'config', name: 'config' };
  const parts = inside.split('/');
  const type = parts[0] as FileType;
  const name = parts.at(-1)!;
  if (!['keys', 'data', 'index', 'snapshots'].includes(type) || !/^[0-9a-f]{64}$/.test(name)) return undefined;
  return { type, name };
}

/** Without prepared drives (-Force), the staged repository itself says what the container must hold. */
async function expectedFromStaging(stagingPath: string, d: SeedDescriptor): Promise<ExpectedBlob[]> {
  const repository = join(stagingPath, d.repository ?? 'repository');
  const out: ExpectedBlob[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name !== 'locks' && e.name !== '.offlineseed-tmp') await walk(join(dir, e.name), r);
      } else if (handleOf(r) !== undefined) {
        const data = await fs.readFile(join(dir, e.name));
        out.push({ blobPath: `${d.container}/${d.prefix === '' ? '' : `${d.prefix}/`}${r}`, length: data.length, md5: pieceMd5s(data), stagedFile: join(dir, e.name), driveId: '' });
      }
    }
  };
  await walk(repository, '');
  return out;
}

export async function completeSeed(params: CompleteParams, context: { events: EventSink; signal: AbortSignal }): Promise<CompleteOutcome> {
  const started = Date.now();
  if (params.diagnosticsContainer !== undefined) {
    const problem = containerNameProblem(params.diagnosticsContainer);
    if (problem !== undefined) {
      throw new OfflineSeedError('OfflineSeed.InvalidContainerName', 'InvalidArgument', `params.diagnosticsContainer: "${params.diagnosticsContainer}" ${problem}`, { targetObject: 'params.diagnosticsContainer' });
    }
  }
  const opened = await openSeed(params, params, context.events);
  if (opened === undefined) {
    throw new OfflineSeedError('OfflineSeed.InvalidRequest', 'InvalidArgument', 'params.stagingPath: required (the seed to complete), or params.seedUri (the published seed)', { targetObject: 'params.stagingPath' });
  }
  const { store } = opened;
  const d = opened.descriptor;
  const stagingPath = store.stagingPath;
  if (d.state !== 'Imported' && d.state !== 'Completed' && params.force !== true) {
    throw new OfflineSeedError('OfflineSeed.SeedNotImported', 'InvalidOperation', `the seed of job "${d.jobName}" is in state ${d.state}, not Imported: the import job must be Completed or Closed first`, {
      targetObject: d.jobName,
      recommendedAction: 'Run Get-ImportJobStatus until the job is Completed, or use -Force to verify and repair the container anyway.',
    });
  }
  const password = resolvePassword(params);
  let expected: ExpectedBlob[];
  if (store instanceof BlobSeedStore) {
    // No staged copy here: the published manifests say what the container must hold.
    expected = await publishedExpectedBlobs(store);
  } else {
    const staging = stagingPath!;
    // The password opens the staged copy first: a wrong one must fail before the container is listed,
    // let alone repaired (repairs replace blobs; the cloud repository is only opened at the end).
    const stagedRepository = join(staging, d.repository ?? 'repository');
    if (existsSync(join(stagedRepository, 'config'))) await Repository.open(new LocalBackend(stagedRepository), password);
    const hasDrives = (d['drives'] as { sessionId?: string } | undefined)?.sessionId !== undefined;
    expected = hasDrives ? await expectedBlobs(staging, d) : await expectedFromStaging(staging, d);
  }
  const backend = openAzureBackend({ account: d.storageAccount, container: d.container, prefix: d.prefix }, params);
  const container = backend.containerClient();
  const containerPrefix = `${d.container}/`;

  const present = new Map<string, number>();
  for await (const blob of container.listBlobsFlat({ prefix: d.prefix === '' ? undefined : `${d.prefix}/` })) {
    present.set(blob.name, blob.properties.contentLength ?? 0);
  }
  const diagnostics = diagnosticsLocation(params.diagnosticsContainer ?? (d['job'] as { diagnosticsPath?: string } | undefined)?.diagnosticsPath ?? 'waimportexport');
  const { failures, copied, logsRead, unreadable } = await readServiceLogs(
    backend.containerClient(diagnostics.container),
    backend.containerClient('databoxcopylog'),
    d.jobName,
    diagnostics.folder,
  );
  for (const u of unreadable) context.events.log('warning', `The import service's logs in container ${u} could not be read with the credential given; every blob is verified without them.`);
  for (const f of failures) context.events.log('verbose', `the import service reported ${f.blobPath}: ${f.status} (${f.log})`);
  const reported = blobsToVerifyFirst(failures, copied, expected, containerPrefix);
  if (reported.size > failures.length) context.events.log('verbose', `${reported.size - failures.length} blob(s) not listed whole in the Data Box verbose logs: verified first`);

  const percent = params.readData === true ? 100 : (params.verifyPercent ?? 2);
  const outcome: CompleteOutcome = {
    jobName: d.jobName,
    ...(stagingPath === undefined ? {} : { stagingPath }),
    ...(store.seedUri === undefined ? {} : { seedUri: store.seedUri }),
    repository: backend.location, blobsExpected: expected.length, blobsPresent: 0, blobsVerifiedByHash: 0, blobsMissing: 0, blobsCorrupt: 0,
    blobsRepaired: 0, bytesRepaired: 0, logsRead, failuresReported: failures.length, repaired: [], durationSeconds: 0,
  };
  const toRepair: ExpectedBlob[] = [];
  let done = 0;
  for (const e of expected) {
    if (context.signal.aborted) throw new CancelledError();
    done++;
    context.events.progress({ id: 1, activity: `Verifying the container ${d.container}`, status: `${done} of ${expected.length} blobs`, percent: (done / expected.length) * 100 });
    const name = e.blobPath.startsWith(containerPrefix) ? e.blobPath.slice(containerPrefix.length) : e.blobPath;
    const size = present.get(name);
    if (size === undefined) {
      outcome.blobsMissing++;
      toRepair.push(e);
      continue;
    }
    outcome.blobsPresent++;
    if (size !== e.length) {
      outcome.blobsCorrupt++;
      toRepair.push(e);
      continue;
    }
    const isPack = name.includes('/data/') || name.startsWith('data/');
    const sampled = !isPack || reported.has(name) || percent >= 100 || Math.random() * 100 < percent;
    if (!sampled) continue;
    const data = await container.getBlobClient(name).downloadToBuffer();
    outcome.blobsVerifiedByHash++;
    if (pieceMd5s(data).join() !== e.md5.join()) {
      outcome.blobsCorrupt++;
      toRepair.push(e);
    }
  }
  context.events.progress({ id: 1, activity: `Verifying the container ${d.container}`, status: 'done', percent: 100, completed: true });

  if (toRepair.length > 0 && stagingPath === undefined) {
    const names = toRepair.map((e) => (e.blobPath.startsWith(containerPrefix) ? e.blobPath.slice(containerPrefix.length) : e.blobPath));
    for (const name of names.slice(0, 20)) context.events.log('warning', `${name} is missing or differs from what the drive carried.`);
    throw new OfflineSeedError('OfflineSeed.RepairNeedsStaging', 'InvalidData', `${outcome.blobsMissing} blob(s) missing and ${outcome.blobsCorrupt} damaged in ${backend.location} (e.g. ${names.slice(0, 3).join(', ')}); repairing them needs the staged files, which only the server has. The seed stays ${d.state}`, {
      targetObject: backend.location,
      recommendedAction: `On the server, run Complete-OfflineSeed -StagingPath <the staging location>: it uploads what is missing or damaged from the staged copy and completes the seed.`,
    });
  }
  for (const e of toRepair) {
    if (context.signal.aborted) throw new CancelledError();
    const name = e.blobPath.startsWith(containerPrefix) ? e.blobPath.slice(containerPrefix.length) : e.blobPath;
    const inside = d.prefix === '' ? name : name.slice(d.prefix.length + 1);
    const handle = handleOf(inside);
    const data = e.stagedFile === '' ? undefined : await fs.readFile(e.stagedFile).catch(() => undefined);
    if (handle === undefined || data === undefined || pieceMd5s(data).join() !== e.md5.join()) {
      throw new OfflineSeedError('OfflineSeed.RepairSourceMissing', 'ObjectNotFound', `cannot repair ${name}: its staged copy ${e.stagedFile} is missing or differs from what the drive carried`, {
        targetObject: name,
        recommendedAction: 'Restore the staging location (or copy the file back from the drive), then run Complete-OfflineSeed again.',
      });
    }
    await repairBlob(backend, handle, data);
    outcome.blobsRepaired++;
    outcome.bytesRepaired += data.length;
    if (outcome.repaired.length < 100) outcome.repaired.push(name);
    context.events.log('information', `repaired ${name} (${data.length} bytes) from the staging location`);
  }

  await checkCloudRepository(backend, password);
  outcome.durationSeconds = (Date.now() - started) / 1000;
  await store.update((current) => ({
    ...current,
    state: 'Completed',
    completion: { at: new Date().toISOString(), repository: backend.location, blobsExpected: outcome.blobsExpected, blobsVerifiedByHash: outcome.blobsVerifiedByHash, blobsRepaired: outcome.blobsRepaired, bytesRepaired: outcome.bytesRepaired },
  }));
  return outcome;
}

async function repairBlob(backend: AzureBackend, handle: FileHandle, data: Buffer): Promise<void> {
  await backend.remove(handle);
  await backend.save(handle, data);
}

/** The cloud repository opens with the password, its index and snapshots read, and every indexed pack exists. */
async function checkCloudRepository(backend: AzureBackend, password: string): Promise<void> {
  const repo = await Repository.open(backend, password);
  await repo.loadIndex();
  await repo.listSnapshots();
  const packs = new Set((await backend.list('data')).map((p) => p.name));
  const missing = repo.index.allPackIds().filter((id) => !packs.has(id));
  if (missing.length > 0) {
    throw new OfflineSeedError('OfflineSeed.PackMissing', 'ObjectNotFound', `${missing.length} packs the index lists are still missing from ${backend.location}: ${missing.slice(0, 3).join(', ')}`, { targetObject: backend.location });
  }
}
