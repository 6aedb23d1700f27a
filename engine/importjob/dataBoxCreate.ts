/**
 * job.create on the Data Box control plane: a customer-disk import job (SKU DataBoxCustomerDisk,
 * transferType ImportToAzure) for the seed's prepared drives.
 *
 *   drives     the same drive records as Import/Export (journals, DriveInfo exports, key files): each
 *              becomes importDiskDetailsCollection[driveId] = {manifestFile, manifestHash, bitLockerKey}
 *   return     the return address becomes contactDetails (name, phone, e-mail) and shippingAddress; the
 *              return carrier and account become returnToCustomerPackageDetails
 *   account    dataImportDetails: the seed's storage account, logCollectionLevel from logLevel
 *              (Verbose by default); enableManifestBackup from backupDriveManifest. The copy logs go
 *              to the fixed container databoxcopylog (diagnosticsPath does not apply)
 *   create     PUT as a long-running operation; the job starts in AwaitingShipmentDetails (shared
 *              state Created) and the seed records it with controlPlane DataBox
 *
 * Running it again for a job that exists with the same drives changes nothing (outcome AlreadyExists).
 */
import type { DataBoxCustomerDiskJobDetails, JobResource } from '@azure/arm-databox';
import { engineVersion } from '../engineInfo.ts';
import type { CommandContext } from '../commands/command.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import { COPY_LOG_CONTAINER, customerDiskDetails, dataBoxCall, dataBoxClient, dataBoxJobId, getDataBoxJob, pollOptions } from './dataBoxClient.ts';
import { dataBoxDrives, dataBoxShipTo, jobStateOf, serviceStatus } from './dataBoxView.ts';
import type { DriveRecord } from './driveRecords.ts';
import { seedArgument, seedDriveRecords, seedLocation } from './seedDrives.ts';
import { resolveReturnDetails } from './profile.ts';
import { stateRank } from './seedRecords.ts';
import { recordJobCreated } from './seedTransitions.ts';
import { formatAddress } from './shipTo.ts';
import { DAY_MS, WINDOW_DAYS } from './shippingWindow.ts';
import type { JobCreateParams } from './jobBackend.ts';
import type { JobTarget, RecordedJob } from './target.ts';


const STORAGE_ACCOUNT_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/([a-z0-9]{3,24})$/i;

/** "West US" → "westus": Data Box takes the region slug. */
export function regionSlug(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}

function storageAccountIdFor(params: JobCreateParams, target: JobTarget, account: string): string {
  if (params.storageAccountId === undefined) return `/subscriptions/${target.subscriptionId}/resourceGroups/${target.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${account}`;
  const named = STORAGE_ACCOUNT_ID.exec(params.storageAccountId)?.[1];
  if (named === undefined) {
    throw new OfflineSeedError('OfflineSeed.InvalidStorageAccountId', 'InvalidArgument', `params.storageAccountId: "${params.storageAccountId}" is not the ARM id of a storage account (/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Storage/storageAccounts/<name>)`, { targetObject: 'params.storageAccountId' });
  }
  if (named.toLowerCase() !== account.toLowerCase()) {
    throw new OfflineSeedError('OfflineSeed.StorageAccountMismatch', 'InvalidArgument', `params.storageAccountId names storage account ${named}, but the seed is for ${account}`, { targetObject: 'params.storageAccountId' });
  }
  return params.storageAccountId;
}

function sameDrives(existing: DataBoxCustomerDiskJobDetails | undefined, drives: readonly DriveRecord[]): boolean {
  const disks = Object.entries(existing?.importDiskDetailsCollection ?? {});
  if (disks.length !== drives.length) return false;
  const want = new Map(drives.map((d) => [d.driveId.toUpperCase(), d.manifestHash.toUpperCase()]));
  return disks.every(([serial, disk]) => want.get(serial.toUpperCase()) === (disk.manifestHash ?? '').toUpperCase());
}

