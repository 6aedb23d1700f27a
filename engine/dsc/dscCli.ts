/**
 * `offlineseed-engine dsc <get|test|set|export> --resource <type>`: the DSC v3 command-resource
 * contract, kept apart from the NDJSON protocol.
 *   stdin   the instance as one JSON object (DSC writes it compressed on one line; --input <json>
 *           is accepted too, for people)
 *   stdout  get: one state line; test: the state with _inDesiredState, then a JSON array of the
 *           properties not in the desired state; set: the state after, then the changed properties;
 *           export: one line per instance. Nothing else is ever written to stdout.
 *   stderr  one JSON object per line, {"info"|"warn"|"debug"|"trace"|"error": "message"}, which DSC
 *           re-emits as its own trace at that level
 *   exit    0 ok, 1 failed, 2 invalid input, 3 cancelled (DSC_EXIT_CODES)
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Cancellation } from '../protocol/cancellation.ts';
import { CancelledError, fromSystemError, OfflineSeedError } from '../protocol/errors.ts';
import type { LogLevel } from '../protocol/events.ts';
import { ExitCode, type ExitCodeValue } from '../protocol/exitCodes.ts';
import { redact } from '../protocol/secretRedactor.ts';
import type { DscContext, DscResource, Instance } from './resource.ts';
import { DSC_RESOURCES, findDscResource } from './resources.ts';

export const DSC_OPERATIONS = ['get', 'test', 'set', 'export'] as const;
export type DscOperation = (typeof DSC_OPERATIONS)[number];

export interface DscIo {
  readInput(): Promise<string>;
  stdout(line: string): void;
  stderr(line: string): void;
  now(): Date;
}

const TRACE_KEY: Record<LogLevel, string> = { information: 'info', warning: 'warn', verbose: 'debug', debug: 'trace' };

function trace(io: DscIo, key: string, message: string): void {
  if (message.trim() === '') return;
  io.stderr(`${redact(JSON.stringify({ [key]: message }))}\n`);
}

function usage(message: string): OfflineSeedError {
  return new OfflineSeedError('OfflineSeed.InvalidRequest', 'InvalidArgument',
    `${message}. Usage: offlineseed-engine dsc <${DSC_OPERATIONS.join('|')}> --resource <${DSC_RESOURCES.map((r) => r.type).join('|')}> [--input <json>] (instance JSON on stdin)`);
}

interface DscArgs {
  operation: DscOperation;
  resource: DscResource;
  input: string | undefined;
}

export function parseDscArgs(argv: readonly string[]): DscArgs {
  const [operation, ...rest] = argv;
  if (operation === undefined || !(DSC_OPERATIONS as readonly string[]).includes(operation)) throw usage(`unknown dsc operation "${operation ?? ''}"`);
  let type: string | undefined;
  let input: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    const value = rest[i + 1];
    if ((flag === '--resource' || flag === '-r') && value !== undefined) { type = value; i++; }
    else if ((flag === '--input' || flag === '-i') && value !== undefined) { input = value; i++; }
    else throw usage(`unknown argument "${flag}"`);
  }
  if (type === undefined) throw usage('--resource is required');
  const resource = findDscResource(type);
  if (resource === undefined) throw usage(`unknown resource type "${type}"`);
  return { operation: operation as DscOperation, resource, input };
}

let ajv: Ajv2020 | undefined;

export function validateInstance(resource: DscResource, value: unknown): Instance {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new OfflineSeedError('OfflineSeed.InvalidRequest', 'InvalidArgument', `input: ${resource.type} expects a JSON object`);
  }
  ajv ??= new Ajv2020({ strict: false, allErrors: false });
  const validate = ajv.compile(resource.schema());
  if (!validate(value)) {
    const e = validate.errors?.[0];
    const where = (e?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    const extra = e?.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : e?.keyword === 'required' ? ` (${String((e.params as { missingProperty?: string }).missingProperty)})` : '';
    throw new OfflineSeedError('OfflineSeed.InvalidRequest', 'InvalidArgument', `input${where === '' ? '' : `.${where}`}: ${e?.message ?? 'invalid'}${extra} (${resource.type} schema)`, { targetObject: where || resource.type });
  }
  return value as Instance;
}

function exitCodeOf(error: OfflineSeedError): ExitCodeValue {
  if (error instanceof CancelledError || error.category === 'OperationStopped') return ExitCode.cancelled;
  return error.category === 'InvalidArgument' ? ExitCode.invalidRequest : ExitCode.failed;
}

export async function runDsc(argv: readonly string[], io: DscIo, cancellation: Cancellation = new Cancellation()): Promise<ExitCodeValue> {
  try {
    const args = parseDscArgs(argv);
    const text = args.input ?? (await io.readInput());
    let value: unknown;
    try {
      value = JSON.parse(text.trim() === '' ? '{}' : text);
    } catch (error) {
      throw new OfflineSeedError('OfflineSeed.InvalidRequest', 'InvalidArgument', `input: not valid JSON (${(error as Error).message})`);
    }
    const input = validateInstance(args.resource, value);
    const context: DscContext = { log: (level, message) => trace(io, TRACE_KEY[level], message), now: io.now, cancellation };
    const line = (v: unknown): void => io.stdout(`${redact(JSON.stringify(v))}\n`);
    switch (args.operation) {
      case 'get':
        line(await args.resource.get(input, context));
        break;
      case 'test':
      case 'set': {
        const { state, diff } = await args.resource[args.operation](input, context);
        line(state);
        line([...new Set(diff)]);
        break;
      }
      case 'export':
        for (const instance of await args.resource.export(input, context)) line(instance);
        break;
    }
    return ExitCode.ok;
  } catch (error) {
    const known = error instanceof OfflineSeedError ? error : fromSystemError(error);
    if (known === undefined) {
      const message = error instanceof Error ? error.message : String(error);
      trace(io, 'trace', error instanceof Error && error.stack !== undefined ? error.stack : message);
      trace(io, 'error', `[OfflineSeed.InternalError] Internal error: ${message}`);
      return ExitCode.failed;
    }
    const advice = known.recommendedAction === undefined ? '' : ` ${known.recommendedAction}`;
    trace(io, 'error', `[${known.errorId}] ${known.message}${/[.!?]$/.test(known.message) ? '' : '.'}${advice}`);
    return exitCodeOf(known);
  }
}

/** Reads stdin to its end (DSC closes it after writing the instance); a terminal gives no input. */
export function readAllStdin(): Promise<string> {
  if (process.stdin.isTTY) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => (text += chunk));
    process.stdin.on('end', () => resolve(text));
    process.stdin.on('error', reject);
  });
}
