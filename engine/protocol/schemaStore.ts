/**
 * All JSON Schemas under schemas/, keyed by their path relative to that folder
 * (e.g. "events/progress.schema.json"). In the bundled engine the build inlines them
 * (__OFFLINESEED_SCHEMAS__); in development they are read from disk.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

declare const __OFFLINESEED_SCHEMAS__: Record<string, JsonSchema> | undefined;

export type JsonSchema = { $id?: string; [key: string]: unknown };

let cache: Record<string, JsonSchema> | undefined;

export function schemaDirectory(): string {
  return fileURLToPath(new URL('../../schemas/', import.meta.url));
}

export function readSchemaDirectory(dir: string): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.schema.json')) {
        out[relative(dir, full).split(sep).join('/')] = JSON.parse(readFileSync(full, 'utf8')) as JsonSchema;
      }
    }
  };
  walk(dir);
  return out;
}

export function allSchemas(): Record<string, JsonSchema> {
  if (cache === undefined) {
    cache = typeof __OFFLINESEED_SCHEMAS__ !== 'undefined' ? __OFFLINESEED_SCHEMAS__ : readSchemaDirectory(schemaDirectory());
  }
  return cache;
}

export function schemaFile(path: string): JsonSchema {
  const schema = allSchemas()[path];
  if (schema === undefined) throw new Error(`schema ${path} is missing from schemas/`);
  return schema;
}

export function schemaById(id: string): JsonSchema {
  const found = Object.values(allSchemas()).find((s) => s.$id === id);
  if (found === undefined) throw new Error(`no schema with $id ${id}`);
  return found;
}
