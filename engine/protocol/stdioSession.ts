/**
 * The engine's machine interface: `offlineseed-engine --json`. Reads one request line from stdin
 * (or from --request FILE), then keeps reading stdin only to notice cancellation: a {"type":"cancel"}
 * line or stdin closing cancels the run. SIGINT/SIGTERM cancel too; a second signal exits at once.
 */
import { readFileSync } from 'node:fs';
import { Cancellation } from './cancellation.ts';
import { invalidRequest } from './errors.ts';
import { createEventSink, type EventSink } from './eventSink.ts';
import { ExitCode, type ExitCodeValue } from './exitCodes.ts';
import { reportFailure, runRequest } from './runRequest.ts';

export interface StdioSessionOptions {
  requestFile?: string;
  /** Where events go; NDJSON to stdout by default. */
  events?: EventSink;
}

export async function runStdioSession(options: StdioSessionOptions = {}): Promise<ExitCodeValue> {
  const cancellation = new Cancellation();
  const events = options.events ?? createEventSink(writeStdout(cancellation));
  const io = { events, stderr: (text: string) => void process.stderr.write(text) };
  installSignalHandlers(cancellation, events);

  let text: string;
  try {
    text = options.requestFile !== undefined
      ? readFileSync(options.requestFile, 'utf8')
      : await readRequestLine(cancellation);
  } catch (error) {
    const code = reportFailure(error, io);
    events.done(code);
    return code;
  }
  return runRequest(text, io, cancellation);
}

function writeStdout(cancellation: Cancellation): (line: string) => void {
  process.stdout.on('error', () => cancellation.cancel('stdout closed'));
  return (line) => {
    if (!process.stdout.destroyed) process.stdout.write(line);
  };
}

function installSignalHandlers(cancellation: Cancellation, events: EventSink): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    if (cancellation.cancelled) {
      events.done(ExitCode.cancelled);
      process.exit(ExitCode.cancelled);
    }
    cancellation.cancel(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Resolves with the first line; afterwards watches stdin for cancel lines and EOF. */
function readRequestLine(cancellation: Cancellation): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let request: string | undefined;
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (request === undefined) {
          if (line.trim() === '') continue;
          request = line;
          resolve(line);
        } else if (isCancelLine(line)) {
          cancellation.cancel('cancel requested on stdin');
        }
      }
    });
    process.stdin.on('end', () => {
      if (request === undefined) {
        if (buffer.trim() === '') reject(invalidRequest('request: stdin closed before a request arrived'));
        else {
          request = buffer;
          resolve(buffer);
        }
        return;
      }
      cancellation.cancel('stdin closed');
    });
    process.stdin.on('error', () => cancellation.cancel('stdin error'));
  });
}

function isCancelLine(line: string): boolean {
  try {
    const value = JSON.parse(line) as { type?: unknown };
    return value.type === 'cancel';
  } catch {
    return false;
  }
}
