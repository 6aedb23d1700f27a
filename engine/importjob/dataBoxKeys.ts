/**
 * job.keys on the Data Box control plane: POST listCredentials, whose DataBoxCustomerDisk secrets hold
 * one BitLocker recovery password per disk (and the return carrier account number, which is
 * registered as a secret at once and never shown). The caller writes the keys into result objects and
 * registers them as secrets.
 */
import type { CustomerDiskJobSecrets } from '@azure/arm-databox';
import { registerSecret } from '../protocol/secretRedactor.ts';
import type { ArmAccessParams } from './armClient.ts';
import { dataBoxCall, dataBoxClient, dataBoxJobId } from './dataBoxClient.ts';
import type { DriveKey } from './jobBackend.ts';
import type { JobTarget } from './target.ts';

export async function listDataBoxKeys(params: ArmAccessParams, target: JobTarget): Promise<DriveKey[]> {
  const keys: DriveKey[] = [];
  const client = dataBoxClient(params, target.subscriptionId);
  try {
    await dataBoxCall(`list the credentials of Data Box job ${target.jobName}`, dataBoxJobId(target), async () => {
      for await (const c of client.jobs.listCredentials(target.resourceGroup, target.jobName)) {
        if (c.jobSecrets?.jobSecretsType !== 'DataBoxCustomerDisk') continue;
        const secrets = c.jobSecrets as CustomerDiskJobSecrets;
        // The return carrier's account number is a secret there too, and never shown.
        if (secrets.carrierAccountNumber !== undefined) registerSecret(secrets.carrierAccountNumber);
        for (const disk of secrets.diskSecrets ?? []) keys.push({ driveId: disk.diskSerialNumber ?? '', bitLockerKey: disk.bitLockerKey ?? '' });
      }
    });
  } catch (error) {
    // Keys read before a failure are never shown: no error line may carry one.
    for (const k of keys) registerSecret(k.bitLockerKey);
    throw error;
  }
  return keys;
}
