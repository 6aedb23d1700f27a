/**
 * Names that pass the schema but not Azure's or the file system's rules: "../" in every name-like
 * field, job, container, account and resource group names Azure refuses, azure:// repositories whose
 * account or path would leave the intended host or container, malformed BitLocker keys. Each request
 * is otherwise valid and points at a real staged seed, a prepared drive and empty folders, so a name
 * that slipped through would make the command run: it must stop first, with its stable errorId and
 * exit code, one error event, no stack trace, and nothing written anywhere under the work folder.
 * Every command the engine describes must appear in the table below (or say why it has no names).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine } from '../helpers/engine.ts';
import { RESTIC_PASSWORD } from '../helpers/fixtures.ts';
import { bitLockerKey, MiB, resultOf, stageSeed, type StagedSeed } from '../drive/fixtures.ts';
import { describedCommands } from './describe.ts';
import { PATH_LIKE, type DescribedCommand } from './generate.ts';
import { CONCURRENCY, OFFLINE_ENV, pool, refusalProblems, request, runRaw, snapshot, snapshotChanges } from './harness.ts';

const work = mkdtempSync('/var/tmp/offlineseed-badinput-names-');
const home = join(work, 'home');
const tmp = join(work, 'tmp');
const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), APPDATA: join(home, 'AppData'), TMPDIR: tmp, TMP: tmp, TEMP: tmp };
const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const KEY = bitLockerKey(31);
const RETURN_ADDRESS = { recipientName: 'Contoso', streetAddress1: '1 Main Street', city: 'Redmond', stateOrProvince: 'WA', postalCode: '98052', countryOrRegion: 'USA', phone: '4255550100', email: 'ops@contoso.example' };
const RETURN_SHIPPING = { carrierName: 'FedEx', carrierAccountNumber: '987654321' };

let seed: StagedSeed;
/** A copy of the seed with one prepared drive (state DrivesPrepared): what job.create and seed.complete need. */
let prepared: string;
/** A copy of the prepared seed as job.create leaves it (state JobCreated, the job recorded), without the service. */
let jobbed: string;
let drive: string;
let emptyDrive: string;

type Params = Record<string, unknown>;
interface NameCase { what: string; params: () => Params; errorId: string; exitCode: number }

const azureAccess = { storageAccountKey: Buffer.from('not a real key').toString('base64') };
const groups = KEY.split('-');

