/**
 * npm run demo: the whole offline seeding workflow on this machine, no Azure account needed.
 * Starts the test world (Azurite as Blob storage, the Data Box and Import/Export emulators, the simulated
 * datacenter),
 * makes an example server dataset, and runs the engine as an admin would: stage the seed, prepare two
 * shipping drives (spanning), create and ship the import job, let the datacenter import the drives,
 * complete the seed (verify the container, repair), run an incremental backup over the network, then
 * restore from the cloud and compare with the source, and check every byte in the cloud. Every step is
 * the engine's CLI (what the PowerShell cmdlets run); only the datacenter's work is simulated.
 * The import job is a Data Box customer-disk job (the default); `npm run demo -- --import-export` runs
 * the same workflow with a classic Import/Export job. Leaves no process running.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorld, type World } from '../test/world/world.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const engine = join(root, 'dist', process.platform === 'win32' ? 'offlineseed-engine.exe' : 'offlineseed-engine');
const work = mkdtempSync(join(tmpdir(), 'offlineseed-demo-'));
const source = join(work, 'server-data');
const staging = join(work, 'staging');
const restored = join(work, 'restored');
const password = randomBytes(18).toString('base64url');
const jobName = 'demo-seed';
const controlPlane = process.argv.includes('--import-export') ? 'ImportExport' : 'DataBox';
const started = Date.now();
let world: World | undefined;

function step(title: string): void {
  process.stdout.write(`\n== ${title}\n`);
}

/** Runs the engine CLI like a person; its progress line and messages show on this terminal. */
function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(engine, args, { env: { ...process.env, ...env, OFFLINESEED_PASSWORD: password }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
    });
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`offlineseed-engine ${args.slice(0, 2).join(' ')} failed (exit ${code})`))));
  });
}

function field(output: string, name: string): string {
  return new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(output)?.[1]?.trim() ?? '?';
}

/** A recovery password of the shape BitLocker makes: eight groups of six digits, each divisible by 11. */
function recoveryPassword(): string {
  return Array.from({ length: 8 }, () => String(11 * (randomBytes(2).readUInt16LE(0) % 65536)).padStart(6, '0')).join('-');
}

function makeExample(dir: string): void {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(dir, 'databases'), { recursive: true });
  mkdirSync(join(dir, 'documents', 'small'), { recursive: true });
  for (let i = 0; i < 6; i++) {
    const lines: string[] = [];
    for (let n = 0; n < 60_000; n++) lines.push(`2026-11-${String(1 + (n % 28)).padStart(2, '0')} INFO worker-${(n * 7 + i) % 8} request ${n * (i + 3)} served in ${(n * i) % 97} ms`);
    writeFileSync(join(dir, 'logs', `app-${i}.log`), lines.join('\n'));
  }
  const db = randomBytes(12 * 1024 * 1024);
  writeFileSync(join(dir, 'databases', 'sales.mdf'), db);
  writeFileSync(join(dir, 'databases', 'sales-copy.mdf'), db);
  for (let i = 0; i < 500; i++) writeFileSync(join(dir, 'documents', 'small', `note-${i}.txt`), `note ${i}\n`.repeat(1 + (i % 200)));
  writeFileSync(join(dir, 'documents', 'Quarterly report – Ünïcode.txt'), 'names are kept exactly\n');
  writeFileSync(join(dir, 'documents', 'empty.txt'), '');
}

function digestTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

