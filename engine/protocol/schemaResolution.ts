/**
 * Command schemas may share parameter groups through allOf/$ref (e.g. Azure access). For people and
 * tools that read a schema (describe, the CLI, the PowerShell module's checks, DSC) the references are
 * folded in: one flat object schema with every property.
 */
import { allSchemas, type JsonSchema } from './schemaStore.ts';

function byId(id: string): JsonSchema {
  const found = Object.values(allSchemas()).find((s) => s.$id === id);
  if (found === undefined) throw new Error(`no schema with $id ${id}`);
  return found;
}

export function flattenSchema(schema: JsonSchema): JsonSchema {
  const parts = (schema.allOf as { $ref?: string }[] | undefined) ?? [];
  if (parts.length === 0) return schema;
  const properties: Record<string, unknown> = {};
  const required = new Set<string>((schema.required as string[] | undefined) ?? []);
  for (const part of parts) {
    if (part.$ref === undefined) continue;
    const referenced = flattenSchema(byId(part.$ref));
    Object.assign(properties, referenced.properties as Record<string, unknown> | undefined);
    for (const r of (referenced.required as string[] | undefined) ?? []) required.add(r);
  }
  Object.assign(properties, schema.properties as Record<string, unknown> | undefined);
  const { allOf: _allOf, unevaluatedProperties: _unevaluated, ...rest } = schema;
  void _allOf;
  void _unevaluated;
  return { ...rest, properties, ...(required.size > 0 ? { required: [...required] } : {}), additionalProperties: false };
}

/** Names of the properties marked x-secret. */
export function secretProperties(schema: JsonSchema): string[] {
  const props = (flattenSchema(schema).properties ?? {}) as Record<string, { 'x-secret'?: boolean }>;
  return Object.entries(props).filter(([, p]) => p['x-secret'] === true).map(([k]) => k);
}