/** Base params of each command (valid, pointing at the fixtures) and the bad names it must refuse. */
const table: Record<string, { base: () => Params; cases: [string, Params | (() => Params), string, number][] } | string> = {
  version: 'takes no parameters',
  'diagnostics.echo': 'a protocol test command; its one string is free text',
  describe: { base: () => ({}), cases: [['a command named ../seed.start', { command: '../seed.start' }, 'OfflineSeed.InvalidRequest', 2]] },
  'seed.get': { base: () => ({ stagingPath: prepared }), cases: [['a staging path that is a file', () => ({ stagingPath: join(prepared, 'offlineseed.json') }), 'OfflineSeed.SeedNotFound', 1]] },
  'seed.start': {
    base: () => ({ sources: [seed.source], stagingPath: join(work, 'new-staging'), jobName: 'names-new', storageAccount: 'acct01', container: 'seed-1', password: RESTIC_PASSWORD }),
    cases: [
      ['a job name ../evil', { jobName: '../evil' }, 'OfflineSeed.InvalidJobName', 2],
      ['a job name of one letter', { jobName: 'a' }, 'OfflineSeed.InvalidJobName', 2],
      ['a job name with a dot', { jobName: 'job.1' }, 'OfflineSeed.InvalidJobName', 2],
      ['a container ../evil', { container: '../evil' }, 'OfflineSeed.InvalidContainerName', 2],
      ['a container of 64 characters', { container: 'c'.repeat(64) }, 'OfflineSeed.InvalidContainerName', 2],
      ['a container starting with a hyphen', { container: '-seed' }, 'OfflineSeed.InvalidContainerName', 2],
      ['a container ending with a hyphen', { container: 'seed-' }, 'OfflineSeed.InvalidContainerName', 2],
      ['a container with an underscore', { container: 'seed_1' }, 'OfflineSeed.InvalidContainerName', 2],
      ['a container $root', { container: '$root' }, 'OfflineSeed.InvalidContainerName', 2],
      ['a storage account ../evil', { storageAccount: '../evil' }, 'OfflineSeed.InvalidStorageAccountName', 2],
      ['a storage account of 25 characters', { storageAccount: 'a'.repeat(25) }, 'OfflineSeed.InvalidStorageAccountName', 2],
      ['a storage account host evil.example?', { storageAccount: 'evil.example?' }, 'OfflineSeed.InvalidStorageAccountName', 2],
      ['a prefix ../../evil', { prefix: '../../evil' }, 'OfflineSeed.InvalidBlobPrefix', 2],
      ['a prefix a/./b', { prefix: 'a/./b' }, 'OfflineSeed.InvalidBlobPrefix', 2],
      ['a prefix /absolute', { prefix: '/absolute' }, 'OfflineSeed.InvalidBlobPrefix', 2],
      ['a prefix with a control character', { prefix: 'a\u0001b' }, 'OfflineSeed.InvalidBlobPrefix', 2],
      ['a resource group ..', { resourceGroup: '..' }, 'OfflineSeed.InvalidResourceGroupName', 2],
      ['a resource group with a slash', { resourceGroup: 'rg/../x' }, 'OfflineSeed.InvalidResourceGroupName', 2],
      ['a subscription ../x', { subscriptionId: '../x' }, 'OfflineSeed.InvalidSubscriptionId', 2],
    ],
  },
  'drive.prepare': {
    base: () => ({ stagingPath: copyOf('prepare'), driveRoot: emptyDrive, driveId: 'NAMES-2', capacityBytes: 100 * MiB, bitLockerKey: bitLockerKey(32) }),
    cases: [
      ['a drive id ../evil', { driveId: '../evil' }, 'OfflineSeed.InvalidDriveId', 2],
      ['a drive id ..', { driveId: '..' }, 'OfflineSeed.InvalidDriveId', 2],
      ['a drive id with a backslash', { driveId: '..\\evil' }, 'OfflineSeed.InvalidDriveId', 2],
      ['a session id ../x', { sessionId: '../x' }, 'OfflineSeed.InvalidSessionId', 2],
      ['a destination ../evil/', { stagingPath: undefined, source: '', destination: '../evil/', sessionId: 'names-s', journalPath: join(work, 'journals', 'n.jrn') }, 'OfflineSeed.InvalidDestination', 2],
      ['a destination with a .. segment', { stagingPath: undefined, source: '', destination: 'data/../../evil/', sessionId: 'names-s', journalPath: join(work, 'journals', 'n.jrn') }, 'OfflineSeed.InvalidDestination', 2],
      ['a destination container with two hyphens', { stagingPath: undefined, source: '', destination: 'da--ta/', sessionId: 'names-s', journalPath: join(work, 'journals', 'n.jrn') }, 'OfflineSeed.InvalidDestination', 2],
      ['a BitLocker key of nine groups', { bitLockerKey: `${KEY}-${groups[0]}` }, 'OfflineSeed.InvalidBitLockerKey', 2],
      ['a BitLocker key of 48 digits in six groups of eight', { bitLockerKey: groups.join('').match(/.{8}/g)!.join('-') }, 'OfflineSeed.InvalidBitLockerKey', 2],
      ['a BitLocker key with full-width digits', { bitLockerKey: KEY.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d))) }, 'OfflineSeed.InvalidBitLockerKey', 2],
      ['a BitLocker key with a trailing newline', { bitLockerKey: `${KEY}\n` }, 'OfflineSeed.InvalidBitLockerKey', 2],
      ['a BitLocker key with an empty group', { bitLockerKey: [...groups.slice(0, 7), ''].join('-') }, 'OfflineSeed.InvalidBitLockerKey', 2],
      ['an empty BitLocker key', { bitLockerKey: '' }, 'OfflineSeed.InvalidBitLockerKey', 2],
      ['a journal path through a file', () => ({ journalPath: join(prepared, 'offlineseed.json', 'j.jrn') }), 'OfflineSeed.InvalidJournalPath', 2],
      ['a journal path that is a folder', () => ({ journalPath: home }), 'OfflineSeed.InvalidJournalPath', 2],
      ['a key export path through a file', () => ({ includeBitLockerKeyPath: join(prepared, 'offlineseed.json', 'key.txt') }), 'OfflineSeed.InvalidKeyPath', 2],
      ['a key export path with a 300-character name', () => ({ includeBitLockerKeyPath: join(work, 'k'.repeat(300)) }), 'OfflineSeed.InvalidKeyPath', 2],
    ],
  },
  'drive.verify': {
    base: () => ({ driveRoot: drive, driveId: 'NAMES-1', stagingPath: prepared }),
    cases: [
      ['a drive id ../evil', { driveId: '../evil' }, 'OfflineSeed.InvalidDriveId', 2],
      ['a drive id ..', { driveId: '..' }, 'OfflineSeed.InvalidDriveId', 2],
    ],
  },
  'job.create': {
    base: () => ({ stagingPath: prepared, location: 'West US', subscriptionId: SUBSCRIPTION, resourceGroup: 'names-rg', returnAddress: RETURN_ADDRESS, returnShipping: RETURN_SHIPPING, ...azureAccess }),
    cases: [
      ['a job name ../evil', { jobName: '../evil' }, 'OfflineSeed.InvalidRequest', 2],
      ['another seed\'s job name', { jobName: 'other-job' }, 'OfflineSeed.JobNameMismatch', 2],
      ['a subscription ../x', { subscriptionId: '../x' }, 'OfflineSeed.InvalidSubscriptionId', 2],
      ['a resource group ..', { resourceGroup: '..' }, 'OfflineSeed.InvalidResourceGroupName', 2],
      ['a location ..', { location: '..' }, 'OfflineSeed.InvalidRequest', 2],
      ['a location ../../subscriptions', { location: '../../subscriptions' }, 'OfflineSeed.InvalidRequest', 2],
      ['a diagnostics path ../evil', { diagnosticsPath: '../evil' }, 'OfflineSeed.InvalidDiagnosticsPath', 2],
      ['a seedUri with a prefix ./x', { stagingPath: undefined, seedUri: 'azure://acct01/seed-1/./x' }, 'OfflineSeed.InvalidBlobPrefix', 2],
      ['a storage account id with ..', { storageAccountId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/names-rg/providers/Microsoft.Storage/storageAccounts/../../evil` }, 'OfflineSeed.InvalidStorageAccountId', 2],
    ],
  },
  'job.ship': {
    base: () => ({ stagingPath: jobbed, carrierName: 'DHL', trackingNumber: 'TRK-NAMES-1', subscriptionId: SUBSCRIPTION, resourceGroup: 'names-rg', ...azureAccess }),
    cases: [
      ['a resource group ..', { resourceGroup: '..' }, 'OfflineSeed.ResourceGroupMismatch', 2],
      ['a job name ../evil', { jobName: '../evil' }, 'OfflineSeed.InvalidRequest', 2],
      ['a seed without a job', () => ({ stagingPath: prepared }), 'OfflineSeed.JobNotCreated', 1],
      ['a ship date 2026-13-45', { shipDate: '2026-13-45' }, 'OfflineSeed.InvalidShipDate', 2],
      ['a blank tracking number', { trackingNumber: '  ' }, 'OfflineSeed.InvalidRequest', 2],
      ['a staging path and a seedUri', { seedUri: 'azure://acct01/seed-1/p' }, 'OfflineSeed.SeedLocationAmbiguous', 2],
      ['a seedUri whose account is another host', { stagingPath: undefined, seedUri: 'azure://evil.example?/seed-1/p' }, 'OfflineSeed.InvalidSeedUri', 2],
    ],
  },
  'job.status': {
    base: () => ({ stagingPath: prepared, subscriptionId: SUBSCRIPTION, resourceGroup: 'names-rg', ...azureAccess }),
    cases: [
      ['a subscription ../x', { subscriptionId: '../x' }, 'OfflineSeed.InvalidSubscriptionId', 2],
      ['no seed and a job name ../x', { stagingPath: undefined, jobName: '../x' }, 'OfflineSeed.InvalidRequest', 2],
      ['a seedUri with another scheme', { stagingPath: undefined, seedUri: 'https://acct01.blob.core.windows.net/seed-1/p' }, 'OfflineSeed.InvalidSeedUri', 2],
      ['a seedUri whose prefix climbs out', { stagingPath: undefined, seedUri: 'azure://acct01/seed-1/a/../../evil' }, 'OfflineSeed.InvalidBlobPrefix', 2],
      ['a seedUri with a container ..', { stagingPath: undefined, seedUri: 'azure://acct01/../evil' }, 'OfflineSeed.InvalidContainerName', 2],
    ],
  },
  'job.cancel': {
    base: () => ({ stagingPath: prepared, subscriptionId: SUBSCRIPTION, resourceGroup: 'names-rg', ...azureAccess }),
    cases: [['a resource group ending with a period', { resourceGroup: 'rg.' }, 'OfflineSeed.InvalidResourceGroupName', 2]],
  },
  'job.remove': {
    base: () => ({ stagingPath: prepared, subscriptionId: SUBSCRIPTION, resourceGroup: 'names-rg', ...azureAccess }),
    cases: [['a subscription with a slash', { subscriptionId: `${SUBSCRIPTION}/../x` }, 'OfflineSeed.InvalidSubscriptionId', 2]],
  },
  'job.keys': {
    base: () => ({ stagingPath: prepared, subscriptionId: SUBSCRIPTION, resourceGroup: 'names-rg', ...azureAccess }),
    cases: [['a resource group with a slash', { resourceGroup: 'rg/../other' }, 'OfflineSeed.InvalidResourceGroupName', 2]],
  },
  'seed.complete': {
    base: () => ({ stagingPath: prepared, force: true, password: RESTIC_PASSWORD, ...azureAccess }),
    cases: [
      ['a diagnostics container ../evil', { diagnosticsContainer: '../evil' }, 'OfflineSeed.InvalidContainerName', 2],
      ['a diagnostics container ..', { diagnosticsContainer: '..' }, 'OfflineSeed.InvalidContainerName', 2],
      ['a seedUri with capitals in the account', { stagingPath: undefined, seedUri: 'azure://Acct01/seed-1/p' }, 'OfflineSeed.InvalidStorageAccountName', 2],
    ],
  },
  'seed.publish': {
    base: () => ({ stagingPath: prepared, password: RESTIC_PASSWORD, ...azureAccess }),
    cases: [
      ['a staging path that is a file', () => ({ stagingPath: join(prepared, 'offlineseed.json'), password: RESTIC_PASSWORD }), 'OfflineSeed.SeedNotFound', 1],
      ['a seed without prepared drives', () => ({ stagingPath: seed.staging, password: RESTIC_PASSWORD, ...azureAccess }), 'OfflineSeed.DrivesNotPrepared', 1],
      ['a wrong password (keys are never sealed with it)', { password: 'not the password' }, 'OfflineSeed.WrongPassword', 1],
    ],
  },
  'repo.check': {
    base: () => ({ repository: 'azure://acct01/seed-1/backups/fs01', password: RESTIC_PASSWORD, ...azureAccess }),
    cases: [
      ['an account that is another host', { repository: 'azure://evil.example?/seed-1/p' }, 'OfflineSeed.InvalidStorageAccountName', 2],
      ['an account with a port', { repository: 'azure://acct01:443/seed-1/p' }, 'OfflineSeed.InvalidStorageAccountName', 2],
      ['a prefix with ..', { repository: 'azure://acct01/seed-1/a/../../evil' }, 'OfflineSeed.InvalidBlobPrefix', 2],
    ],
  },
  'snapshot.list': {
    base: () => ({ repository: 'azure://acct01/seed-1/backups/fs01', password: RESTIC_PASSWORD, ...azureAccess }),
    cases: [
      ['a container ..', { repository: 'azure://acct01/../evil' }, 'OfflineSeed.InvalidContainerName', 2],
      ['an unsupported scheme', { repository: 'https://acct01.blob.core.windows.net/seed-1' }, 'OfflineSeed.InvalidRepository', 2],
    ],
  },
  'restore.run': {
    base: () => ({ repository: seed.staging, target: join(work, 'restore-target'), password: RESTIC_PASSWORD }),
    cases: [
      ['a container with capitals', { repository: 'azure://acct01/Seed/p', ...azureAccess }, 'OfflineSeed.InvalidContainerName', 2],
      ['a prefix ./x', { repository: 'azure://acct01/seed-1/./x', ...azureAccess }, 'OfflineSeed.InvalidBlobPrefix', 2],
    ],
  },
  'backup.schedule': {
    base: () => ({ taskName: 'names-task', repository: 'azure://acct01/seed-1/backups/fs01', stagingPath: prepared, platform: 'systemd', unitDirectory: join(work, 'units'), keyFile: join(work, 'keys', 'names.key') }),
    cases: [
      ['a task name ../evil', { taskName: '../evil' }, 'OfflineSeed.InvalidRequest', 2],
      ['a task name ..', { taskName: '..' }, 'OfflineSeed.InvalidRequest', 2],
      ['a credential profile ../x', { credentialProfile: '../x' }, 'OfflineSeed.InvalidRequest', 2],
    ],
  },
  'backup.unschedule': {
    base: () => ({ taskName: 'names-task', platform: 'systemd', unitDirectory: join(work, 'units'), keyFile: join(work, 'keys', 'names.key') }),
    cases: [
      ['a task name ../evil', { taskName: '../evil' }, 'OfflineSeed.InvalidRequest', 2],
      // fs.rm reports a folder with its own SystemError code (ERR_FS_EISDIR), not errno EISDIR.
      ['a key file that is a folder', () => ({ keyFile: home }), 'OfflineSeed.PathIsFolder', 2],
    ],
  },
  'credential.new': {
    base: () => ({ name: 'names-credential', tenantId: SUBSCRIPTION, applicationId: SUBSCRIPTION, register: false, certificateOutputPath: join(work, 'certs', 'names.pem'), profilePath: join(work, 'profiles', 'names.json') }),
    cases: [
      ['a profile name ../evil', { name: '../evil' }, 'OfflineSeed.InvalidRequest', 2],
      ['a profile name with a slash', { name: 'a/b' }, 'OfflineSeed.InvalidRequest', 2],
    ],
  },
  'profile.set': {
    base: () => ({ profilePath: join(work, 'profiles', 'names.json'), returnAddress: RETURN_ADDRESS }),
    cases: [['a credential profile to remove named ../x', { removeCredentialProfile: '../x' }, 'OfflineSeed.InvalidRequest', 2]],
  },
  'profile.get': 'reads a profile; its one path parameter gets the path cases',
  'preflight.run': 'reports a bad name as a Fail check with its fix instead of refusing it (test/preflight)',
  'backup.run': {
    base: () => ({ repository: 'azure://acct01/seed-1/backups/fs01', sources: [seed.source], password: RESTIC_PASSWORD, ...azureAccess }),
    cases: [
      ['a prefix that climbs into another container', { repository: 'azure://acct01/seed-1/x/../../victim' }, 'OfflineSeed.InvalidBlobPrefix', 2],
      ['an account of capitals', { repository: 'azure://ACCT01/seed-1/p' }, 'OfflineSeed.InvalidStorageAccountName', 2],
    ],
  },
};

let copies = 0;
function copyOf(name: string): string {
  const staging = join(work, `${name}-${copies++}-staging`);
  cpSync(seed.staging, staging, { recursive: true });
  return staging;
}

/**
 * Paths the file system refuses, in every path parameter the engine describes (rotating): one through a
 * regular file (ENOTDIR), one with a 300-character name (ENAMETOOLONG), a folder where a file is
 * expected (EISDIR). Any stable errorId, exit 1 or 2: never an internal error, never a write.
 */
function pathCases(commands: readonly DescribedCommand[]): { command: string; c: NameCase }[] {
  const variants: [string, () => string][] = [
    ['a path through a file', () => join(prepared, 'offlineseed.json', 'x')],
    ['a path with a 300-character name', () => join(work, 'y'.repeat(300), 'x')],
    ['a folder where a file may be expected', () => home],
  ];
  // A folder is a fine value for a parameter that names a folder: those get the first two only.
  const folderLike = /(Root|Directory|^stagingPath$|^target$|^sources?$|^repository$)$/;
  let n = 0;
  // Files read through one shared helper (credentials, publish settings, password, profile): once.
  const shared = new Set(['clientCertificatePath', 'publishSettingsFile', 'passwordFile', 'profilePath']);
  const done = new Set<string>();
  return commands.flatMap((described) => {
    const entry = table[described.command];
    if (entry === undefined || typeof entry === 'string') return [];
    const local = typeof entry.base().repository === 'string' && !String(entry.base().repository).startsWith('azure://');
    // A service principal's certificate is not read for a local repository.
    const used = (name: string): boolean => {
      if (!PATH_LIKE.test(name) || (local && name === 'clientCertificatePath') || done.has(name)) return false;
      if (shared.has(name)) done.add(name);
      return true;
    };
    return Object.entries(described.params.properties ?? {}).filter(([name]) => used(name)).map(([name, schema]) => {
      const choices = folderLike.test(name) ? variants.slice(0, 2) : variants;
      const [what, value] = choices[n++ % choices.length]!;
      return {
        command: described.command,
        c: {
          what: `${name}: ${what}`, errorId: '', exitCode: -1,
          params: (): Params => ({ ...entry.base(), [name]: schema.type === 'array' ? [value()] : value() }),
        },
      };
    });
  });
}

function expand(): { command: string; c: NameCase }[] {
  return Object.entries(table).flatMap(([command, entry]) => typeof entry === 'string' ? [] : entry.cases.map(([what, change, errorId, exitCode]) => ({
    command,
    c: {
      what, errorId, exitCode,
      params: (): Params => {
        const params: Params = { ...entry.base(), ...(typeof change === 'function' ? change() : change) };
        if (params.source === '') params.source = seed.source;
        for (const k of Object.keys(params)) if (params[k] === undefined) delete params[k];
        return params;
      },
    },
  })));
}

const failures: string[] = [];
let writes: string[] = [];
let described: string[] = [];

test.before(async () => {
  mkdirSync(home);
  mkdirSync(tmp);
  seed = await stageSeed(work, 'names', [300_000]);
  prepared = copyOf('prepared');
  drive = join(work, 'drive');
  emptyDrive = join(work, 'empty-drive');
  mkdirSync(drive);
  mkdirSync(emptyDrive);
  resultOf(await runEngine('drive.prepare', { stagingPath: prepared, driveRoot: drive, driveId: 'NAMES-1', capacityBytes: 100 * MiB, bitLockerKey: KEY }));
  jobbed = copyOf('jobbed');
  const descriptorFile = join(jobbed, 'offlineseed.json');
  const descriptor = JSON.parse(readFileSync(descriptorFile, 'utf8')) as Params;
  writeFileSync(descriptorFile, JSON.stringify({
    ...descriptor, state: 'JobCreated', subscriptionId: SUBSCRIPTION, resourceGroup: 'names-rg',
    job: {
      name: descriptor.jobName, subscriptionId: SUBSCRIPTION, resourceGroup: 'names-rg', location: 'West US', shipToLocation: 'westus',
      storageAccountId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/names-rg/providers/Microsoft.Storage/storageAccounts/acct01`, diagnosticsPath: 'waimportexport',
      logLevel: 'Verbose', backupDriveManifest: false, driveIds: ['NAMES-1'], createdAt: new Date().toISOString(), recordedAt: new Date().toISOString(),
    },
  }, null, 2));
  const commands = await describedCommands();
  described = commands.map((c) => c.command);
  const cases = [...expand(), ...pathCases(commands)].map(({ command, c }) => ({ command, c, params: c.params() }));
  const before = snapshot([work]);
  const started = Date.now();
  await pool(cases, CONCURRENCY, async ({ command, c, params }) => {
    const run = await runRaw(request(command, params), { env: { ...OFFLINE_ENV, ...env }, command, timeoutMs: 60_000 });
    const problems = c.exitCode === -1
      ? refusalProblems(run, { exitCode: [1, 2], errorId: /^OfflineSeed\.[A-Za-z]+$/ })
      : refusalProblems(run, { exitCode: c.exitCode, errorId: c.errorId });
    for (const secret of [RESTIC_PASSWORD, KEY, String(params.bitLockerKey ?? KEY), azureAccess.storageAccountKey]) {
      if (secret.length >= 8 && run.stdout.includes(secret)) problems.push('a secret was printed');
    }
    if (problems.length > 0) failures.push(`${command}: ${c.what}: ${problems.join('; ')}`);
  });
  writes = snapshotChanges(before, snapshot([work]));
  console.log(`${cases.length} bad names and paths in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

test('every command the engine describes is in the table (with cases, or the reason it has none)', () => {
  assert.equal(described.filter((c) => table[c] === undefined), [], 'commands without bad-name coverage');
  assert.equal(Object.keys(table).filter((c) => !described.includes(c)), [], 'table entries for commands that do not exist');
});

test('every bad name is refused with its errorId and exit code, one error, no stack trace, no secret', () => {
  assert.equal(failures, []);
});

test('nothing was written: no staging, drive, journal, lock, temp or profile file', () => {
  assert.equal(writes, []);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
