/**
 * Bad requests derived from a command's params schema (as `describe` prints it), so a new command or
 * parameter gets its cases without anyone writing them: a valid base request, then one defect at a time.
 */

export interface PropertySchema {
  type?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: PropertySchema;
  $ref?: string;
  'x-secret'?: boolean;
}

export interface ParamsSchema {
  properties?: Record<string, PropertySchema>;
  required?: string[];
}

export interface DescribedCommand {
  command: string;
  params: ParamsSchema;
  secretParams: string[];
}

export interface BadCase {
  command: string;
  /** What is wrong, for the test name and the failure message. */
  what: string;
  /** The raw request text. */
  text: string;
  /** The message must match this (it names the offending field). */
  message?: RegExp;
  /** Only for cases that pass the schema: the engine itself decides; any stable id, exit 1 or 2. */
  semantic?: boolean;
}

/** Property names that hold a file-system path: the base points them into the case's work folder. */
export const PATH_LIKE = /(Path|Root|File|^repository$|^target$|^source$)$/;

/** A value that satisfies a string schema: fixed samples for known names, else tried against the pattern. */
function sampleString(name: string, schema: PropertySchema, work: string): string {
  if (PATH_LIKE.test(name)) return `${work}/${name}`;
  const known: Record<string, string> = {
    jobName: 'bad-input-job', container: 'bad-input', storageAccount: 'badinput01', location: 'West US', carrierName: 'DHL',
    trackingNumber: 'TRK-BAD-1', subscriptionId: '00000000-0000-0000-0000-000000000000', resourceGroup: 'bad-input-rg',
  };
  const candidates = [known[name], 'latest', 'abc', 'a1b2c3d4', '0123456789abcdef0123456789abcdef', '2026-01-01', '1/2', 'x'].filter((c): c is string => c !== undefined);
  for (const c of candidates) {
    const value = c.padEnd(schema.minLength ?? 0, 'x');
    if (schema.maxLength !== undefined && value.length > schema.maxLength) continue;
    if (schema.pattern === undefined || new RegExp(schema.pattern, 'u').test(value)) return value;
  }
  throw new Error(`no sample value for ${name} (pattern ${schema.pattern}): add one to sampleString`);
}

function sampleValue(name: string, schema: PropertySchema, work: string): unknown {
  if (schema.enum !== undefined) return schema.enum[0];
  switch (schema.type) {
    case 'string': return sampleString(name, schema, work);
    case 'integer':
    case 'number': return schema.minimum ?? 1;
    case 'boolean': return false;
    case 'array': return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => sampleValue(name, schema.items ?? { type: 'string' }, work));
    default: throw new Error(`no sample value for ${name} of type ${String(schema.type)}`);
  }
}

/** The smallest valid params: every required property, nothing else. */
export function baseParams(c: DescribedCommand, work: string): Record<string, unknown> {
  const props = c.params.properties ?? {};
  return Object.fromEntries((c.params.required ?? []).map((name) => [name, sampleValue(name, props[name] ?? {}, work)]));
}

/** A value of another JSON type than the schema wants. */
function wrongType(schema: PropertySchema): unknown {
  if (schema.enum !== undefined) return 12345;
  switch (schema.type) {
    case 'string': return 12345;
    case 'integer':
    case 'number': return '12';
    case 'boolean': return 'true';
    case 'array': return 'not-a-list';
    case 'object': return ['not', 'an', 'object'];
    default: return null;
  }
}

/** Values too large for the schema (or, without a limit, merely very large: the engine must still answer cleanly). */
function hugeValues(schema: PropertySchema): { what: string; value: unknown; refusedBySchema: boolean }[] {
  switch (schema.type) {
    case 'string':
      return schema.maxLength !== undefined
        ? [{ what: `${schema.maxLength + 1} characters`, value: 'x'.repeat(schema.maxLength + 1), refusedBySchema: true }]
        : [{ what: '1 MiB of characters', value: 'x'.repeat(1 << 20), refusedBySchema: false }];
    case 'integer':
    case 'number': {
      const out = [{ what: '1e308', value: 1e308, refusedBySchema: schema.maximum !== undefined }, { what: '-1e308', value: -1e308, refusedBySchema: schema.minimum !== undefined }];
      if (schema.type === 'integer') out.push({ what: '2.5 (not an integer)', value: 2.5, refusedBySchema: true });
      return out;
    }
    case 'array': {
      const item = schema.items?.type === 'string' ? 'x' : 1;
      return schema.maxItems !== undefined
        ? [{ what: `${schema.maxItems + 1} items`, value: Array.from({ length: schema.maxItems + 1 }, () => item), refusedBySchema: true }]
        : [{ what: '100000 items', value: Array.from({ length: 100_000 }, () => item), refusedBySchema: false }];
    }
    default:
      return [];
  }
}

