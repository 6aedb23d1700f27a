/**
 * The local preflight checks: the rules as pure functions fed with facts (the Windows facts the
 * PowerShell module reads included), and the built engine against real folders: an unreachable and
 * an unwritable staging location, too little free space, a system disk, a bad container name, an
 * incomplete return address, all offline, each failure named with its fix.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runEngine } from '../helpers/engine.ts';
import { judgeDataBoxRegion } from '../../engine/preflight/azureChecks.ts';
import { summaryLine } from '../../engine/preflight/check.ts';
import { bitLockerAvailable, driveChecks, MAX_DRIVE_BYTES, stagingFreeSpace, stagingReachable, type ComputerFacts } from '../../engine/preflight/localChecks.ts';
import { mountOf, parseMountInfo } from '../../engine/preflight/localFacts.ts';
import { isAllowed, missingOperations } from '../../engine/preflight/permissions.ts';

const work = mkdtempSync('/var/tmp/offlineseed-preflight-');
chmodSync(work, 0o755);
const windows: ComputerFacts = { platform: 'win32', isVirtualMachine: false, bitLockerAvailable: true };

type Row = Record<string, unknown>;
function byCheck(results: Row[], check: string, target?: string): Row {
  const found = results.find((r) => r.check === check && (target === undefined || r.target === target));
  assert.ok(found, `no ${check} result in ${JSON.stringify(results.map((r) => r.check))}`);
  return found!;
}

test('Windows drive facts: a healthy 8 TB NTFS SATA disk passes every drive check', () => {
  const results = driveChecks({ path: 'E:\\', sizeBytes: 8e12, fileSystem: 'NTFS', isSystemDisk: false, isVirtualDisk: false, busType: 'SATA', source: 'given' }, windows, false);
  assert.equal(results.map((r) => [r.check, r.status]), [['DriveSize', 'Pass'], ['DriveFileSystem', 'Pass'], ['DriveNotSystemDisk', 'Pass'], ['DriveNotVirtual', 'Pass']]);
  assert.is(bitLockerAvailable(windows).status, 'Pass');
});

test('Windows drive facts: too large, exFAT, the boot disk, a VHD of a virtual machine, USB: each fails or warns with a fix', () => {
  const results = driveChecks({ path: 'F:\\', sizeBytes: MAX_DRIVE_BYTES * 1.1, fileSystem: 'exFAT', isSystemDisk: true, isVirtualDisk: true, busType: 'USB', source: 'given' }, { ...windows, isVirtualMachine: true }, undefined);
  const status = Object.fromEntries(results.map((r) => [r.check, r.status]));
  assert.equal(status, { DriveSize: 'Fail', DriveFileSystem: 'Fail', DriveNotSystemDisk: 'Fail', DriveNotVirtual: 'Fail', DriveBus: 'Warn' });
  for (const r of results) assert.ok(r.fix !== undefined && r.fix.length > 10, `${r.check} has a fix`);
  assert.match(results.find((r) => r.check === 'DriveNotVirtual')!.reason, /virtual machine/);
  assert.match(results.find((r) => r.check === 'DriveSize')!.reason, /10 TB/);
  assert.is(bitLockerAvailable({ ...windows, bitLockerAvailable: false }).status, 'Fail');
  assert.match(bitLockerAvailable({ ...windows, bitLockerAvailable: false }).fix!, /Install-WindowsFeature BitLocker/);
  assert.is(bitLockerAvailable({ platform: 'linux' }).status, 'Warn', 'not available on Linux is a Warn with the reason, not a Fail');
});

test('unknown facts are warnings that say so, never a silent pass', () => {
  const results = driveChecks({ path: 'G:\\', source: 'probed' }, { platform: 'win32', isVirtualMachine: true }, undefined);
  assert.ok(results.every((r) => r.status === 'Warn'), JSON.stringify(results));
});

test('staging: a UNC path off Windows, free space against the estimate', () => {
  assert.is(stagingReachable({ path: '\\\\srv\\share\\seed', platform: 'linux', exists: 'missing' }).status, 'Fail');
  assert.match(stagingReachable({ path: '\\\\srv\\share\\seed', platform: 'linux', exists: 'missing' }).fix!, /mount -t cifs/);
  const facts = { path: 'S:\\seed', platform: 'win32' as const, exists: 'directory' as const, writable: true, freeBytes: 100e9 };
  assert.is(stagingFreeSpace(facts, { bytes: 200e9, source: 'given' }).status, 'Fail');
  assert.is(stagingFreeSpace(facts, { bytes: 50e9, source: 'scanned', files: 3 }).status, 'Pass');
  assert.is(stagingFreeSpace(facts, { bytes: 95e9, source: 'given' }).status, 'Warn', 'under 10% to spare');
  assert.is(stagingFreeSpace(facts, { bytes: 50e9, source: 'partial', files: 3 }).status, 'Warn', 'a partial scan is a lower bound');
});

test('mountinfo: the longest mount point holding the path, with escaped spaces', () => {
  const mounts = parseMountInfo('22 1 8:1 / / rw - ext4 /dev/sda1 rw\n40 22 8:17 / /mnt/my\\040drive rw - ntfs3 /dev/sdb1 rw\n');
  assert.is(mountOf(mounts, '/mnt/my drive/seed')?.fileSystem, 'ntfs3');
  assert.is(mountOf(mounts, '/mnt/other')?.fileSystem, 'ext4');
});

test('permissions: wildcards grant, notActions subtract within their role only', () => {
  const contributor = { actions: ['*'], notActions: ['Microsoft.Authorization/*/Write'] };
  assert.ok(isAllowed([contributor], 'Microsoft.ImportExport/jobs/write'));
  assert.not.ok(isAllowed([contributor], 'Microsoft.Authorization/roleAssignments/write'));
  const reader = { actions: ['*/read'] };
  assert.equal(missingOperations([reader], ['Microsoft.ImportExport/jobs/read', 'Microsoft.ImportExport/jobs/write']), ['Microsoft.ImportExport/jobs/write']);
  const narrow = { actions: ['Microsoft.ImportExport/*'], notActions: ['Microsoft.ImportExport/jobs/delete'] };
  assert.ok(isAllowed([narrow, { actions: ['Microsoft.ImportExport/jobs/delete'] }], 'Microsoft.ImportExport/jobs/delete'), 'another role grants what one excludes');
  assert.ok(isAllowed([{ dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*'] }], 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write', 'dataAction'));
});

