/**
 * Derives command-line flags from a command's params schema, so the CLI and the protocol cannot
 * disagree. `x-cli: {"flag": "source"}` renames a flag; secrets are never flags (they come from an
 * environment variable or a file, see secretInput.ts).
 */
import type { JsonSchema } from '../protocol/schemaStore.ts';

export type FlagType = 'string' | 'number' | 'boolean' | 'array' | 'json';

export interface FlagSpec {
  param: string;
  flag: string;
  type: FlagType;
  description: string;
  required: boolean;
  choices?: readonly (string | number)[];
  secret: boolean;
  /**
   * A secret's file flag (--<flag>-file), read by the CLI. Undefined when the command has a parameter
   * of its own on that flag (passwordFile): the engine reads that file, and the CLI takes the secret
   * from the environment or a prompt only.
   */
  fileFlag?: string;
}

interface PropertySchema {
  type?: string | string[];
  description?: string;
  enum?: (string | number)[];
  items?: PropertySchema;
  'x-cli'?: { flag?: string };
  'x-secret'?: boolean;
}

export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function flagsFromSchema(schema: JsonSchema, secretParams: readonly string[]): FlagSpec[] {
  const properties = (schema.properties ?? {}) as Record<string, PropertySchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const flagOf = (param: string, prop: PropertySchema): string => prop['x-cli']?.flag ?? kebabCase(param);
  const isSecret = (param: string, prop: PropertySchema): boolean => prop['x-secret'] === true || secretParams.includes(param);
  const plainFlags = new Set(Object.entries(properties).filter(([param, prop]) => !isSecret(param, prop)).map(([param, prop]) => flagOf(param, prop)));
  return Object.entries(properties).map(([param, prop]) => {
    const flag = flagOf(param, prop);
    const secret = isSecret(param, prop);
    return {
      param,
      flag,
      type: flagType(prop),
      description: prop.description ?? '',
      required: required.has(param),
      ...(prop.enum === undefined ? {} : { choices: prop.enum }),
      secret,
      ...(secret && !plainFlags.has(`${flag}-file`) ? { fileFlag: `${flag}-file` } : {}),
    };
  });
}

function flagType(prop: PropertySchema): FlagType {
  const type = Array.isArray(prop.type) ? prop.type[0] : prop.type;
  switch (type) {
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return prop.items?.type === 'object' ? 'json' : 'array';
    case 'object':
      return 'json';
    default:
      return 'string';
  }
}

/** A command line that cannot become a request: reported as OfflineSeed.InvalidRequest, exit code 2. */
export class UsageError extends Error {}

/** Turns parsed flag values back into params; JSON flags accept inline JSON or @file. */
export function paramsFromFlags(flags: readonly FlagSpec[], argv: Record<string, unknown>, readFile: (path: string) => string): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const spec of flags) {
    if (spec.secret) continue;
    const value = argv[spec.flag];
    if (value === undefined) continue;
    if (spec.type === 'json') {
      params[spec.param] = jsonFlagValue(spec.flag, String(value), readFile);
    } else {
      params[spec.param] = value;
    }
  }
  return params;
}

function jsonFlagValue(flag: string, text: string, readFile: (path: string) => string): unknown {
  let json = text;
  if (text.startsWith('@')) {
    try {
      json = readFile(text.slice(1));
    } catch (error) {
      throw new UsageError(`--${flag}: cannot read ${text.slice(1)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new UsageError(`--${flag}: not valid JSON (${(error as Error).message}); give JSON inline or @file`);
  }
}
