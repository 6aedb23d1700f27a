/**
 * preflight.run (Test-OfflineSeedPrerequisite): everything offline seeding needs, checked before it
 * starts, each item Pass / Warn / Fail with its reason and fix (one result object per check), then a
 * summary line. Local checks always run; the Azure ones unless offline. A failed check is an answer,
 * not an error: the command succeeds, and a script tests the objects' Status.
 */
import { azureCloud } from '../azure/azureCloud.ts';
import { tokenCredential } from '../azure/azureCredentials.ts';
import type { ArmAccessParams } from '../importjob/armClient.ts';
import { defaultProfilePath, readProfiles, type ProfileView, type ReturnAddress, type ReturnShipping } from '../importjob/profile.ts';
import { OfflineSeedError } from '../protocol/errors.ts';
import { applyCredentialProfile, findCredentialProfile } from '../azure/credentialProfile.ts';
import { fail, pass, summaryLine, warn, type CheckResult } from '../preflight/check.ts';
import { nameChecks, runAzureChecks, type SeedingService } from '../preflight/azureChecks.ts';
import { estimateSources, probeComputer, probeLinuxDrive, probeStaging } from '../preflight/localFacts.ts';
import { bitLockerAvailable, driveChecks, stagingFreeSpace, stagingReachable, stagingWritable, type DriveFacts, type SeedEstimate } from '../preflight/localChecks.ts';
import { returnDetailsChecks } from '../preflight/shippingChecks.ts';
import { resolve } from 'node:path';
import type { CommandContext } from './command.ts';

interface DriveInput {
  path: string;
  sizeBytes?: number;
  fileSystem?: string;
  isSystemDisk?: boolean;
  isVirtualDisk?: boolean;
  busType?: string;
}

interface PreflightParams extends ArmAccessParams {
  stagingPath?: string;
  sources?: string[];
  estimatedSeedBytes?: number;
  scanSeconds?: number;
  drives?: string[];
  driveFacts?: DriveInput[];
  computer?: { isVirtualMachine?: boolean; bitLockerAvailable?: boolean };
  sourceIsVirtualMachine?: boolean;
  subscriptionId?: string;
  resourceGroup?: string;
  storageAccount?: string;
  container?: string;
  service?: SeedingService;
  returnAddress?: Partial<ReturnAddress>;
  returnShipping?: Partial<ReturnShipping>;
  profilePath?: string;
  offline?: boolean;
}

async function driveFacts(path: string, given: readonly DriveInput[]): Promise<DriveFacts> {
  const facts = given.find((f) => f.path.toLowerCase() === path.toLowerCase());
  if (facts !== undefined) return { ...facts, source: 'given' };
  if (process.platform === 'linux') return probeLinuxDrive(path);
  return { path, source: 'probed' };
}

