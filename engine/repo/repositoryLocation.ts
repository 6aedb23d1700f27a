/**
 * What a user may give as "repository": a repository folder, a staging location (its offlineseed.json
 * names the repository folder), a drive folder holding the repository, or azure://account/container/prefix.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OfflineSeedError } from '../protocol/errors.ts';
import type { Backend } from './backend/backend.ts';
import { LocalBackend } from './backend/localBackend.ts';

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

export type AzureBackendFactory = (location: AzureLocation) => Backend;
let azureFactory: AzureBackendFactory | undefined;

/** The Blob backend registers itself here, so local-only commands do not load the Azure SDK. */
export function registerAzureBackend(factory: AzureBackendFactory): void {
  azureFactory = factory;
}

export function openBackend(repository: string): Backend {
  const azure = parseAzureUrl(repository);
  if (azure !== undefined) {
    if (azureFactory === undefined) {
      throw new OfflineSeedError('OfflineSeed.BackendUnavailable', 'NotImplemented', `repositories in Azure Blob storage are not supported by this command yet: ${repository}`, { targetObject: repository });
    }
    return azureFactory(azure);
  }
  if (repository.includes('://')) {
    throw new OfflineSeedError('OfflineSeed.InvalidRepository', 'InvalidArgument', `params.repository: unsupported location ${repository} (use a path or azure://<account>/<container>/<prefix>)`, { targetObject: repository });
  }
  return new LocalBackend(localRepositoryPath(repository));
}
