/**
 * Runs one engine command in-process and collects what it reports, for the DSC entry point: the same
 * validation and dispatch as a --json request (runRequest), with an event sink that keeps results
 * and hands log lines on. DSC resources are built from these commands, never from their internals.
 */
import { Cancellation } from '../protocol/cancellation.ts';
import type { ErrorReport, EventSink } from '../protocol/eventSink.ts';
import type { LogLevel } from '../protocol/events.ts';
import { runRequest } from '../protocol/runRequest.ts';

export interface CommandOutcome {
  exitCode: 0 | 1 | 2 | 3;
  results: Record<string, unknown>[];
  /** The terminating error, if the command failed. */
  error: ErrorReport | undefined;
}

export type LogHandler = (level: LogLevel, message: string) => void;

export async function runCommand(command: string, params: Record<string, unknown>, onLog: LogHandler, cancellation: Cancellation = new Cancellation()): Promise<CommandOutcome> {
  const results: Record<string, unknown>[] = [];
  let error: ErrorReport | undefined;
  const events: EventSink = {
    progress: () => undefined,
    log: (level, message) => onLog(level, message),
    result: (_typeName, data) => void results.push(data),
    error: (report) => {
      if (report.terminating) error ??= report;
      else onLog('warning', report.message);
    },
    done: () => undefined,
  };
  const request = JSON.stringify({ protocol: 1, command, params });
  const exitCode = await runRequest(request, { events, stderr: (text) => onLog('debug', text.trim()) }, cancellation);
  return { exitCode, results, error };
}
