/** What a DSC v3 command resource is, for the engine's `dsc` entry point and the manifest generator. */
import { OfflineSeedError } from '../protocol/errors.ts';
import type { JsonSchema } from '../protocol/schemaStore.ts';
import { runCommand, type CommandOutcome, type LogHandler } from './runCommand.ts';
import type { Cancellation } from '../protocol/cancellation.ts';

export type Instance = Record<string, unknown>;

export interface DscContext {
  log: LogHandler;
  now(): Date;
  cancellation: Cancellation;
}

export interface StateAndDiff {
  state: Instance;
  /** test: properties not in the desired state; set: properties that changed. */
  diff: string[];
}

export interface DscResource {
  /** Owner/Name, e.g. OfflineSeed/ImportJob. */
  readonly type: string;
  readonly description: string;
  /** The embedded instance schema. */
  schema(): JsonSchema;
  get(input: Instance, context: DscContext): Promise<Instance>;
  test(input: Instance, context: DscContext): Promise<StateAndDiff>;
  set(input: Instance, context: DscContext): Promise<StateAndDiff>;
  export(input: Instance, context: DscContext): Promise<Instance[]>;
}

/** Copies the named properties that are set in the input. */
export function pick(input: Instance, names: readonly string[]): Instance {
  const out: Instance = {};
  for (const name of names) if (input[name] !== undefined && input[name] !== null) out[name] = input[name];
  return out;
}

/** Runs an engine command; a failure becomes the same OfflineSeedError the command reported. */
export async function runOrThrow(command: string, params: Instance, context: DscContext): Promise<CommandOutcome> {
  const outcome = await runCommand(command, params, context.log, context.cancellation);
  if (outcome.exitCode !== 0) throw errorOf(outcome);
  return outcome;
}

export function errorOf(outcome: CommandOutcome): OfflineSeedError {
  const e = outcome.error;
  if (e === undefined) return new OfflineSeedError('OfflineSeed.InternalError', 'NotSpecified', `the command ended with exit code ${outcome.exitCode} without an error`);
  return new OfflineSeedError(e.errorId, e.category, e.message, {
    ...(e.targetObject === undefined ? {} : { targetObject: e.targetObject }),
    ...(e.recommendedAction === undefined ? {} : { recommendedAction: e.recommendedAction }),
  });
}
