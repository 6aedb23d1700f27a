/**
 * What a user may give as "repository": a repository folder, a staging location (its offlineseed.json
 * names the repository folder), a drive folder holding the repository, or azure://account/container/prefix.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OfflineSeedError } from '../protocol/errors.ts';
import type { Backend } from './backend/backend.ts';
import { LocalBackend } from './backend/localBackend.ts';
import type { AzureEnvironmentName } from '../azure/azureCloud.ts';
import type { AzureAuthParams } from '../azure/azureCredentials.ts';
import type { AccessTier } from '../blob/azureBackend.ts';
import { blobPrefixProblem, containerNameProblem, storageAccountProblem } from '../seed/azureNames.ts';

export interface AzureLocation {
  account: string;
  container: string;
  prefix: string;
}

export function parseAzureUrl(url: string): AzureLocation | undefined {
  const m = /^azure:\/\/([^/]+)\/([^/]+)\/?(.*)$/.exec(url);
  if (m === null) return undefined;
  return { account: m[1]!, container: m[2]!, prefix: m[3]!.replace(/\/+$/, '') };
}

export function localRepositoryPath(path: string): string {
  if (existsSync(join(path, 'config'))) return path;
  const descriptor = join(path, 'offlineseed.json');
  if (existsSync(descriptor)) {
    try {
      const repository = (JSON.parse(readFileSync(descriptor, 'utf8')) as { repository?: string }).repository ?? 'repository';
      return join(path, repository);
    } catch {
      return join(path, 'repository');
    }
  }
  if (existsSync(join(path, 'repository', 'config'))) return join(path, 'repository');
  return path;
}

export interface AzureAccessParams extends AzureAuthParams {
  environment?: AzureEnvironmentName;
  storageAccountKey?: string;
  sasToken?: string;
}

/**
 * A local folder, or a container for azure:// (credentials from the request, else DefaultAzureCredential).
 * The Azure SDK is loaded only for azure://: a check or restore of a local repository does not pay for it.
 */
export async function openBackend(repository: string, access: AzureAccessParams = {}, azureOptions: { dataTier?: AccessTier } = {}): Promise<Backend> {
  const azure = parseAzureUrl(repository);
  if (azure !== undefined) return (await import('../blob/openAzureBackend.ts')).openAzureBackend(azure, access, azureOptions);
  if (repository.includes('://')) {
    throw new OfflineSeedError('OfflineSeed.InvalidRepository', 'InvalidArgument', `params.repository: unsupported location ${repository} (use a path or azure://<account>/<container>/<prefix>)`, { targetObject: repository });
  }
  return new LocalBackend(localRepositoryPath(repository));
}

/**
 * The account becomes a host name and the container and prefix a URL path: an account such as
 * "evil.example?" would send the key or token to another host, and a ".." segment would reach another
 * container once the URL is normalised. So all three are checked before any request is made.
 */
export function assertAzureLocation(location: AzureLocation): void {
  const where = `azure://${location.account}/${location.container}/${location.prefix}`;
  const refuse = (what: string, value: string, problem: string): never => {
    throw new OfflineSeedError(`OfflineSeed.Invalid${what}`, 'InvalidArgument', `${where}: "${value}" ${problem}`, {
      targetObject: where,
      recommendedAction: 'Give the repository as azure://<account>/<container>/<prefix>, with the names Azure allows.',
    });
  };
  const accountProblem = storageAccountProblem(location.account);
  if (accountProblem !== undefined) refuse('StorageAccountName', location.account, `(storage account) ${accountProblem}`);
  const containerProblem = ['$root', '$web'].includes(location.container) ? undefined : containerNameProblem(location.container);
  if (containerProblem !== undefined) refuse('ContainerName', location.container, `(container) ${containerProblem}`);
  const prefixProblem = blobPrefixProblem(location.prefix);
  if (prefixProblem !== undefined) refuse('BlobPrefix', location.prefix, `(blob prefix) ${prefixProblem}`);
}
