/**
 * job.create on the Import/Export control plane.
 *
 *   drives     from the seed's drive records, each checked against its journal and DriveInfo export;
 *              the BitLocker keys from the owner-only key files or the sealed published keys (at most
 *              10 drives, no id twice: the service's limits, checked before anything is sent)
 *   return     return address and carrier account from the request or the saved profile
 *   location   Locations_Get for the storage account's region, following alternateLocations: the
 *              ship-to address and carriers go into the result and the Information stream
 *   create     PUT the job (state Creating, drives Specified); the seed moves to JobCreated and
 *              records the job (name, resource group, subscription, location)
 *
 * Running it again for a job that exists with the same drives changes nothing (outcome AlreadyExists);
 * a job of that name with other drives is refused. -WhatIf prints the job it would create, without keys.
 */import type { DriveStatus, JobResponse, PutJobParameters } from '@azure/arm-storageimportexport';
import { engineVersion } from '../engineInfo.ts';
import { armCall, importExportClient } from './armClient.ts';
import { importExportJobState } from './jobState.ts';
import type { DriveRecord } from './driveRecords.ts';
import { seedArgument, seedDriveRecords, seedLocation } from './seedDrives.ts';
import { driveView, getJob } from './jobView.ts';
import { stateRank } from './seedRecords.ts';
import { recordJobCreated } from './seedTransitions.ts';
import { addressFromJob, formatAddress, resolveShipTo } from './shipTo.ts';
import { DAY_MS, WINDOW_DAYS } from './shippingWindow.ts';
import { jobResourceId, type JobTarget, type RecordedJob } from './target.ts';
import { resolveReturnDetails } from './profile.ts';
import type { JobCreateParams } from './jobBackend.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import { containerNameProblem } from '../seed/azureNames.ts';
import type { CommandContext } from '../commands/command.ts';


const STORAGE_ACCOUNT_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.(Classic)?Storage\/storageAccounts\/([a-z0-9]{3,24})$/i;

function sameDrives(existing: readonly DriveStatus[], drives: readonly DriveRecord[]): boolean {
  if (existing.length !== drives.length) return false;
  const want = new Map(drives.map((d) => [d.driveId.toUpperCase(), d.manifestHash.toUpperCase()]));
  return existing.every((e) => want.get((e.driveId ?? '').toUpperCase()) === (e.manifestHash ?? '').toUpperCase());
}

function describeDrives(drives: readonly { driveId?: string; manifestHash?: string }[]): string {
  return drives.map((d) => `${d.driveId ?? '?'} (manifest ${d.manifestHash ?? '?'})`).join(', ');
}

/** Import/Export's log location, "container" or "container/folder" (Data Box keeps its copy logs in databoxcopylog). */
export function checkedDiagnosticsPath(given: string | undefined): string {
  const diagnosticsPath = (given ?? 'waimportexport').replace(/^\/+|\/+$/g, '');
  const diagnosticsProblem = containerNameProblem(diagnosticsPath.split('/')[0]!);
  if (diagnosticsProblem !== undefined) {
    throw new OfflineSeedError('OfflineSeed.InvalidDiagnosticsPath', 'InvalidArgument', `params.diagnosticsPath: "${diagnosticsPath}" must start with a container name, which ${diagnosticsProblem}`, { targetObject: 'params.diagnosticsPath' });
  }
  return diagnosticsPath;
}

