/**
 * job.keys on the Import/Export control plane: POST listBitLockerKeys, the only response that ever
 * carries the keys. The caller writes them into result objects and registers them as secrets.
 */
import { registerSecret } from '../protocol/secretRedactor.ts';
import { armCall, importExportClient, type ArmAccessParams } from './armClient.ts';
import type { DriveKey } from './jobBackend.ts';
import { jobResourceId, type JobTarget } from './target.ts';

export async function listImportExportKeys(params: ArmAccessParams, target: JobTarget): Promise<DriveKey[]> {
  const keys: DriveKey[] = [];
  const client = importExportClient(params, target.subscriptionId);
  try {
    await armCall(`list the BitLocker keys of import job ${target.jobName}`, jobResourceId(target), async () => {
      for await (const k of client.bitLockerKeys.list(target.jobName, target.resourceGroup)) keys.push({ driveId: k.driveId ?? '', bitLockerKey: k.bitLockerKey ?? '' });
    });
  } catch (error) {
    // Keys read before a failure are never shown: no error line may carry one.
    for (const k of keys) registerSecret(k.bitLockerKey);
    throw error;
  }
  return keys;
}