async function main(): Promise<void> {
  if (!existsSync(engine)) throw new Error(`${engine} is missing: run npm run build`);
  step(`The test world: Azurite (Blob storage), the Data Box and Import/Export emulators, the simulated datacenter (this run: ${controlPlane})`);
  world = await startWorld();
  const env = world.env;
  const account = world.storageAccount.name;
  process.stdout.write(`storage account ${account}, resource group ${world.resourceGroupName}\n`);
  makeExample(source);

  step('1. Stage the seed (Start-OfflineSeed): compressed, deduplicated, encrypted restic repository');
  const staged = await run(['seed', 'start', '--source', source, '--staging', staging, '--job-name', jobName, '--subscription-id', world.subscriptionId, '--resource-group', world.resourceGroupName, '--storage-account', account, '--container', 'backups', '--prefix', 'fs01', '--pack-size-mib', '4']);

  step('2. Prepare the shipping drives (Initialize-OfflineSeedDrive): 9 MiB drives, so the seed spans several');
  const drives: { driveId: string; root: string; key: string }[] = [];
  for (let n = 1; n <= 6; n++) {
    const driveRoot = join(work, `drive-${n}`);
    mkdirSync(driveRoot);
    const key = recoveryPassword();
    const out = await run(['drive', 'prepare', '--staging', staging, '--drive', driveRoot, '--drive-id', `DEMODISK${n}`, '--capacity-bytes', String(9 * 1024 * 1024)], { OFFLINESEED_BIT_LOCKER_KEY: key });
    drives.push({ driveId: field(out, 'driveId'), root: driveRoot, key });
    if (field(out, 'state') === 'Complete') break;
  }

  step(`3. Create the import job on ${controlPlane} (New-OfflineSeedImportJob): prints where to ship the drives`);
  const returnAddress = { recipientName: 'IT Operations', streetAddress1: '1 Main St', city: 'Redmond', stateOrProvince: 'WA', postalCode: '98052', countryOrRegion: 'USA', phone: '4250000000', email: 'ops@example.com' };
  await run(['job', 'create', '--staging', staging, '--control-plane', controlPlane, '--location', 'West US', '--return-address', JSON.stringify(returnAddress), '--return-shipping', JSON.stringify({ carrierName: 'FedEx', carrierAccountNumber: '123456789' }), '--profile', join(work, 'profile.json')], env);

  step('4. Ship the drives and record the tracking number (Update-ImportShipping)');
  await run(['job', 'ship', '--staging', staging, '--carrier-name', 'FedEx', '--tracking-number', 'DEMO-123456'], env);

  step('5. The datacenter receives the drives and imports them; the job status follows (Get-ImportJobStatus)');
  const arriving = drives.map((d) => ({ driveId: d.driveId, root: d.root, expectedBitLockerKey: d.key }));
  if (controlPlane === 'DataBox') await world.dataBoxDatacenter.process(world.jobRef(jobName), arriving);
  else await world.datacenter.process(world.jobRef(jobName), arriving);
  const status = await run(['job', 'status', '--staging', staging], env);
  const job = { state: field(status, 'state'), serviceState: field(status, 'serviceState') };

  step('6. Complete the seed (Complete-OfflineSeed): verify the container against the drive journals, repair');
  const completed = await run(['seed', 'complete', '--staging', staging, '--verify-percent', '100'], env);

  step('7. A change on the server, then an incremental backup over the network (Backup-OfflineSeed)');
  appendFileSync(join(source, 'logs', 'app-0.log'), '\n2026-11-22 INFO a new day\n'.repeat(2000));
  writeFileSync(join(source, 'documents', 'new-contract.txt'), 'signed\n'.repeat(500));
  const backup = await run(['backup', 'run', '--repo', `azure://${account}/backups/fs01`, '--staging', staging], env);

  step('8. Restore from the cloud and compare with the server (Restore-OfflineSeed)');
  await run(['restore', 'run', '--repo', `azure://${account}/backups/fs01`, '--target', restored], env);
  const want = digestTree(source);
  const got = digestTree(join(restored, source));
  const same = want.size === got.size && [...want].every(([k, v]) => got.get(k) === v);

  step('9. Check every byte in the cloud (Test-OfflineSeed -ReadData)');
  const checked = await run(['repo', 'check', '--repo', `azure://${account}/backups/fs01`, '--read-data'], env);

  step('Summary');
  process.stdout.write([
    `files staged              : ${field(staged, 'files')} (${field(staged, 'bytesRead')} bytes read, ${field(staged, 'bytesStored')} stored)`,
    `dedup / compression       : ${field(staged, 'dedupRatio')} / ${field(staged, 'compressionRatio')}`,
    `drives                    : ${drives.length} (${drives.map((d) => d.driveId).join(', ')})`,
    `import job                : ${controlPlane}, ${job.state} (service: ${job.serviceState})`,
    `blobs verified by hash    : ${field(completed, 'blobsVerifiedByHash')} of ${field(completed, 'blobsExpected')}, repaired ${field(completed, 'blobsRepaired')}`,
    `incremental backup        : ${field(backup, 'filesUnmodified')} files unchanged (not read), ${field(backup, 'bytesUploaded')} bytes uploaded`,
    `cloud check (read data)   : ${field(checked, 'ok') === 'true' ? 'no errors' : 'PROBLEMS'}`,
    `restore equals the server : ${same ? 'yes, every file' : 'NO'}`,
    `took                      : ${((Date.now() - started) / 1000).toFixed(1)} s`,
    '',
  ].join('\n'));
  if (!same || field(checked, 'ok') !== 'true') process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
}).finally(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
