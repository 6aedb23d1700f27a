/**
 * npm run demo: the whole offline seeding workflow on this machine, no Azure account needed.
 * Starts the test world (Azurite as Blob storage, the Data Box and Import/Export emulators, the simulated
 * datacenter),
 * makes an example server dataset, and runs the engine as an admin would: stage the seed, prepare two
 * shipping drives (spanning), create and ship the import job, let the datacenter import the drives,
 * complete the seed (verify the container, repair), run an incremental backup over the network, then
 * restore from the cloud and compare with the source, and check every byte in the cloud. Where pwsh is
 * present every step runs through the PowerShell cmdlets (Start-OfflineSeed, Initialize-OfflineSeedDrive,
 * ...); without it, or with `--cli`, through the engine's CLI (what the cmdlets run). The steps and their
 * two forms are in demoSteps.ts; only the datacenter's work is simulated.
 * The import job is a Data Box customer-disk job (the default); `npm run demo -- --import-export` runs
 * the same workflow with a classic Import/Export job. Leaves no process running.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorld, type World } from '../test/world/world.ts';
import { BITLOCKER_KEY_ENV, cmdletScript, PASSWORD_ENV, workflowSteps, type DemoStep } from './demoSteps.ts';

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

/** What a step printed, as `name -> value` (field names as the engine's results spell them). */
type Fields = (name: string) => string;

