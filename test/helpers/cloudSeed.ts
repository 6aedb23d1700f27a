/** Puts a staged repository into a Blob container, as an import would: the container becomes the repository. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { AzureBackend } from '../../engine/blob/azureBackend.ts';
import type { FileType } from '../../engine/repo/backend/backend.ts';
import type { World } from '../world/world.ts';

export function worldBackend(world: World, container: string, prefix: string): AzureBackend {
  return new AzureBackend({
    account: world.storageAccount.name,
    container,
    prefix,
    endpoint: world.storageEndpointTemplate.replace('{account}', world.storageAccount.name),
    credential: { kind: 'key', key: world.storageAccount.key },
  });
}

export async function uploadRepository(world: World, repository: string, container: string, prefix: string): Promise<AzureBackend> {
  const backend = worldBackend(world, container, prefix);
  await backend.create();
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  for (const file of walk(repository).filter((f) => !f.includes('.offlineseed-tmp') && !f.includes('/locks/'))) {
    const rel = relative(repository, file);
    const type = (rel === 'config' ? 'config' : rel.split('/')[0]) as FileType;
    await backend.save({ type, name: rel === 'config' ? 'config' : rel.split('/').at(-1)! }, readFileSync(file));
  }
  return backend;
}