test('Data Box region: offered passes, not offered fails with its fix, unknown (no country, no answer) is a warning', () => {
  const answer = (enabled: boolean) => ({ status: 200, body: { value: [{ sku: { name: 'DataBoxDisk' }, enabled: true }, { sku: { name: 'DataBoxCustomerDisk' }, enabled }] } });
  assert.is(judgeDataBoxRegion('acct', 'westus', answer(true)).status, 'Pass');
  const no = judgeDataBoxRegion('acct', 'japaneast', answer(false));
  assert.equal([no.status, no.check], ['Fail', 'StorageAccountRegion']);
  assert.match(no.fix!, /region that offers Data Box customer disks/);
  assert.is(judgeDataBoxRegion('acct', 'westus', { status: 200, body: { value: [{ sku: { name: 'DataBoxDisk' }, enabled: true }] } }).status, 'Fail', 'a region without the SKU');
  assert.is(judgeDataBoxRegion('acct', 'westus', undefined).status, 'Warn');
  assert.match(judgeDataBoxRegion('acct', 'westus', { status: 503, body: { error: { code: 'ServiceUnavailable', message: 'later' } } }).reason, /could not be read \(HTTP 503 ServiceUnavailable/);
});

test('the summary line names what failed', () => {
  const line = summaryLine([{ check: 'A', category: 'Azure', status: 'Pass', target: '', reason: '' }, { check: 'Rights', category: 'Azure', status: 'Fail', target: '', reason: '', fix: '' }]);
  assert.match(line, /NOT READY: 1 passed, 0 warning\(s\), 1 failed \(Rights\)/);
});

test('the engine, offline: no space, unwritable staging, system disk, bad container name, incomplete return address', async () => {
  const staging = join(work, 'staging');
  mkdirSync(staging);
  const locked = join(work, 'locked');
  mkdirSync(locked);
  chmodSync(locked, 0o755);
  const profilePath = join(work, 'profile.json');
  writeFileSync(profilePath, JSON.stringify({ format: 'offlineseed-profile', version: 1, returnAddress: { recipientName: 'Ops', streetAddress1: '1 Main St', city: 'Redmond', postalCode: '98052', countryOrRegion: 'US', phone: '' , email: 'ops@contoso.example' } }));
  const r = await runEngine('preflight.run', { stagingPath: staging, estimatedSeedBytes: 2 ** 52, drives: ['/'], container: 'Seed--Data', profilePath, offline: true });
  assert.is(r.exitCode, 0, JSON.stringify(r.errors));
  const results = r.results as Row[];
  assert.is(byCheck(results, 'StagingWritable').status, 'Pass');
  const space = byCheck(results, 'StagingFreeSpace');
  assert.is(space.status, 'Fail');
  assert.match(String(space.fix), /Free .* on the staging volume/);
  assert.is(byCheck(results, 'DriveNotSystemDisk', '/').status, 'Fail');
  assert.is(byCheck(results, 'DriveFileSystem', '/').status, 'Fail');
  const container = byCheck(results, 'ContainerName');
  assert.is(container.status, 'Fail');
  assert.match(String(container.fix), /lowercase letters/);
  const address = byCheck(results, 'ReturnAddress');
  assert.is(address.status, 'Fail');
  assert.match(String(address.reason), /phone missing/);
  assert.is(byCheck(results, 'ReturnCarrier').status, 'Fail');
  assert.is(byCheck(results, 'AzureChecks').status, 'Warn', '-Offline says what it skipped');
  const summary = r.events.find((e) => e.type === 'log' && (e as { level?: string }).level === 'information');
  assert.match(String((summary as { message?: string }).message), /^Preflight: NOT READY: .* failed \(.*StagingFreeSpace.*ContainerName/);

  // The same staging location, for an account that may not write there (the suite runs as root).
  const denied = await runEngine('preflight.run', { stagingPath: join(locked, 'seed'), profilePath, offline: true }, { uid: 65534, gid: 65534, cwd: '/' });
  assert.is(denied.exitCode, 0, JSON.stringify(denied.errors) + denied.stderr);
  const writable = byCheck(denied.results as Row[], 'StagingWritable');
  assert.is(writable.status, 'Fail');
  assert.match(String(writable.reason), /EACCES/);
  assert.match(String(writable.fix), /write access/);

  const missing = await runEngine('preflight.run', { stagingPath: join(work, 'no', 'such', 'place'), profilePath, offline: true });
  assert.is(byCheck(missing.results as Row[], 'StagingReachable').status, 'Fail');
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