/** "[[[[...]]]]" nested n deep, as text (JSON.stringify would recurse that deep). */
export function deepArrayText(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/**
 * A parameter's identity for the validator: its schema without the texts. Parameters with the same
 * schema (the Azure access parameters repeat in nine commands, every path is the same string schema)
 * take the same path through ajv, so one of them stands for all.
 */
function schemaKey(schema: PropertySchema): string {
  const { description: _d, 'x-cli': _x, ...rest } = schema as PropertySchema & { description?: string; 'x-cli'?: unknown };
  void _d;
  void _x;
  return JSON.stringify(rest);
}

export interface GenerationState {
  /** Schema keys already given their cases. */
  seen: Set<string>;
  /** Commands so far: the envelope variants rotate over the commands. */
  index: number;
}

/** One case of each kind per command, rotating through the variants of each kind. */
function pick<T>(variants: readonly T[], index: number): T {
  return variants[index % variants.length]!;
}

/**
 * Every command gets a malformed request, params of the wrong shape, an unknown field and a missing
 * required field (the variants of each rotate over the commands: the parsing before dispatch is
 * shared, and one engine process per case is the cost). Each distinct parameter schema gets a wrong
 * type (or null), a huge value and, for lists, a list nested 10000 deep, in the first command that has it.
 */
export function schemaCases(c: DescribedCommand, work: string, state: GenerationState): BadCase[] {
  const i = state.index++;
  const base = baseParams(c, work);
  const head = `{"protocol":1,"command":${JSON.stringify(c.command)},"params":`;
  const baseText = JSON.stringify(base);
  const withField = (name: string, valueText: string): string => `${head}${baseText.slice(0, -1)}${baseText === '{}' ? '' : ','}${JSON.stringify(name)}:${valueText}}}`;
  const malformed = pick([
    { what: 'truncated JSON', text: `${head}${baseText}`.slice(0, -1 - Math.floor(baseText.length / 2)) },
    { what: 'trailing garbage after the JSON', text: `${head}${baseText}} x` },
    { what: 'single-quoted JSON', text: `{'protocol':1,'command':'${c.command}','params':{}}` },
    { what: 'a NaN literal', text: `${head}{"x":NaN}}` },
    { what: 'a byte-order mark before the JSON', text: `\uFEFF${head}${baseText}}` },
  ], i);
  const shape = pick([{ what: 'params that are a list', text: `${head}[]}` }, { what: 'params that are null', text: `${head}null}` }, { what: 'params that are a string', text: `${head}"{}"}` }], i);
  const unknown = pick([
    { what: 'an unknown field', text: withField('colour', '"blue"'), field: 'colour' },
    { what: 'an unknown field holding a list nested 100000 deep', text: withField('deep', deepArrayText(100_000)), field: 'deep' },
    { what: 'an unknown field of 1 MiB', text: withField('x'.repeat(1 << 20), '1'), field: 'x+' },
  ], i);
  const cases: BadCase[] = [
    { command: c.command, what: malformed.what, text: malformed.text, message: /^request: not valid JSON/ },
    { command: c.command, what: shape.what, text: shape.text, message: /^params: must be object/ },
    { command: c.command, what: unknown.what, text: unknown.text, message: new RegExp(`^params\\.${unknown.field}: unknown field`) },
  ];
  const required = c.params.required ?? [];
  if (required.length > 0) {
    const name = pick(required, i);
    const without = { ...base };
    delete without[name];
    cases.push({ command: c.command, what: `required ${name} missing`, text: `${head}${JSON.stringify(without)}}`, message: new RegExp(`^params\\.${name}: required field is missing`) });
  }
  for (const [name, schema] of Object.entries(c.params.properties ?? {})) {
    const key = schemaKey(schema);
    if (state.seen.has(key)) continue;
    const n = state.seen.size;
    state.seen.add(key);
    const field = new RegExp(`^params\\.${name}(\\.|:)`);
    const withValue = (value: unknown): string => `${head}${JSON.stringify({ ...base, [name]: value })}}`;
    cases.push(n % 2 === 0
      ? { command: c.command, what: `${name} of the wrong type`, text: withValue(wrongType(schema)), message: field }
      : { command: c.command, what: `${name} null`, text: withValue(null), message: field });
    const huge = hugeValues(schema);
    if (huge.length > 0) {
      const h = pick(huge, n);
      cases.push({ command: c.command, what: `${name} of ${h.what}`, text: withValue(h.value), ...(h.refusedBySchema ? { message: field } : { semantic: true }) });
    }
    if (schema.type === 'array') {
      cases.push({ command: c.command, what: `${name} a list nested 10000 deep`, text: `${head}${JSON.stringify({ ...base, [name]: '\u0000DEEP' }).replace('"\\u0000DEEP"', deepArrayText(10_000))}}`, message: field });
    }
  }
  return cases;
}