function existingAccount(details: DataBoxCustomerDiskJobDetails | undefined): string {
  const account = details?.dataImportDetails?.[0]?.accountDetails as { storageAccountId?: string } | undefined;
  return (account?.storageAccountId ?? '').toLowerCase();
}

export async function createDataBoxJob(params: JobCreateParams, context: CommandContext, target: JobTarget): Promise<void> {
  const { events } = context;
  const d = target.descriptor!;
  if (target.jobName.length < 3 || target.jobName.length > 24) {
    throw new OfflineSeedError('OfflineSeed.InvalidJobName', 'InvalidArgument', `the job name "${target.jobName}" has ${target.jobName.length} characters; a Data Box job name has 3 to 24`, {
      targetObject: target.jobName,
      recommendedAction: 'Stage the seed under a job name of 3 to 24 characters, or create the job on the Import/Export control plane (-ControlPlane ImportExport), whose names may have up to 64.',
    });
  }
  const drives = await seedDriveRecords(target, params);
  const withoutKey = drives.filter((r) => r.bitLockerKey === undefined);
  if (withoutKey.length > 0) {
    events.log('warning', `No BitLocker recovery password is recorded for drive(s) ${withoutKey.map((r) => r.driveId).join(', ')}; the service requires one per drive and will refuse the job.`);
  }
  const returns = await resolveReturnDetails(params, context.dryRun);
  if (params.diagnosticsPath !== undefined) events.log('warning', `A Data Box job writes its copy logs into the container ${COPY_LOG_CONTAINER}; -DiagnosticsPath (${params.diagnosticsPath}) applies to Import/Export jobs only and is ignored.`);
  const logLevel = params.logLevel ?? 'Verbose';
  const backupDriveManifest = params.backupDriveManifest ?? false;
  const storageAccountId = storageAccountIdFor(params, target, d.storageAccount);
  const location = regionSlug(params.location);

  const client = dataBoxClient(params, target.subscriptionId);
  const jobId = dataBoxJobId(target);
  const existing = await getDataBoxJob(client, target);
  if (existing === undefined && target.recorded !== undefined && target.recorded.removedAt === undefined && stateRank(d.state) >= stateRank('Shipped')) {
    throw new OfflineSeedError('OfflineSeed.JobDisappeared', 'ObjectNotFound', `Data Box job ${target.jobName} (created ${target.recorded.createdAt}) no longer exists, but the seed's drives were shipped for it`, {
      targetObject: jobId,
      recommendedAction: 'Contact Azure support with the tracking number (see the seed\'s shipping record); creating a new job does not bring the shipped drives back to it.',
    });
  }

  let job: JobResource;
  let outcome: 'Created' | 'AlreadyExists';
  if (existing !== undefined) {
    const details = customerDiskDetails(existing);
    const account = existingAccount(details);
    if (details === undefined || !sameDrives(details, drives) || (account !== '' && account !== storageAccountId.toLowerCase())) {
      const theirs = Object.entries(details?.importDiskDetailsCollection ?? {}).map(([serial, disk]) => `${serial} (manifest ${disk.manifestHash})`).join(', ');
      throw new OfflineSeedError('OfflineSeed.JobExistsWithOtherDrives', 'ResourceExists',
        `Data Box job ${target.jobName} exists already in ${target.resourceGroup} (${existing.sku?.name ?? 'unknown SKU'}, status ${serviceStatus(existing)}) with ${theirs === '' ? 'other details' : `drives ${theirs}`}, not the seed's drives ${drives.map((r) => `${r.driveId} (manifest ${r.manifestHash})`).join(', ')}`, {
          targetObject: jobId,
          recommendedAction: 'If that job is this seed\'s from an earlier preparation, cancel and remove it (Stop-OfflineSeedImportJob, Remove-OfflineSeedImportJob) and create it again; if it belongs to something else, stage the seed under another job name.',
        });
    }
    job = existing;
    outcome = 'AlreadyExists';
    if (!context.dryRun) events.log('information', `Data Box job ${target.jobName} exists already with the same ${drives.length} drive(s) (status ${serviceStatus(existing)}): nothing to change.`);
  } else {
    if (target.recorded !== undefined && target.recorded.removedAt === undefined) {
      events.log('warning', `Data Box job ${target.jobName}, recorded as created on ${target.recorded.createdAt}, no longer exists (a job left awaiting shipment details is deleted after 14 days); it is created again.`);
    }
    const a = returns.returnAddress;
    const details = (keys: boolean): DataBoxCustomerDiskJobDetails => ({
      jobDetailsType: 'DataBoxCustomerDisk',
      contactDetails: { contactName: a.recipientName, phone: a.phone, emailList: [a.email] },
      shippingAddress: {
        streetAddress1: a.streetAddress1,
        ...(a.streetAddress2 === undefined || a.streetAddress2 === '' ? {} : { streetAddress2: a.streetAddress2 }),
        city: a.city,
        ...(a.stateOrProvince === undefined || a.stateOrProvince === '' ? {} : { stateOrProvince: a.stateOrProvince }),
        postalCode: a.postalCode,
        country: a.countryOrRegion,
      },
      dataImportDetails: [{ accountDetails: { dataAccountType: 'StorageAccount', storageAccountId }, logCollectionLevel: logLevel }],
      importDiskDetailsCollection: Object.fromEntries(drives.map((r) => [r.driveId, {
        manifestFile: r.manifestFile,
        manifestHash: r.manifestHash,
        bitLockerKey: keys ? r.bitLockerKey ?? '' : '(not shown)',
      }])),
      returnToCustomerPackageDetails: { carrierName: returns.returnShipping.carrierName, carrierAccountNumber: keys ? returns.returnShipping.carrierAccountNumber : '(not shown)' },
      enableManifestBackup: backupDriveManifest,
    });
    const body = (keys: boolean): JobResource => ({
      location,
      sku: { name: 'DataBoxCustomerDisk' },
      transferType: 'ImportToAzure',
      tags: { offlineseed: engineVersion() },
      details: details(keys),
    });
    if (context.dryRun) {
      events.log('information', `What if: create Data Box import job ${target.jobName} (SKU DataBoxCustomerDisk) in resource group ${target.resourceGroup} (subscription ${target.subscriptionId}), region ${location}, for storage account ${d.storageAccount}, with ${drives.length} drive(s).`);
      for (const r of drives) {
        events.log('information', `What if:   drive ${r.driveId}: manifest ${r.manifestFile} (MD5 ${r.manifestHash}), ${r.files} files, ${r.bytes} bytes; BitLocker recovery password ${r.bitLockerKey === undefined ? 'MISSING' : `from ${r.keySource} (not shown)`}.`);
      }
      events.log('information', `What if: PUT ${jobId} ${JSON.stringify(body(false))}`);
      return;
    }
    context.throwIfCancelled(); // nothing is changed once the run was cancelled
    job = await dataBoxCall(`create Data Box job ${target.jobName}`, jobId, () => client.jobs.beginCreateAndWait(target.resourceGroup, target.jobName, body(true), pollOptions(context.signal)));
    // The poller's final GET may come without details on some api-versions: read the job once more.
    if (customerDiskDetails(job) === undefined) job = (await getDataBoxJob(client, target)) ?? job;
    outcome = 'Created';
    events.log('information', `Data Box import job ${target.jobName} created in resource group ${target.resourceGroup} (region ${location}), status ${serviceStatus(job)}, ${drives.length} drive(s).`);
  }
  if (context.dryRun) {
    events.log('information', `What if: Data Box job ${target.jobName} exists already with the seed's drives; nothing would change.`);
    return;
  }

  const details = customerDiskDetails(job);
  const shipTo = dataBoxShipTo(job);
  const createdAt = job.systemData?.createdAt instanceof Date ? job.systemData.createdAt.toISOString() : job.startTime instanceof Date ? job.startTime.toISOString() : new Date().toISOString();
  const shippingInfoDeadline = new Date(Date.parse(createdAt) + WINDOW_DAYS * DAY_MS).toISOString();
  const state = jobStateOf(job);
  events.log('information', `Ship the ${drives.length} drive(s) to ${formatAddress(shipTo.address) || 'the datacenter shown in the portal'}.${shipTo.address.additionalInformation === '' ? '' : ` Note from the datacenter: ${shipTo.address.additionalInformation}`}`);
  if (state === 'Created') {
    events.log('information', `Ship them in one package and record the carrier and tracking number with Update-ImportShipping by ${shippingInfoDeadline} (the service deletes a job left awaiting shipment details after 14 days).`);
  }
  const carrier = (details?.returnToCustomerPackageDetails?.carrierName ?? returns.returnShipping.carrierName).toLowerCase();
  if (shipTo.carriers.length > 0 && !shipTo.carriers.some((c) => c.toLowerCase() === carrier)) {
    events.log('warning', `The return carrier ${returns.returnShipping.carrierName} is not among the carriers of the datacenter (${shipTo.carriers.join(', ')}): the drives may not come back that way.`);
  }
  const account = (details?.dataImportDetails?.[0]?.accountDetails as { storageAccountId?: string } | undefined)?.storageAccountId ?? storageAccountId;
  const level = (details?.dataImportDetails?.[0]?.logCollectionLevel as 'Error' | 'Verbose' | undefined) ?? logLevel;
  const views = dataBoxDrives(job);
  const recorded: RecordedJob = {
    name: target.jobName,
    controlPlane: 'DataBox',
    subscriptionId: target.subscriptionId,
    resourceGroup: target.resourceGroup,
    location: job.location ?? location,
    shipToLocation: shipTo.site,
    storageAccountId: account,
    diagnosticsPath: COPY_LOG_CONTAINER,
    logLevel: level,
    backupDriveManifest: details?.enableManifestBackup ?? backupDriveManifest,
    driveIds: views.map((x) => x.driveId),
    createdAt,
    recordedAt: new Date().toISOString(),
  };
  const seed = await recordJobCreated(target.store!, target, recorded);

  context.emitResult({
    jobName: target.jobName,
    resourceGroup: target.resourceGroup,
    subscriptionId: target.subscriptionId,
    jobId,
    controlPlane: 'DataBox',
    outcome,
    state,
    serviceState: serviceStatus(job),
    location: recorded.location,
    shipToLocation: shipTo.site,
    alternateSite: false,
    shipTo: shipTo.address,
    supportedCarriers: shipTo.carriers,
    storageAccountId: account,
    driveCount: views.length,
    drives: views.map((v) => ({ driveId: v.driveId, state: v.state, ...(v.manifestFile === undefined ? {} : { manifestFile: v.manifestFile }), ...(v.manifestHash === undefined ? {} : { manifestHash: v.manifestHash }) })),
    returnAddress: returns.returnAddress,
    // The service never echoes the carrier account number (a secret there): neither does the result.
    returnShipping: { carrierName: details?.returnToCustomerPackageDetails?.carrierName ?? returns.returnShipping.carrierName },
    returnDetailsFrom: returns.addressSource === returns.shippingSource ? returns.addressSource : `${returns.addressSource}; ${returns.shippingSource}`,
    profilePath: returns.profilePath,
    profileSaved: returns.profileSaved,
    diagnosticsPath: COPY_LOG_CONTAINER,
    logLevel: level,
    backupDriveManifest: recorded.backupDriveManifest,
    createdAt,
    shippingInfoDeadline,
    ...seedLocation(target),
    seedState: seed?.state ?? d.state,
    nextStep: state === 'Created'
      ? `Ship the drives to the datacenter and record the carrier and tracking number: Update-ImportShipping ${seedArgument(target)} -CarrierName <carrier> -TrackingNumber <number>.`
      : 'Follow the import: Get-ImportJobStatus.',
  });
}