/** The pwsh version, or undefined when there is no pwsh that runs. */
function pwshVersion(): string | undefined {
  const probe = spawnSync('pwsh', ['-NoLogo', '-NoProfile', '-Command', '$PSVersionTable.PSVersion.ToString()'], { encoding: 'utf8', timeout: 60_000 });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

const pwsh = process.argv.includes('--cli') ? undefined : pwshVersion();

function waitFor(child: ReturnType<typeof spawn>, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed (exit ${code})`))));
  });
}

/** Runs the engine CLI like a person; its progress line and messages show on this terminal. */
async function runCli(step: DemoStep, env: NodeJS.ProcessEnv): Promise<Fields> {
  const secrets = Object.fromEntries(Object.entries(step.secrets ?? {}).map(([name, value]) => [`OFFLINESEED_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`, value]));
  const child = spawn(engine, step.cli, { env: { ...process.env, ...env, ...secrets, OFFLINESEED_PASSWORD: password }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    process.stdout.write(d);
  });
  await waitFor(child, `offlineseed-engine ${step.cli.slice(0, 2).join(' ')}`);
  return (name) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(out)?.[1]?.trim() ?? '?';
}

/**
 * Runs the step's cmdlet in pwsh like a person at a PowerShell prompt: Write-Progress and the formatted
 * output show on this terminal; the output object comes back as JSON through a file.
 */
async function runCmdlet(step: DemoStep, env: NodeJS.ProcessEnv): Promise<Fields> {
  const resultFile = join(work, 'cmdlet-result.json');
  rmSync(resultFile, { force: true });
  const script = cmdletScript(step.cmdlet, join(root, 'OfflineSeed.psd1'));
  const child = spawn('pwsh', ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', script], {
    env: { ...process.env, ...env, OFFLINESEED_ENGINE_PATH: engine, OFFLINESEED_DEMO_RESULT: resultFile, [PASSWORD_ENV]: password, [BITLOCKER_KEY_ENV]: step.secrets?.bitLockerKey ?? '' },
    stdio: 'inherit',
  });
  await waitFor(child, step.cmdlet.name);
  const parsed = JSON.parse(readFileSync(resultFile, 'utf8').replace(/^\uFEFF/, '')) as unknown;
  const objects = (Array.isArray(parsed) ? parsed : [parsed]).filter((o): o is Record<string, unknown> => typeof o === 'object' && o !== null);
  const result = objects.at(-1) ?? {};
  return (name) => {
    const value = Object.entries(result).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    return value === undefined || value === null ? '?' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  };
}

function run(step: DemoStep, env: NodeJS.ProcessEnv): Promise<Fields> {
  const stepEnv = step.cloud ? env : {};
  return pwsh === undefined ? runCli(step, stepEnv) : runCmdlet(step, stepEnv);
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
  process.stdout.write(pwsh === undefined
    ? `The workflow runs through the engine CLI (${process.argv.includes('--cli') ? '--cli given' : 'pwsh not found'}).\n`
    : `The workflow runs through the PowerShell cmdlets (pwsh ${pwsh}).\n`);
  step(`The test world: Azurite (Blob storage), the Data Box and Import/Export emulators, the simulated datacenter (this run: ${controlPlane})`);
  world = await startWorld();
  const env = world.env;
  const account = world.storageAccount.name;
  process.stdout.write(`storage account ${account}, resource group ${world.resourceGroupName}\n`);
  makeExample(source);
  const steps = workflowSteps({ work, source, staging, restored, jobName, subscriptionId: world.subscriptionId, resourceGroupName: world.resourceGroupName, storageAccount: account, controlPlane });

  step('1. Stage the seed (Start-OfflineSeed): compressed, deduplicated, encrypted restic repository');
  const staged = await run(steps.stage(), env);

  step('2. Prepare the shipping drives (Initialize-OfflineSeedDrive): 9 MiB drives, so the seed spans several');
  const drives: { driveId: string; root: string; key: string }[] = [];
  for (let n = 1; n <= 6; n++) {
    const driveRoot = join(work, `drive-${n}`);
    mkdirSync(driveRoot);
    const key = recoveryPassword();
    const out = await run(steps.prepareDrive({ root: driveRoot, driveId: `DEMODISK${n}`, capacityBytes: 9 * 1024 * 1024, bitLockerKey: key }), env);
    drives.push({ driveId: out('driveId'), root: driveRoot, key });
    if (out('state') === 'Complete') break;
  }

  step(`3. Create the import job on ${controlPlane} (New-OfflineSeedImportJob): prints where to ship the drives`);
  await run(steps.createJob(), env);

  step('4. Ship the drives and record the tracking number (Update-ImportShipping)');
  await run(steps.ship(), env);

  step('5. The datacenter receives the drives and imports them; the job status follows until Completed (Get-ImportJobStatus)');
  const arriving = drives.map((d) => ({ driveId: d.driveId, root: d.root, expectedBitLockerKey: d.key }));
  if (controlPlane === 'DataBox') await world.dataBoxDatacenter.process(world.jobRef(jobName), arriving);
  else await world.datacenter.process(world.jobRef(jobName), arriving);
  let status = await run(steps.status(), env);
  for (let poll = 1; status('state') !== 'Completed' && poll < 10; poll++) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    status = await run(steps.status(), env);
  }
  const job = { state: status('state'), serviceState: status('serviceState') };

  step('6. Complete the seed (Complete-OfflineSeed): verify the container against the drive journals, repair');
  const completed = await run(steps.complete(), env);

  step('7. A change on the server, then an incremental backup over the network (Backup-OfflineSeed)');
  appendFileSync(join(source, 'logs', 'app-0.log'), '\n2026-11-22 INFO a new day\n'.repeat(2000));
  writeFileSync(join(source, 'documents', 'new-contract.txt'), 'signed\n'.repeat(500));
  const backup = await run(steps.backup(), env);

  step('8. Restore from the cloud and compare with the server (Restore-OfflineSeed)');
  await run(steps.restore(), env);
  const want = digestTree(source);
  const got = digestTree(join(restored, source));
  const same = want.size === got.size && [...want].every(([k, v]) => got.get(k) === v);

  step('9. Check every byte in the cloud (Test-OfflineSeed -ReadData)');
  const checked = await run(steps.check(), env);

  step('Summary');
  process.stdout.write([
    `workflow ran through      : ${pwsh === undefined ? 'the engine CLI' : `the PowerShell cmdlets (pwsh ${pwsh})`}`,
    `files staged              : ${staged('files')} (${staged('bytesRead')} bytes read, ${staged('bytesStored')} stored)`,
    `dedup / compression       : ${staged('dedupRatio')} / ${staged('compressionRatio')}`,
    `drives                    : ${drives.length} (${drives.map((d) => d.driveId).join(', ')})`,
    `import job                : ${controlPlane}, ${job.state} (service: ${job.serviceState})`,
    `blobs verified by hash    : ${completed('blobsVerifiedByHash')} of ${completed('blobsExpected')}, repaired ${completed('blobsRepaired')}`,
    `incremental backup        : ${backup('filesUnmodified')} files unchanged (not read), ${backup('bytesUploaded')} bytes uploaded`,
    `cloud check (read data)   : ${checked('ok') === 'true' ? 'no errors' : 'PROBLEMS'}`,
    `restore equals the server : ${same ? 'yes, every file' : 'NO'}`,
    `took                      : ${((Date.now() - started) / 1000).toFixed(1)} s`,
    '',
  ].join('\n'));
  if (!same || checked('ok') !== 'true') process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
}).finally(async () => {
  await world?.stop();
  rmSync(work, { recursive: true, force: true });
});