export async function createImportExportJob(params: JobCreateParams, context: CommandContext, target: JobTarget): Promise<void> {
  const { events } = context;
  const diagnosticsPath = checkedDiagnosticsPath(params.diagnosticsPath);
  const d = target.descriptor!;
  const drives = await seedDriveRecords(target, params);
  const withoutKey = drives.filter((r) => r.bitLockerKey === undefined);
  if (withoutKey.length > 0) {
    events.log('warning', `No BitLocker recovery password is recorded for drive(s) ${withoutKey.map((r) => r.driveId).join(', ')}; the service requires one per drive and will refuse the job.`);
  }
  const returns = await resolveReturnDetails(params, context.dryRun);
  const logLevel = params.logLevel ?? 'Verbose';
  const backupDriveManifest = params.backupDriveManifest ?? false;

  let storageAccountId = params.storageAccountId;
  if (storageAccountId === undefined) {
    storageAccountId = `/subscriptions/${target.subscriptionId}/resourceGroups/${target.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${d.storageAccount}`;
  } else {
    const account = STORAGE_ACCOUNT_ID.exec(storageAccountId)?.[2];
    if (account === undefined) {
      throw new OfflineSeedError('OfflineSeed.InvalidStorageAccountId', 'InvalidArgument', `params.storageAccountId: "${storageAccountId}" is not the ARM id of a storage account (/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Storage/storageAccounts/<name>)`, { targetObject: 'params.storageAccountId' });
    }
    if (account.toLowerCase() !== d.storageAccount.toLowerCase()) {
      throw new OfflineSeedError('OfflineSeed.StorageAccountMismatch', 'InvalidArgument', `params.storageAccountId names storage account ${account}, but the seed is for ${d.storageAccount}`, { targetObject: 'params.storageAccountId' });
    }
  }

  const client = importExportClient(params, target.subscriptionId);
  const jobId = jobResourceId(target);
  const existing = await getJob(client, target);
  const shipTo = await resolveShipTo(client, params.location);

  if (existing === undefined && target.recorded !== undefined && target.recorded.removedAt === undefined && stateRank(d.state) >= stateRank('Shipped')) {
    throw new OfflineSeedError('OfflineSeed.JobDisappeared', 'ObjectNotFound', `import job ${target.jobName} (created ${target.recorded.createdAt}) no longer exists, but the seed's drives were shipped for it`, {
      targetObject: jobId,
      recommendedAction: 'Contact Azure support with the tracking number (see the seed\'s shipping record); creating a new job does not bring the shipped drives back to it.',
    });
  }

  let job: JobResponse;
  let outcome: 'Created' | 'AlreadyExists';
  if (existing !== undefined) {
    const p = existing.properties ?? {};
    const existingAccount = (p.storageAccountId ?? '').toLowerCase();
    if (!sameDrives(p.driveList ?? [], drives) || (existingAccount !== '' && existingAccount !== storageAccountId.toLowerCase())) {
      throw new OfflineSeedError('OfflineSeed.JobExistsWithOtherDrives', 'ResourceExists',
        `import job ${target.jobName} exists already in ${target.resourceGroup} (state ${p.state ?? 'unknown'}) with ${existingAccount !== storageAccountId.toLowerCase() && existingAccount !== '' ? `storage account ${p.storageAccountId} and ` : ''}drives ${describeDrives(p.driveList ?? [])}, not the seed's drives ${describeDrives(drives)}`, {
          targetObject: jobId,
          recommendedAction: 'If that job is this seed\'s from an earlier preparation, remove it (Remove-OfflineSeedImportJob, while Creating) and create it again; if it belongs to something else, stage the seed under another job name.',
        });
    }
    job = existing;
    outcome = 'AlreadyExists';
    if (!context.dryRun) events.log('information', `Import job ${target.jobName} exists already with the same ${drives.length} drive(s) (state ${p.state}): nothing to change.`);
  } else {
    if (target.recorded !== undefined && target.recorded.removedAt === undefined) {
      events.log('warning', `Import job ${target.jobName}, recorded as created on ${target.recorded.createdAt}, no longer exists (a job left in Creating is deleted 14 days after its last update); it is created again.`);
    }
    const body: PutJobParameters = {
      location: shipTo.location,
      tags: { offlineseed: engineVersion() },
      properties: {
        storageAccountId,
        jobType: 'Import',
        returnAddress: returns.returnAddress,
        returnShipping: returns.returnShipping,
        diagnosticsPath,
        logLevel,
        backupDriveManifest,
        driveList: drives.map((r) => ({
          driveId: r.driveId,
          ...(r.bitLockerKey === undefined ? {} : { bitLockerKey: r.bitLockerKey }),
          manifestFile: r.manifestFile,
          manifestHash: r.manifestHash,
          driveHeaderHash: '',
        })) as DriveStatus[],
      },
    };
    if (context.dryRun) {
      const shown = { ...body, properties: { ...body.properties, driveList: drives.map((r) => ({ driveId: r.driveId, manifestFile: r.manifestFile, manifestHash: r.manifestHash, driveHeaderHash: '' })) } };
      events.log('information', `What if: create import job ${target.jobName} in resource group ${target.resourceGroup} (subscription ${target.subscriptionId}), location ${shipTo.location}, for storage account ${d.storageAccount}, with ${drives.length} drive(s).`);
      for (const r of drives) {
        events.log('information', `What if:   drive ${r.driveId}: manifest ${r.manifestFile} (MD5 ${r.manifestHash}), ${r.files} files, ${r.bytes} bytes; BitLocker recovery password ${r.bitLockerKey === undefined ? 'MISSING' : `from ${r.keySource} (not shown)`}.`);
      }
      events.log('information', `What if: ship the drives to ${shipTo.site}${shipTo.alternate ? ` (the alternate of ${shipTo.location})` : ''}: ${formatAddress(shipTo.address)}; carriers: ${shipTo.supportedCarriers.join(', ') || 'any'}.`);
      events.log('information', `What if: PUT ${jobId} ${JSON.stringify(shown)}`);
      return;
    }
    context.throwIfCancelled(); // nothing is changed once the run was cancelled
    job = await armCall(`create import job ${target.jobName}`, jobId, () => client.jobs.create(target.jobName, target.resourceGroup, body));
    outcome = 'Created';
    events.log('information', `Import job ${target.jobName} created in resource group ${target.resourceGroup} (location ${shipTo.location}), state ${job.properties?.state ?? 'Creating'}, ${drives.length} drive(s).`);
  }
  if (context.dryRun) {
    events.log('information', `What if: import job ${target.jobName} exists already with the seed's drives; nothing would change.`);
    return;
  }

  const p = job.properties ?? {};
  const address = addressFromJob(p.shippingInformation, shipTo.address);
  const createdAt = job.systemData?.createdAt instanceof Date ? job.systemData.createdAt.toISOString() : new Date().toISOString();
  const shippingInfoDeadline = new Date(Date.parse(createdAt) + WINDOW_DAYS * DAY_MS).toISOString();
  events.log('information', `Ship the ${drives.length} drive(s) to ${shipTo.site}${shipTo.alternate ? ` (the alternate site of ${shipTo.location}, whose own site does not take drives)` : ''}: ${formatAddress(address)}.`);
  events.log('information', `Carriers accepted there: ${shipTo.supportedCarriers.length > 0 ? shipTo.supportedCarriers.join(', ') : 'any'}.${address.additionalInformation === '' ? '' : ` Note from the datacenter: ${address.additionalInformation}`}`);
  if (p.state === 'Creating') {
    events.log('information', `Ship them in one package and record the carrier and tracking number with Update-ImportShipping by ${shippingInfoDeadline} (14 days after the job was created; a job left in Creating is then deleted).`);
  }
  const carrier = (p.returnShipping?.carrierName ?? returns.returnShipping.carrierName).toLowerCase();
  if (shipTo.supportedCarriers.length > 0 && !shipTo.supportedCarriers.some((c) => c.toLowerCase() === carrier)) {
    events.log('warning', `The return carrier ${returns.returnShipping.carrierName} is not among the carriers of ${shipTo.site} (${shipTo.supportedCarriers.join(', ')}): the drives may not come back that way.`);
  }

  const recorded: RecordedJob = {
    name: target.jobName,
    controlPlane: 'ImportExport',
    subscriptionId: target.subscriptionId,
    resourceGroup: target.resourceGroup,
    location: job.location ?? shipTo.location,
    shipToLocation: shipTo.site,
    storageAccountId: p.storageAccountId ?? storageAccountId,
    diagnosticsPath: p.diagnosticsPath ?? diagnosticsPath,
    logLevel: (p.logLevel as 'Error' | 'Verbose' | undefined) ?? logLevel,
    backupDriveManifest: p.backupDriveManifest ?? backupDriveManifest,
    driveIds: (p.driveList ?? []).map((x) => x.driveId ?? ''),
    createdAt,
    recordedAt: new Date().toISOString(),
  };
  const seed = await recordJobCreated(target.store!, target, recorded);

  context.emitResult({
    jobName: target.jobName,
    resourceGroup: target.resourceGroup,
    subscriptionId: target.subscriptionId,
    jobId,
    controlPlane: 'ImportExport',
    outcome,
    state: importExportJobState(p.state ?? 'Creating', p.cancelRequested === true, false, false),
    serviceState: p.state ?? 'Creating',
    location: recorded.location,
    shipToLocation: shipTo.site,
    alternateSite: shipTo.alternate,
    shipTo: address,
    supportedCarriers: shipTo.supportedCarriers,
    storageAccountId: recorded.storageAccountId,
    driveCount: (p.driveList ?? []).length,
    drives: (p.driveList ?? []).map((x) => {
      const v = driveView(x);
      return { driveId: v.driveId, state: v.state, ...(v.manifestFile === undefined ? {} : { manifestFile: v.manifestFile }), ...(v.manifestHash === undefined ? {} : { manifestHash: v.manifestHash }) };
    }),
    returnAddress: p.returnAddress ?? returns.returnAddress,
    returnShipping: p.returnShipping ?? returns.returnShipping,
    returnDetailsFrom: returns.addressSource === returns.shippingSource ? returns.addressSource : `${returns.addressSource}; ${returns.shippingSource}`,
    profilePath: returns.profilePath,
    profileSaved: returns.profileSaved,
    diagnosticsPath: recorded.diagnosticsPath,
    logLevel: recorded.logLevel,
    backupDriveManifest: recorded.backupDriveManifest,
    createdAt,
    shippingInfoDeadline,
    ...seedLocation(target),
    seedState: seed?.state ?? d.state,
    nextStep: p.state === 'Creating'
      ? `Ship the drives to ${shipTo.site} and record the carrier and tracking number: Update-ImportShipping ${seedArgument(target)} -CarrierName <carrier> -TrackingNumber <number>.`
      : 'Follow the import: Get-ImportJobStatus.',
  });
}
