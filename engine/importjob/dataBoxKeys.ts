/**
 * job.keys on the Data Box control plane: POST listCredentials, whose DataBoxCustomerDisk secrets hold
 * one BitLocker recovery password per disk (and the return carrier account number, which is
 * registered as a secret and never shown). As on Import/Export, the keys appear only in the result
 * objects and are registered for redaction right after they are written.
 */
import type { CustomerDiskJobSecrets } from '@azure/arm-databox';
import type { CommandContext } from '../commands/command.ts';
import { registerSecret } from '../protocol/secretRedactor.ts';
import type { ArmAccessParams } from './armClient.ts';
import { dataBoxCall, dataBoxClient, dataBoxJobId } from './dataBoxClient.ts';
import type { JobTarget } from './target.ts';

export async function listDataBoxKeys(params: ArmAccessParams, context: CommandContext, target: JobTarget, local: Map<string, string>): Promise<{ driveId: string; bitLockerKey: string }[]> {
  const keys: { driveId: string; bitLockerKey: string }[] = [];
  const others: string[] = [];
  try {
    const client = dataBoxClient(params, target.subscriptionId);
    await dataBoxCall(`list the credentials of Data Box job ${target.jobName}`, dataBoxJobId(target), async () => {
      for await (const c of client.jobs.listCredentials(target.resourceGroup, target.jobName)) {
        if (c.jobSecrets?.jobSecretsType !== 'DataBoxCustomerDisk') continue;
        const secrets = c.jobSecrets as CustomerDiskJobSecrets;
        if (secrets.carrierAccountNumber !== undefined) others.push(secrets.carrierAccountNumber);
        for (const disk of secrets.diskSecrets ?? []) keys.push({ driveId: disk.diskSerialNumber ?? '', bitLockerKey: disk.bitLockerKey ?? '' });
      }
    });
    for (const secret of others) registerSecret(secret);
    context.events.log('verbose', `The service holds ${keys.length} BitLocker key(s) for Data Box job ${target.jobName}.`);
    for (const k of keys) {
      const mine = local.get(k.driveId.toUpperCase());
      context.emitResult({
        jobName: target.jobName,
        resourceGroup: target.resourceGroup,
        subscriptionId: target.subscriptionId,
        controlPlane: 'DataBox',
        driveId: k.driveId,
        bitLockerKey: k.bitLockerKey,
        ...(mine === undefined ? {} : { matchesKeyFile: mine === k.bitLockerKey }),
      });
    }
  } finally {
    for (const k of keys) registerSecret(k.bitLockerKey);
    for (const secret of others) registerSecret(secret);
  }
  return keys;
}
