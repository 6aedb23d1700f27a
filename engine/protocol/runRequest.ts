/**
 * One request in, events out: parse, validate the envelope and the params against their schemas,
 * dispatch, and always finish with a done event. Returns the exit code.
 */
import { findCommand, allCommands } from '../commands/registry.ts';
import type { CommandContext, RegisteredCommand } from '../commands/command.ts';
import type { Cancellation } from './cancellation.ts';
import { CancelledError, fromSystemError, invalidRequest, OfflineSeedError } from './errors.ts';
import type { EventSink } from './eventSink.ts';
import { ExitCode, type ExitCodeValue } from './exitCodes.ts';
import { registerSecret } from './secretRedactor.ts';
import { validate } from './validator.ts';
import { secretProperties } from './schemaResolution.ts';
import { schemaById } from './schemaStore.ts';

export interface EngineRequest {
  protocol: 1;
  command: string;
  params: Record<string, unknown>;
  dryRun?: boolean;
}

export interface RunIo {
  events: EventSink;
  /** Crash text only (stack traces); never events. */
  stderr(text: string): void;
}

export function parseRequest(text: string): { request: EngineRequest; command: RegisteredCommand } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidRequest(`request: not valid JSON (${(error as Error).message})`);
  }
  const envelope = validate('urn:offlineseed:request', value);
  if (!envelope.valid) throw invalidRequest(envelope.message ?? 'request: invalid', envelope.field);
  const request = value as EngineRequest;
  const command = findCommand(request.command);
  if (command === undefined) {
    const known = allCommands().map((c) => c.name).join(', ');
    throw invalidRequest(`command: unknown command "${request.command}" (known: ${known})`, request.command);
  }
  for (const name of new Set([...command.secretParams, ...secretProperties(schemaById(command.paramsSchemaId))])) {
    const secret = request.params[name];
    if (typeof secret === 'string') registerSecret(secret);
  }
  const params = validate(command.paramsSchemaId, request.params, 'params');
  if (!params.valid) throw invalidRequest(params.message ?? 'params: invalid', params.field);
  return { request, command };
}

export async function runRequest(text: string, io: RunIo, cancellation: Cancellation): Promise<ExitCodeValue> {
  let exitCode: ExitCodeValue;
  try {
    const { request, command } = parseRequest(text);
    const context = makeContext(command, request, io, cancellation);
    await command.run(request.params, context);
    exitCode = ExitCode.ok;
  } catch (error) {
    exitCode = reportFailure(error, io);
  }
  io.events.done(exitCode);
  return exitCode;
}

function makeContext(command: RegisteredCommand, request: EngineRequest, io: RunIo, cancellation: Cancellation): CommandContext {
  return {
    signal: cancellation.signal,
    dryRun: request.dryRun === true,
    events: io.events,
    emitResult(data) {
      const outcome = validate(command.resultSchemaId, data, 'result');
      if (!outcome.valid) throw new Error(`engine bug: ${command.name} produced an invalid result (${outcome.message})`);
      io.events.result(command.resultTypeName, data as Record<string, unknown>);
    },
    throwIfCancelled: () => cancellation.throwIfCancelled(),
  };
}

/** Turns any thrown value into one terminating error event; stack traces go to stderr only. */
export function reportFailure(error: unknown, io: RunIo): ExitCodeValue {
  const known = error instanceof OfflineSeedError ? error : fromSystemError(error);
  if (known !== undefined) {
    io.events.error({
      errorId: known.errorId,
      category: known.category,
      message: known.message,
      ...(known.targetObject === undefined ? {} : { targetObject: known.targetObject }),
      ...(known.recommendedAction === undefined ? {} : { recommendedAction: known.recommendedAction }),
      terminating: true,
    });
    if (known instanceof CancelledError || known.category === 'OperationStopped') return ExitCode.cancelled;
    return known.category === 'InvalidArgument' ? ExitCode.invalidRequest : ExitCode.failed;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`${error instanceof Error && error.stack !== undefined ? error.stack : message}\n`);
  io.events.error({
    errorId: 'OfflineSeed.InternalError',
    category: 'NotSpecified',
    message: `Internal error: ${message}`,
    recommendedAction: 'Run again with the same arguments; if it fails again, report it with the engine\'s stderr text.',
    terminating: true,
  });
  return ExitCode.failed;
}
