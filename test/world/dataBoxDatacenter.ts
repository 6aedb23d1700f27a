/**
 * The simulated datacenter for Data Box customer-disk jobs (dataBoxEmulator.ts). It reads the drives
 * exactly as the Import/Export datacenter does (datacenter.ts: checkDrive for BitLocker key, file
 * system and manifest hash; importBlob for every blob, block by block, through the real storage SDK
 * into Azurite), then reports the Data Box way: per disk a CopyLog (always) and a VerboseLog (when the
 * job's logCollectionLevel is Verbose) in the storage account's `databoxcopylog` container, named
 * <job>_<serial>_CopyLog_<guid>.xml, linked from copyLogDetails, and copyProgress counters that agree
 * with the log (filesErroredOut = FilesErrored, totalFilesToProcess = TotalFiles_Blobs).
 *
 * Decisions:
 * - Disk copyStatus: Completed (warnings such as renamed or skipped blobs included: CopyStatus has no
 *   warning value), CompletedWithErrors (some files did not import), or, for a disk that could not be
 *   read at all, the closest CopyStatus (BitLocker and NTFS problems → OtherUserError, manifest
 *   problems → MetadataFilesModifiedOrRemoved, storage refusal → StorageAccountNotAccessible).
 * - Job status after ShippedToCustomer: Completed when every disk is clean, CompletedWithWarnings when
 *   only warnings, Failed_IssueDetectedAtAzureDC when no disk could be read, else CompletedWithErrors.
 *   A disk of the job that never arrived: copyStatus DriveNotReceived (CompletedWithErrors).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BlobServiceClient } from '@azure/storage-blob';
import { checkDrive, importBlob, isDriveFailure, type ArrivingDrive, type BlobContext } from './datacenter.ts';
import { copyLogEntry, crc64, writeCopyLog, writeVerboseLog, type VerboseFile } from './copyLog.ts';
import { COPY_LOG_CONTAINER, storageAccountOf, type DataBoxEmulator, type DataBoxJobRecord, type DiskRecord, type StageName } from './dataBoxEmulator.ts';
import { driveStatusFromBlobs, isWarningOnly, type BlobResult, type DriveStatus } from './driveLog.ts';
import type { JobRef } from './importExportEmulator.ts';
import { drivePathSegments, parseDriveManifest } from './manifest.ts';
import type { DriveRecord } from './armModel.ts';

export interface DataBoxDiskReport {
  serialNumber: string;
  copyStatus: string;
  driveStatus: DriveStatus | 'DriveNotReceived';
  blobs: BlobResult[];
  copyLogUrl?: string;
  verboseLogUrl?: string;
}

export interface DataBoxDatacenter {
  receivePackage(ref: JobRef, drives: ArrivingDrive[]): Promise<{ received: string[]; extra: string[] }>;
  transfer(ref: JobRef): Promise<DataBoxDiskReport[]>;
  shipBack(ref: JobRef, options?: { trackingId?: string }): Promise<StageName>;
  process(ref: JobRef, drives: ArrivingDrive[]): Promise<{ disks: DataBoxDiskReport[]; finalStatus: StageName }>;
}

export interface DataBoxDatacenterOptions {
  emulator: DataBoxEmulator;
  storage: (accountName: string) => BlobServiceClient;
  requireBitLocker?: boolean;
}

export function copyStatusFor(status: DriveStatus): string {
  if (status === 'Completed' || status === 'CompletedWithWarnings') return 'Completed';
  if (status === 'CompletedWithErrors') return 'CompletedWithErrors';
  if (status.startsWith('BitLocker') || status === 'VolumeNotNtfs') return 'OtherUserError';
  if (status.startsWith('Manifest') || status === 'BlobListFormatInvalid' || status === 'ReadManifestFailed') return 'MetadataFilesModifiedOrRemoved';
  if (status === 'BlobRequestForbidden') return 'StorageAccountNotAccessible';
  if (status === 'DiskNotFound') return 'DriveNotDetected';
  if (status === 'DiskOperationFailed') return 'HardwareError';
  return 'OtherServiceError';
}

function asDriveRecord(disk: DiskRecord): DriveRecord {
  return { driveId: disk.serialNumber, bitLockerKey: disk.bitLockerKey, manifestFile: disk.manifestFile, manifestHash: disk.manifestHash, state: 'Received' };
}

function verboseFile(root: string, blob: BlobResult): VerboseFile {
  const segments = drivePathSegments(blob.filePath);
  const bytes = segments === undefined ? Buffer.alloc(0) : readFileSync(join(root, ...segments));
  return { cloudFormat: blob.kind, path: blob.blobPath, size: blob.length, crc64: crc64(bytes) };
}

export function createDataBoxDatacenter(options: DataBoxDatacenterOptions): DataBoxDatacenter {
  const { emulator } = options;
  const requireBitLocker = options.requireBitLocker ?? true;
  const arrived = new Map<string, Map<string, ArrivingDrive>>();
  const keyOf = (ref: JobRef): string => `${ref.subscriptionId}/${ref.resourceGroupName}/${ref.jobName}`.toLowerCase();

  const upload = async (service: BlobServiceClient, name: string, body: string): Promise<string> => {
    const container = service.getContainerClient(COPY_LOG_CONTAINER);
    await container.createIfNotExists();
    const blob = container.getBlockBlobClient(name);
    await blob.upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: 'application/xml' } });
    return blob.url;
  };

  const copyDisk = async (ref: JobRef, job: DataBoxJobRecord, disk: DiskRecord, arriving: ArrivingDrive | undefined, service: BlobServiceClient, account: string): Promise<DataBoxDiskReport> => {
    const progress = { serialNumber: disk.serialNumber, storageAccountName: account, bytesProcessed: 0, totalBytesToProcess: 0, filesProcessed: 0, totalFilesToProcess: 0, filesErroredOut: 0 };
    if (arriving === undefined) {
      emulator.setCopyProgress(ref, { ...progress, copyStatus: 'DriveNotReceived' });
      return { serialNumber: disk.serialNumber, copyStatus: 'DriveNotReceived', driveStatus: 'DriveNotReceived', blobs: [] };
    }
    emulator.setCopyProgress(ref, { ...progress, copyStatus: 'InProgress' });
    const check = checkDrive(asDriveRecord(disk), arriving, requireBitLocker);
    let driveStatus: DriveStatus;
    const blobs: BlobResult[] = [];
    if (check.status !== undefined) driveStatus = check.status;
    else {
      const parsed = parseDriveManifest(check.manifestBytes!.toString('utf8'));
      if ('problem' in parsed) driveStatus = parsed.problem.status;
      else if (parsed.ok.driveId.toUpperCase() !== disk.serialNumber.toUpperCase()) driveStatus = 'ManifestDriveIdMismatch';
      else {
        const all = parsed.ok.blobLists.flatMap((l) => l.blobs.map((b) => ({ list: l, blob: b })));
        progress.totalFilesToProcess = all.length;
        progress.totalBytesToProcess = all.reduce((n, x) => n + x.blob.length, 0);
        const ctx: BlobContext = {
          root: arriving.root,
          faults: arriving.faults ?? {},
          service,
          containers: new Map(),
          progress: (processed) => {
            progress.bytesProcessed += processed;
          },
        };
        for (const { list, blob } of all) {
          const done = await importBlob(blob, list, ctx);
          blobs.push(done);
          progress.filesProcessed++;
          emulator.setCopyProgress(ref, { ...progress, copyStatus: 'InProgress' });
        }
        driveStatus = driveStatusFromBlobs(blobs);
      }
    }
    const entries = blobs.map(copyLogEntry).filter((e) => e !== undefined);
    progress.filesErroredOut = entries.length;
    const id = randomUUID().replace(/-/g, '');
    const copyLogUrl = await upload(service, `${job.name}_${disk.serialNumber}_CopyLog_${id}.xml`, writeCopyLog(disk.serialNumber, entries, blobs.length, isDriveFailure(driveStatus)));
    let verboseLogUrl: string | undefined;
    if (job.logCollectionLevel === 'Verbose') {
      const copied = blobs.filter((b) => copyLogEntry(b) === undefined && b.disposition.status !== 'Skipped').map((b) => verboseFile(arriving.root, b));
      verboseLogUrl = await upload(service, `${job.name}_${disk.serialNumber}_VerboseLog_${id}.xml`, writeVerboseLog(copied));
    }
    if (job.enableManifestBackup && check.manifestBytes !== undefined) {
      const path = `${job.name}_${disk.serialNumber}_Manifest_${id}.xml`;
      await upload(service, path, check.manifestBytes.toString('utf8'));
      emulator.setDisk(ref, disk.serialNumber, { backupManifestCloudPath: `${COPY_LOG_CONTAINER}/${path}` });
    }
    const copyStatus = copyStatusFor(driveStatus);
    emulator.setCopyProgress(ref, { ...progress, copyStatus });
    emulator.setCopyLog(ref, { serialNumber: disk.serialNumber, errorLogLink: copyLogUrl, ...(verboseLogUrl === undefined ? {} : { verboseLogLink: verboseLogUrl }) });
    return { serialNumber: disk.serialNumber, copyStatus, driveStatus, blobs, copyLogUrl, ...(verboseLogUrl === undefined ? {} : { verboseLogUrl }) };
  };

  const reports = new Map<string, DataBoxDiskReport[]>();

  const datacenter: DataBoxDatacenter = {
    async receivePackage(ref, drives) {
      const job = emulator.requireJob(ref);
      if (job.status !== 'ShippedToAzureDC') throw new Error(`Data Box job ${ref.jobName} is ${job.status}: packages are accepted for jobs in ShippedToAzureDC`);
      const known = new Map(job.disks.map((d) => [d.serialNumber.toUpperCase(), d.serialNumber]));
      const store = new Map<string, ArrivingDrive>();
      arrived.set(keyOf(ref), store);
      const received: string[] = [];
      const extra: string[] = [];
      for (const drive of drives) {
        const serial = known.get(drive.driveId.toUpperCase());
        if (serial === undefined) extra.push(drive.driveId);
        else {
          store.set(serial, drive);
          received.push(serial);
        }
      }
      emulator.setStatus(ref, 'AtAzureDC');
      return { received, extra };
    },

    async transfer(ref) {
      const job = emulator.requireJob(ref);
      if (job.status !== 'AtAzureDC') throw new Error(`Data Box job ${ref.jobName} is ${job.status}; the copy starts from AtAzureDC`);
      const account = storageAccountOf(job.storageAccountId);
      if (account === undefined) throw new Error(`Data Box job ${ref.jobName} has no usable storage account`);
      const service = options.storage(account);
      emulator.setStatus(ref, 'DataCopy');
      const store = arrived.get(keyOf(ref)) ?? new Map<string, ArrivingDrive>();
      const out: DataBoxDiskReport[] = [];
      for (const disk of job.disks) out.push(await copyDisk(ref, job, disk, store.get(disk.serialNumber), service, account));
      reports.set(keyOf(ref), out);
      emulator.setStatus(ref, 'PreparingToShipFromAzureDC');
      return out;
    },

    async shipBack(ref, shipOptions = {}) {
      const job = emulator.requireJob(ref);
      if (job.status !== 'PreparingToShipFromAzureDC') throw new Error(`Data Box job ${ref.jobName} is ${job.status}; disks are shipped back from PreparingToShipFromAzureDC`);
      emulator.setReturnTracking(ref, shipOptions.trackingId ?? `RET${String(emulator.clock.now()).slice(-10)}`);
      emulator.setStatus(ref, 'ShippedToCustomer');
      const disks = reports.get(keyOf(ref)) ?? [];
      let end: StageName;
      if (disks.length > 0 && disks.every((d) => d.driveStatus === 'DriveNotReceived' || isDriveFailure(d.driveStatus))) end = 'Failed_IssueDetectedAtAzureDC';
      else if (disks.some((d) => d.copyStatus !== 'Completed')) end = 'CompletedWithErrors';
      else if (disks.some((d) => d.blobs.some(isWarningOnly))) end = 'CompletedWithWarnings';
      else end = 'Completed';
      emulator.setStatus(ref, end);
      return end;
    },

    async process(ref, drives) {
      await datacenter.receivePackage(ref, drives);
      const disks = await datacenter.transfer(ref);
      const finalStatus = await datacenter.shipBack(ref);
      return { disks, finalStatus };
    },
  };
  return datacenter;
}
