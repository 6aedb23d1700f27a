/** The DSC resources the engine implements; the one list the entry point and the manifests come from. */
import { backupResource } from './backupResource.ts';
import { importJobResource } from './importJobResource.ts';
import type { DscResource } from './resource.ts';

export const DSC_RESOURCES: readonly DscResource[] = [importJobResource, backupResource];

export function findDscResource(type: string): DscResource | undefined {
  return DSC_RESOURCES.find((r) => r.type.toLowerCase() === type.toLowerCase());
}
