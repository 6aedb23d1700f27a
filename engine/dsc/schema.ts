/**
 * The embedded instance schemas of the DSC resources, built from the same JSON Schemas the engine
 * validates its requests with (schemas/commands, schemas/common): a resource property that is a
 * command param is that param's schema, so the two cannot drift. Secret params are never resource
 * properties (a DSC configuration is plain text); the x-* annotations are dropped.
 */
import { schemaById } from '../protocol/schemaStore.ts';
import { flattenSchema } from '../protocol/schemaResolution.ts';
import type { JsonSchema } from '../protocol/schemaStore.ts';

export const DSC_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

function withoutAnnotations(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutAnnotations);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(Object.entries(schema).filter(([k]) => !k.startsWith('x-')).map(([k, v]) => [k, withoutAnnotations(v)]));
}

/** The named properties of a command's params schema (allOf groups folded in). */
export function paramProperties(command: string, names: readonly string[]): Record<string, JsonSchema> {
  const flat = flattenSchema(schemaById(`urn:offlineseed:command:${command}:params`));
  const properties = (flat.properties ?? {}) as Record<string, JsonSchema & { 'x-secret'?: boolean }>;
  const out: Record<string, JsonSchema> = {};
  for (const name of names) {
    const property = properties[name];
    if (property === undefined) throw new Error(`${command} params have no property ${name}`);
    if (property['x-secret'] === true) throw new Error(`${command}.${name} is a secret and cannot be a DSC property`);
    out[name] = withoutAnnotations(property) as JsonSchema;
  }
  return out;
}

/** The non-secret ways to reach Azure; without them the engine uses DefaultAzureCredential (managed identity). */
export const AZURE_ACCESS_PROPERTIES = ['environment', 'tenantId', 'clientId', 'clientCertificatePath'] as const;

export function instanceSchema(title: string, description: string, properties: Record<string, JsonSchema>, required: readonly string[]): JsonSchema {
  return {
    $schema: DSC_SCHEMA_DIALECT,
    title,
    description,
    type: 'object',
    ...(required.length > 0 ? { required: [...required] } : {}),
    properties: {
      ...properties,
      _exist: { type: 'boolean', description: 'Whether the resource exists (canonical DSC property).' },
      _inDesiredState: { type: ['boolean', 'null'], readOnly: true, description: 'Returned by test (canonical DSC property).' },
    },
    additionalProperties: false,
  };
}
