/**
 * The pure parts of the job commands: the two-week windows, ship dates, the ARM error translation,
 * drive-set limits, the return-details checks and profile location, log URIs and DriveLog parsing
 * (against the DriveLog writer of the simulated datacenter).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { categoryForStatus, translateArmError } from '../../engine/importjob/armClient.ts';
import { parseErrorLog, splitLogUri } from '../../engine/importjob/driveLogs.ts';
import { checkDriveSet, parseDriveInfo } from '../../engine/importjob/driveRecords.ts';
import { defaultProfilePath, missingFields, RETURN_ADDRESS_REQUIRED } from '../../engine/importjob/profile.ts';
import { DAY_MS, evaluateWindow, parseShipDate } from '../../engine/importjob/shippingWindow.ts';
import { OfflineSeedError } from '../../engine/protocol/errors.ts';
import { diagnosticsLocation } from '../../engine/seed/serviceLogs.ts';
import { driveInfoXml } from '../../engine/drive/driveInfo.ts';
import { writeDriveLog, type DriveResult } from '../world/driveLog.ts';

const T0 = Date.UTC(2026, 4, 1, 9, 30);
const midnight = (ms: number): number => Date.UTC(new Date(ms).getUTCFullYear(), new Date(ms).getUTCMonth(), new Date(ms).getUTCDate());
const verdicts = (w: ReturnType<typeof evaluateWindow>): string[] => w.warnings.map((x) => `${x.rule} ${x.verdict}`);

test('windows: shipped the day after creation is fine', () => {
  const w = evaluateWindow({ jobCreatedAt: T0, recordedAt: T0 + DAY_MS, shipDate: midnight(T0 + DAY_MS) });
  assert.is(w.window, 'Ok');
  assert.equal(w.warnings, []);
  assert.is(w.shippingInfoDeadline, new Date(T0 + 14 * DAY_MS).toISOString());
  assert.is(w.arrivalDeadline, new Date(T0 + 15 * DAY_MS).toISOString());
});

test('windows: the creation rule, close and past', () => {
  assert.equal(verdicts(evaluateWindow({ jobCreatedAt: T0, recordedAt: T0 + 12 * DAY_MS, shipDate: midnight(T0 + 12 * DAY_MS) })), ['CreationWindow Close']);
  assert.equal(verdicts(evaluateWindow({ jobCreatedAt: T0, recordedAt: T0 + 10 * DAY_MS, shipDate: midnight(T0 + 10 * DAY_MS) })), []);
  assert.equal(verdicts(evaluateWindow({ jobCreatedAt: T0, recordedAt: T0 + 15 * DAY_MS, shipDate: midnight(T0 + 15 * DAY_MS) })), ['CreationWindow Past']);
  const late = evaluateWindow({ jobCreatedAt: T0, recordedAt: T0 + 6 * DAY_MS, shipDate: midnight(T0 + 16 * DAY_MS) });
  assert.equal(verdicts(late), ['CreationWindow Past']);
  assert.is(late.window, 'Past');
  assert.match(late.warnings[0]!.message, /reference §4\.4 and §6\.16: carrier and tracking number within 14 days of job creation/);
});

test('windows: the arrival rule, close and past; a ship date in the past is fine', () => {
  const close = evaluateWindow({ jobCreatedAt: T0, recordedAt: T0, shipDate: midnight(T0 + 13 * DAY_MS) });
  assert.ok(verdicts(close).includes('ArrivalWindow Close'));
  const past = evaluateWindow({ jobCreatedAt: T0, recordedAt: T0, shipDate: midnight(T0 + 15 * DAY_MS) });
  assert.ok(verdicts(past).includes('ArrivalWindow Past'));
  assert.match(past.warnings.find((x) => x.rule === 'ArrivalWindow')!.message, /reference §4\.4 and §6\.16: the drives must reach the datacenter within 14 days after the shipping information is recorded/);
  assert.equal(verdicts(evaluateWindow({ jobCreatedAt: T0, recordedAt: T0 + 5 * DAY_MS, shipDate: midnight(T0 + 1 * DAY_MS) })), []);
});

test('ship dates: YYYY-MM-DD (or an ISO timestamp) at 00:00 UTC; impossible dates refused', () => {
  assert.is(parseShipDate('2026-05-01'), Date.UTC(2026, 4, 1));
  assert.is(parseShipDate('2026-05-01T17:00:00Z'), Date.UTC(2026, 4, 1));
  assert.is(parseShipDate('2026-02-30'), undefined);
  assert.is(parseShipDate('05/01/2026'), undefined);
});

test('ARM errors keep the service code and message; the category follows the status', () => {
  const rest = Object.assign(new Error('x'), { name: 'RestError', statusCode: 409, code: 'TrackingNumberInUse', details: { error: { code: 'TrackingNumberInUse', message: 'The tracking number is taken.', target: 'properties.deliveryPackage.trackingNumber' } } });
  const e = translateArmError(rest, 'record the shipment', 'job1');
  assert.ok(e instanceof OfflineSeedError);
  assert.is(e.errorId, 'OfflineSeed.ImportExportTrackingNumberInUse');
  assert.is(e.category, 'InvalidOperation');
  assert.is(e.message, 'record the shipment: Azure Import/Export answered 409 TrackingNumberInUse: The tracking number is taken.');
  assert.is(e.targetObject, 'job1 (properties.deliveryPackage.trackingNumber)');
  assert.match(String(e.recommendedAction), /own package and tracking number/);
  const multi = translateArmError(Object.assign(new Error('x'), { name: 'RestError', statusCode: 400, details: { error: { code: 'MissingRequiredField', message: 'first', details: [{ code: 'A', target: 'a', message: 'first' }, { code: 'B', target: 'b', message: 'second' }] } } }), 'create', 'job1');
  assert.is(multi.message, 'create: Azure Import/Export answered 400 MissingRequiredField: first (b: second)');
  const identity = translateArmError(Object.assign(new Error('ClientSecretCredential authentication failed: AADSTS7000215'), { name: 'AuthenticationError' }), 'read job', 'job1');
  assert.is(identity.errorId, 'OfflineSeed.AzureAuthenticationFailed');
  assert.is(identity.category, 'AuthenticationError');
  const network = translateArmError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { name: 'RestError', code: 'REQUEST_SEND_ERROR' }), 'read job', 'job1');
  assert.is(network.errorId, 'OfflineSeed.ImportExportUnavailable');
  assert.is(network.category, 'ConnectionError');
  const table: [number, string][] = [[400, 'InvalidArgument'], [401, 'AuthenticationError'], [403, 'PermissionDenied'], [404, 'ObjectNotFound'], [409, 'InvalidOperation'], [429, 'ResourceBusy'], [503, 'ResourceUnavailable']];
  for (const [status, category] of table) assert.is(categoryForStatus(status), category);
  assert.throws(() => translateArmError(new TypeError('a bug'), 'x', 'y'), /a bug/, 'a bug stays a bug');
});

test('drive sets: at most ten, no id twice (case-insensitive)', () => {
  checkDriveSet(Array.from({ length: 10 }, (_, i) => ({ driveId: `D${i}` })), 's');
  assert.throws(() => checkDriveSet(Array.from({ length: 11 }, (_, i) => ({ driveId: `D${i}` })), 's'), /at most 10/);
  assert.throws(() => checkDriveSet([{ driveId: 'abc1' }, { driveId: 'ABC1' }], 's'), /appears twice/);
});

test('DriveInfo: the key file reference, or a key given in clear text', () => {
  const withFile = parseDriveInfo(driveInfoXml({ driveId: 'D1', manifestFile: '\\DriveManifest.xml', manifestHash: 'AB'.repeat(16), bitLockerKeyFile: '/s/drives/D1_BitLockerKey.txt' }), 'x');
  assert.equal(withFile, { driveId: 'D1', manifestFile: '\\DriveManifest.xml', manifestHash: 'AB'.repeat(16), keyFile: '/s/drives/D1_BitLockerKey.txt' });
  const inline = parseDriveInfo(driveInfoXml({ driveId: 'D1', manifestFile: '\\DriveManifest.xml', manifestHash: 'AB'.repeat(16) }, '000000-000011-000022-000033-000044-000055-000066-000077'), 'x');
  assert.is(inline.key, '000000-000011-000022-000033-000044-000055-000066-000077');
  assert.throws(() => parseDriveInfo('<Drive><DriveId>D1</DriveId></Drive>', 'x'), /DriveInfoCorrupt|damaged/);
});

test('return details: the seven fields the service requires; the profile location per platform', () => {
  assert.equal(missingFields({ recipientName: 'a', streetAddress1: 'b', city: 'c', postalCode: 'd', countryOrRegion: 'e', phone: ' ' }, RETURN_ADDRESS_REQUIRED), ['phone', 'email']);
  assert.is(defaultProfilePath({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32').replace(/\//g, '\\'), 'C:\\Users\\a\\AppData\\Roaming\\OfflineSeed\\profile.json');
  assert.is(defaultProfilePath({ XDG_CONFIG_HOME: '/home/a/.cfg' }, 'linux'), '/home/a/.cfg/offlineseed/profile.json');
  assert.match(defaultProfilePath({}, 'linux'), /\/\.config\/offlineseed\/profile\.json$/);
});

test('log URIs: path-style (emulator) and host-style (Azure) addresses of the account', () => {
  assert.equal(splitLogUri('https://127.0.0.1:10000/seedstore/waimportexport/waies/j_D1_20260501-093000-000_error.xml', 'https://127.0.0.1:10000/seedstore'), { container: 'waimportexport', blob: 'waies/j_D1_20260501-093000-000_error.xml' });
  assert.equal(splitLogUri('https://acct.blob.core.windows.net/diag/logs%20a/waies/x_error.xml', 'https://acct.blob.core.windows.net'), { container: 'diag', blob: 'logs a/waies/x_error.xml' });
  assert.is(splitLogUri('https://acct.blob.core.windows.net/', 'https://acct.blob.core.windows.net'), undefined);
});

test('DriveLog error logs: failed blobs with the block that failed, warnings, drive failures', () => {
  const result: DriveResult = {
    driveId: 'D1',
    status: 'CompletedWithErrors',
    blobs: [
      { status: 'Completed', blobPath: 'c/ok', filePath: '\\s\\ok', length: 10, kind: 'BlockBlob', disposition: { value: 'overwrite', status: 'Created' }, chunks: [{ offset: 0, length: 10, hash: 'A', status: 'Completed' }], bytesSucceeded: 10 },
      { status: 'CompletedWithErrors', blobPath: 'c/bad', filePath: '\\s\\bad', length: 20, kind: 'BlockBlob', disposition: { value: 'overwrite', status: 'Cancelled' }, chunks: [{ offset: 0, length: 10, hash: 'A', status: 'Uncommitted' }, { offset: 10, length: 10, hash: 'B', status: 'Corrupted' }], bytesSucceeded: 0 },
      { status: 'Completed', blobPath: 'c/renamed (2)', filePath: '\\s\\r', length: 5, kind: 'BlockBlob', disposition: { value: 'rename', status: 'Renamed' }, chunks: [{ offset: 0, length: 5, hash: 'C', status: 'Completed' }], bytesSucceeded: 5 },
      { status: 'FileNotFound', blobPath: 'c/gone', filePath: '\\s\\gone', length: 5, kind: 'PageBlob', disposition: { value: 'overwrite', status: 'Cancelled' }, chunks: [{ offset: 0, length: 512, hash: 'D', status: 'Cancelled' }], bytesSucceeded: 0 },
    ],
  };
  const report = parseErrorLog(writeDriveLog(result, true), 'D1', 'waimportexport/waies/x_error.xml');
  assert.is(report.driveStatus, 'CompletedWithErrors');
  assert.equal(report.blobs.map((b) => [b.blobPath, b.status, b.severity, b.detail ?? '']), [
    ['c/bad', 'CompletedWithErrors', 'Error', 'Block at offset 10 (10 bytes): Corrupted'],
    ['c/renamed (2)', 'Completed', 'Warning', 'the blob existed already; imported under a new name'],
    ['c/gone', 'FileNotFound', 'Error', ''],
  ]);
  const locked = parseErrorLog(writeDriveLog({ driveId: 'D2', status: 'BitLockerKeyInvalid', blobs: [] }, true), 'D2', 'l');
  assert.equal(locked, { driveId: 'D2', driveStatus: 'BitLockerKeyInvalid', blobs: [] });
  const odd = parseErrorLog('<DriveLog><Blob Status="IOFailed"><BlobPath>c/x</BlobPath></Blob><Status>CompletedWithErrors</Status>', 'D3', 'l');
  assert.equal(odd.blobs.map((b) => [b.blobPath, b.status]), [['c/x', 'IOFailed']], 'a truncated log still names its blobs');
});

test('a diagnostics path "container/folder" puts the waies/ logs under the folder, as the service writes them', () => {
  assert.equal(diagnosticsLocation('waimportexport'), { container: 'waimportexport', folder: '' });
  assert.equal(diagnosticsLocation('/logs/fs01/seed/'), { container: 'logs', folder: 'fs01/seed/' });
});

test.run();
