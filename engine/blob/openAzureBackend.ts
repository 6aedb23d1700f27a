/** The repository's container in Blob storage, with the credential the request gives (checked first). */
import { azureCloud, blobEndpoint } from '../azure/azureCloud.ts';
import { tokenCredential } from '../azure/azureCredentials.ts';
import { assertAzureLocation, type AzureAccessParams, type AzureLocation } from '../repo/repositoryLocation.ts';
import { AzureBackend, type AccessTier } from './azureBackend.ts';

export function openAzureBackend(location: AzureLocation, access: AzureAccessParams, extra: { dataTier?: AccessTier } = {}): AzureBackend {
  assertAzureLocation(location);
  const cloud = azureCloud(access.environment);
  const credential = access.storageAccountKey !== undefined
    ? { kind: 'key' as const, key: access.storageAccountKey }
    : access.sasToken !== undefined
      ? { kind: 'sas' as const, sas: access.sasToken }
      : { kind: 'token' as const, token: tokenCredential(access, cloud, 'storage') };
  return new AzureBackend({
    account: location.account,
    container: location.container,
    prefix: location.prefix,
    endpoint: blobEndpoint(cloud, location.account),
    credential,
    ...(extra.dataTier === undefined ? {} : { dataTier: extra.dataTier }),
  });
}
