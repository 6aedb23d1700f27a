/**
 * job.keys (Get-OfflineSeedBitLockerKey): the BitLocker recovery passwords the service holds for the
 * job's drives (Import/Export listBitLockerKeys, Data Box listCredentials; no other response carries them).
 *
 * The keys are secrets, and the user asked for them: each result object carries one, and nothing else
 * does. Every line the engine writes passes through the secret redactor, which would blank the result
 * too; so the keys are registered as secrets right after the results are written (and before any error
 * is reported, should writing them fail): no later log line, warning or error can print them. With the
 * seed's staging location, each key is also compared with the drive's own key file (matchesKeyFile),
 * without printing either.
 */
import type { ArmAccessParams } from '../importjob/armClient.ts';
import type { ControlPlaneParams } from '../importjob/controlPlane.ts';
import { localKeysForComparison } from '../importjob/driveRecords.ts';
import { JOB_BACKENDS, type DriveKey } from '../importjob/jobBackend.ts';
import { controlPlaneOf } from '../importjob/locateJob.ts';
import { resolveJobTarget, type JobTargetParams } from '../importjob/target.ts';
import { registerSecret } from '../protocol/secretRedactor.ts';
import type { CommandContext } from './command.ts';

type KeysParams = JobTargetParams & ArmAccessParams & ControlPlaneParams;

export async function run(params: KeysParams, context: CommandContext): Promise<void> {
  const { events } = context;
  const target = await resolveJobTarget(params, { requireSeed: false, events: context.events });
  const local = target.stagingPath !== undefined && target.descriptor !== undefined
    ? await localKeysForComparison(target.stagingPath, target.descriptor)
    : new Map<string, string>();
  const controlPlane = await controlPlaneOf(params, target);
  let keys: DriveKey[] = [];
  try {
    keys = await JOB_BACKENDS[controlPlane].listKeys(params, target);
    events.log('verbose', `The service holds ${keys.length} BitLocker key(s) for ${controlPlane === 'DataBox' ? 'Data Box' : 'import'} job ${target.jobName}.`);
    for (const k of keys) {
      const mine = local.get(k.driveId.toUpperCase());
      context.emitResult({
        jobName: target.jobName,
        resourceGroup: target.resourceGroup,
        subscriptionId: target.subscriptionId,
        controlPlane,
        driveId: k.driveId,
        bitLockerKey: k.bitLockerKey,
        ...(mine === undefined ? {} : { matchesKeyFile: mine === k.bitLockerKey }),
      });
    }
  } finally {
    // From here on no line may carry a key, whatever happens.
    for (const k of keys) registerSecret(k.bitLockerKey);
    for (const key of local.values()) registerSecret(key);
  }
  const mismatched = keys.filter((k) => local.has(k.driveId.toUpperCase()) && local.get(k.driveId.toUpperCase()) !== k.bitLockerKey);
  if (mismatched.length > 0) {
    events.log('warning', `The service's BitLocker key for drive(s) ${mismatched.map((k) => k.driveId).join(', ')} differs from the seed's key file: the datacenter could not unlock them. Remove the job while Creating and create it again.`);
  }
}
