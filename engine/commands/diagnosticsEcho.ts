import { OfflineSeedError } from '../protocol/errors.ts';
import type { CommandContext } from './command.ts';

interface EchoParams {
  message?: string;
  holdMs?: number;
  fail?: boolean;
}

/**
 * Emits one event of every kind (nested progress, each log level, a non-terminating error, a result),
 * then optionally waits until holdMs passes or the run is cancelled. A host (the PowerShell module,
 * a script) uses it to check how it maps events, cancellation and errors without touching any data.
 */
export async function run(params: EchoParams, context: CommandContext): Promise<void> {
  const message = params.message ?? 'echo';
  const { events } = context;
  events.progress({ id: 1, activity: 'Diagnostics', status: 'starting', percent: 0, secondsRemaining: -1 });
  events.progress({ id: 2, parentId: 1, activity: 'Inner step', status: message, percent: 50 });
  events.progress({ id: 2, parentId: 1, activity: 'Inner step', status: 'done', percent: 100, completed: true });
  events.log('verbose', `verbose: ${message}`);
  events.log('debug', `debug: ${message}`);
  events.log('information', `information: ${message}`);
  events.log('warning', `warning: ${message}`);
  // With fail, the only error is the terminating one (so -ErrorAction Stop surfaces DiagnosticsFailure).
  if (params.fail !== true) events.error({
    errorId: 'OfflineSeed.DiagnosticsNonTerminating',
    category: 'InvalidData',
    message: `non-terminating error: ${message}`,
    targetObject: message,
    recommendedAction: 'Nothing to do: this error is part of the diagnostics.',
    terminating: false,
  });
  const started = Date.now();
  const holdMs = params.holdMs ?? 0;
  while (Date.now() - started < holdMs) {
    context.throwIfCancelled();
    const elapsed = Date.now() - started;
    events.progress({ id: 1, activity: 'Diagnostics', status: 'holding', percent: (elapsed / holdMs) * 100, secondsRemaining: (holdMs - elapsed) / 1000 });
    await new Promise((r) => setTimeout(r, 50));
  }
  events.progress({ id: 1, activity: 'Diagnostics', status: 'done', percent: 100, completed: true });
  if (params.fail === true) {
    throw new OfflineSeedError('OfflineSeed.DiagnosticsFailure', 'InvalidOperation', `requested failure: ${message}`, {
      targetObject: message,
      recommendedAction: 'Nothing to do: the failure was requested.',
    });
  }
  context.emitResult({ message, heldMs: Date.now() - started, cancelled: context.signal.aborted });
}
