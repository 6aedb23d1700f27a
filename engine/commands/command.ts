/**
 * What a command is: a description (name such as seed.start, summary, cmdlet, result type, secret
 * parameters), its schemas (schemas/commands/<name>.params|result.schema.json), and a module whose
 * `run` does the work. The CLI, `describe`, the protocol dispatcher and the PowerShell module are all
 * derived from the command table (registry.ts), so no command is described twice.
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

/** What each engine/commands/<command>.ts exports: the work, with params already validated. */
export interface CommandModule {
  run(params: never, context: CommandContext): Promise<void>;
}

export interface CommandDescription {
  /** Dotted name, e.g. "seed.start"; the CLI spells it "seed start". */
  readonly name: string;
  readonly summary: string;
  /** The PowerShell cmdlet that fronts this command, for help and describe. */
  readonly cmdlet?: string;
  /** PSTypeName of every result object. */
  readonly resultTypeName: string;
  /** Names of params that are secrets: never on a command line, never echoed, redacted from output. */
  readonly secretParams?: readonly string[];
  /**
   * The command's code, loaded only when it runs: an engine start then compiles and initialises
   * the modules of one command, not those of all (the Azure SDKs, yargs, the archiver, ...).
   */
  load(): Promise<CommandModule>;
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
export function registerCommand(description: CommandDescription): RegisteredCommand {
  return {
    name: description.name,
    summary: description.summary,
    cmdlet: description.cmdlet,
    resultTypeName: description.resultTypeName,
    secretParams: description.secretParams ?? [],
    paramsSchemaId: `urn:offlineseed:command:${description.name}:params`,
    resultSchemaId: `urn:offlineseed:command:${description.name}:result`,
    run: async (params, context) => (await description.load()).run(params as never, context),
  };
}
