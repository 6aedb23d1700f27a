/**
 * What a command is: a name (seed.start), its schemas (schemas/commands/<name>.params|result.schema.json),
 * and a run function. The CLI, `describe`, the protocol dispatcher and the PowerShell module are all
 * derived from this one table, so no command is described twice.
 */
import type { EventSink } from '../protocol/eventSink.ts';

export interface CommandContext {
  readonly signal: AbortSignal;
  readonly dryRun: boolean;
  readonly events: EventSink;
  /** Emits one output object of this command's result type (validated against its result schema). */
  emitResult(data: object): void;
  /** Throws CancelledError if the run was cancelled. Call between units of work. */
  throwIfCancelled(): void;
}

export interface CommandDefinition<P> {
  /** Dotted name, e.g. "seed.start"; the CLI spells it "seed start". */
  readonly name: string;
  readonly summary: string;
  /** The PowerShell cmdlet that fronts this command, for help and describe. */
  readonly cmdlet?: string;
  /** PSTypeName of every result object. */
  readonly resultTypeName: string;
  /** Names of params that are secrets: never on a command line, never echoed, redacted from output. */
  readonly secretParams?: readonly string[];
  run(params: P, context: CommandContext): Promise<void>;
}

export interface RegisteredCommand {
  readonly name: string;
  readonly summary: string;
  readonly cmdlet: string | undefined;
  readonly resultTypeName: string;
  readonly secretParams: readonly string[];
  readonly paramsSchemaId: string;
  readonly resultSchemaId: string;
  run(params: unknown, context: CommandContext): Promise<void>;
}

/** Params reach run() only after validation against the params schema, hence the one cast here. */
export function defineCommand<P>(definition: CommandDefinition<P>): RegisteredCommand {
  return {
    name: definition.name,
    summary: definition.summary,
    cmdlet: definition.cmdlet,
    resultTypeName: definition.resultTypeName,
    secretParams: definition.secretParams ?? [],
    paramsSchemaId: `urn:offlineseed:command:${definition.name}:params`,
    resultSchemaId: `urn:offlineseed:command:${definition.name}:result`,
    run: (params, context) => definition.run(params as P, context),
  };
}
