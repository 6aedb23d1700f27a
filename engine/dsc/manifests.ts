/**
 * DSC v3 resource manifests (<name>.dsc.resource.json) for every resource in DSC_RESOURCES: each
 * operation runs `offlineseed-engine dsc <operation> --resource <type>` with the instance as one JSON
 * line on stdin, and the instance schema is embedded. DSC finds the manifests on PATH or
 * DSC_RESOURCE_PATH, and the executable on PATH (PATHEXT adds .exe on Windows): the packaged module
 * puts both in bin/.
 */
import { engineVersion } from '../engineInfo.ts';
import { DSC_EXIT_CODES } from './exitCodes.ts';
import { DSC_RESOURCES } from './resources.ts';

export const DSC_MANIFEST_SCHEMA = 'https://aka.ms/dsc/schemas/v3/bundled/resource/manifest.json';
export const DSC_EXECUTABLE = 'offlineseed-engine';

export function manifestFileName(type: string): string {
  return `${type.replace('/', '.').toLowerCase()}.dsc.resource.json`;
}

function method(operation: string, type: string): { executable: string; args: string[]; input: 'stdin' } {
  return { executable: DSC_EXECUTABLE, args: ['dsc', operation, '--resource', type], input: 'stdin' };
}

export function dscResourceManifests(version: string = engineVersion()): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const resource of DSC_RESOURCES) {
    out[manifestFileName(resource.type)] = {
      $schema: DSC_MANIFEST_SCHEMA,
      type: resource.type,
      version,
      description: resource.description,
      tags: ['OfflineSeed', 'Azure', 'Backup'],
      get: method('get', resource.type),
      test: { ...method('test', resource.type), return: 'stateAndDiff' },
      set: { ...method('set', resource.type), implementsPretest: true, return: 'stateAndDiff' },
      export: method('export', resource.type),
      exitCodes: Object.fromEntries(Object.entries(DSC_EXIT_CODES).map(([code, text]) => [code, text])),
      schema: { embedded: resource.schema() },
    };
  }
  return out;
}