export async function run(params: PreflightParams, context: CommandContext): Promise<void> {
  const { events } = context;
  const results: CheckResult[] = [];
  const emit = (list: CheckResult[]): void => {
    for (const r of list) {
      results.push(r);
      context.emitResult({ ...r });
    }
  };
  const computer = { ...(await probeComputer()), ...params.computer };

  if (params.stagingPath !== undefined) {
    events.log('verbose', `Checking the staging location ${params.stagingPath}.`);
    const staging = await probeStaging(params.stagingPath);
    let estimate: SeedEstimate | undefined;
    if (params.estimatedSeedBytes !== undefined) estimate = { bytes: params.estimatedSeedBytes, source: 'given' };
    else if (params.sources !== undefined && params.sources.length > 0) {
      events.log('verbose', `Counting the bytes under ${params.sources.length} source(s) (at most ${params.scanSeconds ?? 10} s).`);
      estimate = await estimateSources(params.sources, (params.scanSeconds ?? 10) * 1000);
    }
    emit([stagingReachable(staging), stagingWritable(staging), stagingFreeSpace(staging, estimate)]);
  }
  context.throwIfCancelled();

  if (params.drives !== undefined && params.drives.length > 0) {
    emit([bitLockerAvailable(computer)]);
    for (const d of params.drives) {
      const facts = await driveFacts(d, params.driveFacts ?? []);
      if (facts.source === 'probed' && process.platform === 'win32') {
        emit([warn('Drive', 'DriveFacts', d, 'the engine cannot read disk facts on Windows by itself', 'Run Test-OfflineSeedPrerequisite -DriveLetter from the OfflineSeed module, which reads them with the Storage cmdlets.')]);
      }
      emit(driveChecks(facts, computer, params.sourceIsVirtualMachine));
    }
  }

  const profilePath = resolve(params.profilePath ?? defaultProfilePath());
  let profile: ProfileView | undefined;
  try {
    profile = await readProfiles(params.profilePath);
  } catch (error) {
    emit([fail('Shipping', 'Profile', profilePath, `the profile cannot be read: ${(error as Error).message}`, (error as OfflineSeedError).recommendedAction ?? 'Fix the file\'s permissions, or give -ProfilePath.')]);
  }
  const address = (params.returnAddress ?? profile?.returnAddress) as Record<string, unknown> | undefined;
  const shipping = (params.returnShipping ?? profile?.returnShipping) as Record<string, unknown> | undefined;
  const given = params.returnAddress !== undefined || params.returnShipping !== undefined;
  emit(returnDetailsChecks(address, shipping, given ? 'parameters' : profile?.sources.returnAddress ?? profile?.sources.returnShipping ?? profilePath));

  // A credential profile names the identity and, unless given, the subscription.
  let profileSubscription: string | undefined;
  let credentialUsable = true;
  if (params.credentialProfile !== undefined) {
    try {
      const found = findCredentialProfile(params.credentialProfile, params.profilePath);
      applyCredentialProfile(params);
      profileSubscription = found.profile.subscriptionId;
      emit([found.profile.notAfter !== undefined && Date.parse(found.profile.notAfter) < Date.now() + 30 * 86_400_000
        ? warn('Azure', 'CredentialProfile', params.credentialProfile, `its certificate ${found.profile.certificateThumbprint} expires ${found.profile.notAfter}`, 'Make a new one before then: New-OfflineSeedCredential -Name <name> -Force (then remove the old certificate from the application).')
        : pass('Azure', 'CredentialProfile', params.credentialProfile, `application ${found.profile.clientId} in tenant ${found.profile.tenantId}, certificate ${found.profile.certificateThumbprint} (${found.source})`)]);
      if (found.profile.registered === false) {
        emit([warn('Azure', 'CredentialRegistered', params.credentialProfile, 'New-OfflineSeedCredential could not register the certificate on the application itself', 'Make sure an administrator ran the command it printed (az ad app credential reset ... --append); the Credential check below shows whether the sign-in works.')]);
      }
    } catch (error) {
      credentialUsable = false;
      const advice = error instanceof OfflineSeedError ? error.recommendedAction : undefined;
      emit([fail('Azure', 'CredentialProfile', params.credentialProfile, (error as Error).message, advice ?? 'Create it with New-OfflineSeedCredential, or make the profile file readable.')]);
    }
  }
  const subscriptionId = params.subscriptionId ?? profileSubscription;
  const target = {
    // The control plane New-OfflineSeedImportJob uses for a new job unless told otherwise.
    service: params.service ?? 'DataBox',
    ...(subscriptionId === undefined ? {} : { subscriptionId }),
    ...(params.resourceGroup === undefined ? {} : { resourceGroup: params.resourceGroup }),
    ...(params.storageAccount === undefined ? {} : { storageAccount: params.storageAccount }),
    ...(params.container === undefined ? {} : { container: params.container }),
    ...(typeof address?.['countryOrRegion'] === 'string' && address['countryOrRegion'] !== '' ? { country: address['countryOrRegion'] } : {}),
  } as const;
  emit(nameChecks(target));
  if (params.offline === true) {
    emit([warn('Azure', 'AzureChecks', '(offline)', 'the Azure checks were skipped (-Offline): the control plane, credential, subscription, storage account, provider and rights are unchecked',
      'Run Test-OfflineSeedPrerequisite again without -Offline on a computer that reaches Azure.')]);
  } else if (credentialUsable) {
    context.throwIfCancelled();
    const cloud = azureCloud(applyCredentialProfile(params).environment);
    emit(await runAzureChecks(target, cloud, tokenCredential(params, cloud, 'arm'), context.signal));
  }
  events.log('information', summaryLine(results));
}
