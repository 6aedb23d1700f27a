/**
 * The pure parts of the Data Box control plane: the shared state vocabulary for both services, the
 * control-plane choice (request, record, default), the CopyLog reader (against the service's documented
 * sample and against the simulated datacenter's writer), what Complete-OfflineSeed takes from the
 * CopyLog and VerboseLog (blobs to verify first), the DataBox error ids, and the region slug.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { translateArmError } from '../../engine/importjob/armClient.ts';
import { chosenControlPlane, recordedControlPlane } from '../../engine/importjob/controlPlane.ts';
import { parseCopyLog } from '../../engine/importjob/copyLogs.ts';
import { regionSlug } from '../../engine/importjob/dataBoxCreate.ts';
import { DATABOX_SERVICE } from '../../engine/importjob/dataBoxClient.ts';
import { dataBoxJobState, importExportJobState } from '../../engine/importjob/jobState.ts';
import type { RecordedJob } from '../../engine/importjob/target.ts';
import { OfflineSeedError } from '../../engine/protocol/errors.ts';
import { blobsToVerifyFirst, copiedFromVerboseLog, failuresFromCopyLog } from '../../engine/seed/serviceLogs.ts';
import { writeCopyLog, writeVerboseLog } from '../world/copyLog.ts';

test('one vocabulary: Import/Export states', () => {
  assert.is(importExportJobState('Creating', false, false, false), 'Created');
  assert.is(importExportJobState('Creating', true, false, false), 'Cancelled');
  assert.is(importExportJobState('Shipping', false, false, false), 'Shipping');
  assert.is(importExportJobState('Packaging', false, false, true), 'Packaging');
  assert.is(importExportJobState('Completed', false, true, true), 'Completed');
  assert.is(importExportJobState('Completed', true, false, false), 'Cancelled', 'a canceled job ends Completed in the REST reading');
  assert.is(importExportJobState('Closed', false, true, true), 'Completed', 'Closed with every drive Completed');
  assert.is(importExportJobState('Closed', false, false, true), 'CompletedWithErrors');
  assert.is(importExportJobState('Closed', false, false, false), 'Failed', 'no drive was copied at all');
  assert.is(importExportJobState('Faulted', false, false, false), 'Failed');
  assert.is(importExportJobState('Canceled', false, false, false), 'Cancelled');
  assert.is(importExportJobState('Whatever', false, false, false), 'Unknown');
});

test('one vocabulary: Data Box StageNames', () => {
  const map: Record<string, string> = {
    AwaitingShipmentDetails: 'Created', ShippedToAzureDC: 'Shipping', AtAzureDC: 'Received', DataCopy: 'Transferring', PreparingToShipFromAzureDC: 'Packaging',
    ShippedToCustomer: 'Packaging', Completed: 'Completed', CompletedWithWarnings: 'Completed', CompletedWithErrors: 'CompletedWithErrors',
    Failed_IssueDetectedAtAzureDC: 'Failed', Failed_IssueReportedAtCustomer: 'Failed', Cancelled: 'Cancelled', Aborted: 'Cancelled', SomethingNew: 'Unknown',
  };
  for (const [stage, shared] of Object.entries(map)) assert.is(dataBoxJobState(stage), shared, stage);
  assert.is(dataBoxJobState(undefined), 'Unknown');
});

test('control plane: the record decides, a contradicting request is refused, records without the field are ImportExport', () => {
  const recorded = (extra: Partial<RecordedJob>): RecordedJob => ({ name: 'j', subscriptionId: 's', resourceGroup: 'g', location: 'westus', shipToLocation: 'x', storageAccountId: 'a', diagnosticsPath: 'd', logLevel: 'Verbose', backupDriveManifest: false, driveIds: [], createdAt: '', recordedAt: '', ...extra });
  assert.is(recordedControlPlane(recorded({})), 'ImportExport');
  assert.is(recordedControlPlane(recorded({ controlPlane: 'DataBox' })), 'DataBox');
  assert.is(recordedControlPlane(recorded({ controlPlane: 'DataBox', removedAt: 'x' })), undefined, 'a removed job decides nothing');
  assert.is(chosenControlPlane({}, undefined), undefined);
  assert.is(chosenControlPlane({ controlPlane: 'ImportExport' }, undefined), 'ImportExport');
  assert.is(chosenControlPlane({}, recorded({ controlPlane: 'DataBox' })), 'DataBox');
  try {
    chosenControlPlane({ controlPlane: 'DataBox' }, recorded({}));
    assert.unreachable('a contradiction is refused');
  } catch (error) {
    assert.instance(error, OfflineSeedError);
    assert.is((error as OfflineSeedError).errorId, 'OfflineSeed.ControlPlaneMismatch');
  }
});

test('CopyLog: the documented sample (no root element; renames are warnings, the summary status is the drive status)', () => {
  const sample = `<ErroredEntity Path="iso\\Ubuntu-22.04.iso">
  <Category>UploadErrorCloudHttp</Category>
  <ErrorCode>409</ErrorCode>
  <ErrorMessage>The blob type is invalid for this operation.</ErrorMessage>
  <Type>File</Type>
</ErroredEntity><ErroredEntity Path="export&amp;share">
  <Category>ContainerRenamed</Category>
  <ErrorCode>1</ErrorCode>
  <ErrorMessage>The original container/share/Blob has been renamed to: DataBox-3fcd02de-bee6-471e-ac62-33d60317c576 :from: export&amp;share :because either name has invalid character(s) or length is not supported</ErrorMessage>
  <Type>Container</Type>
</ErroredEntity><CopyLog Summary="Summary">
  <DriveLogVersion>2021-08-01</DriveLogVersion>
  <DriveId>72a1914a-7fb2-4e34-a135-5c7176c3ee41</DriveId>
  <Status>Failed</Status>
  <TotalFiles_Blobs>60</TotalFiles_Blobs>
  <FilesErrored>1</FilesErrored>
</CopyLog>`;
  const r = parseCopyLog(sample, 'SERIAL1', 'databoxcopylog/x.xml');
  assert.is(r.driveId, 'SERIAL1', 'the disk is known by its serial, not the log\'s GUID');
  assert.is(r.driveStatus, 'Failed');
  assert.is(r.blobs.length, 2);
  assert.equal(r.blobs[0], { driveId: 'SERIAL1', blobPath: 'iso/Ubuntu-22.04.iso', status: 'UploadErrorCloudHttp', detail: 'error 409: The blob type is invalid for this operation.', severity: 'Error', log: 'databoxcopylog/x.xml' });
  assert.is(r.blobs[1]!.blobPath, 'export&share');
  assert.is(r.blobs[1]!.severity, 'Warning');
  assert.is(r.blobs[1]!.disposition, 'Renamed');
});

test('CopyLog: what the simulated datacenter writes reads back', () => {
  const xml = writeCopyLog('D1', [{ category: 'UploadErrorWin32', errorCode: '2', message: 'The system cannot find the file specified.', path: 'seeds/p/data/ab/abcd', cloudFormat: 'BlockBlob' }], 7, false);
  const r = parseCopyLog(xml, 'D1', 'l');
  assert.is(r.driveStatus, 'Failed');
  assert.equal(r.blobs.map((b) => [b.blobPath, b.status, b.severity]), [['seeds/p/data/ab/abcd', 'UploadErrorWin32', 'Error']]);
  assert.is(parseCopyLog(writeCopyLog('D2', [], 3, false), 'D2', 'l').driveStatus, 'Succeeded');
});

test('Complete-OfflineSeed: CopyLog paths with backslashes and VerboseLog files are blob names; unlisted or short blobs are verified first', () => {
  // The service's samples write paths with backslashes (CopyLog and VerboseLog alike).
  const failed = failuresFromCopyLog('<ErroredEntity Path="seed\\fs01\\data\\ab\\abcd">\n  <Category>UploadErrorDataValidationError</Category>\n</ErroredEntity>', 'l');
  assert.equal(failed.map((f) => [f.blobPath, f.status]), [['seed/fs01/data/ab/abcd', 'UploadErrorDataValidationError']]);
  const sample = '<File CloudFormat="BlockBlob" Path="seed\\fs01\\config" Size="155" crc64="14179624636173788226">\r\n</File><File CloudFormat="BlockBlob" Path="seed/fs01/data/cd/cdef" Size="4096" crc64="1">\r\n</File>';
  assert.equal(copiedFromVerboseLog(sample, 'v').map((c) => [c.blobPath, c.size]), [['seed/fs01/config', 155], ['seed/fs01/data/cd/cdef', 4096]]);
  const written = writeVerboseLog([{ cloudFormat: 'BlockBlob', path: 'seed/fs01/keys/k1', size: 460, crc64: 7n }]);
  assert.equal(copiedFromVerboseLog(written, 'v').map((c) => [c.blobPath, c.size]), [['seed/fs01/keys/k1', 460]]);

  const expected = [
    { blobPath: 'seed/fs01/config', length: 155 },
    { blobPath: 'seed/fs01/data/cd/cdef', length: 8192 },
    { blobPath: 'seed/fs01/data/ef/ef01', length: 100 },
    { blobPath: 'seed/fs01/data/ab/abcd', length: 100 },
  ];
  const copied = copiedFromVerboseLog(sample, 'v');
  assert.equal([...blobsToVerifyFirst(failed, copied, expected, 'seed/')].sort(), ['fs01/data/ab/abcd', 'fs01/data/cd/cdef', 'fs01/data/ef/ef01'], 'failed, copied short, not listed');
  assert.equal([...blobsToVerifyFirst(failed, [], expected, 'seed/')], ['fs01/data/ab/abcd'], 'without a verbose log: the failures only');
});

test('Data Box refusals keep the service code under OfflineSeed.DataBox…; region names become slugs', () => {
  const refusal = Object.assign(new Error('x'), { name: 'RestError', statusCode: 409, code: 'InvalidJobState', details: { error: { code: 'InvalidJobState', message: 'The job cannot be cancelled.' } } });
  const e = translateArmError(refusal, 'cancel Data Box job j', 'j', {}, DATABOX_SERVICE);
  assert.is(e.errorId, 'OfflineSeed.DataBoxInvalidJobState');
  assert.is(e.category, 'InvalidOperation');
  assert.match(e.message, /Azure Data Box answered 409 InvalidJobState/);
  const offline = translateArmError(Object.assign(new Error('connect ECONNREFUSED'), { name: 'RestError', code: 'REQUEST_SEND_ERROR' }), 'read', 'j', {}, DATABOX_SERVICE);
  assert.is(offline.errorId, 'OfflineSeed.DataBoxUnavailable');
  assert.is(regionSlug('West US 2'), 'westus2');
  assert.is(regionSlug('westeurope'), 'westeurope');
});

test.run();
