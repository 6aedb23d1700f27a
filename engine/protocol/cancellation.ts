/**
 * One AbortController per run. Sources: stdin closed, a {"type":"cancel"} line on stdin, SIGINT, SIGTERM.
 * Commands check the signal between units of work and leave everything resumable.
 */
import { CancelledError } from './errors.ts';

export class Cancellation {
  private readonly controller = new AbortController();
  reason: string | undefined;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get cancelled(): boolean {
    return this.controller.signal.aborted;
  }

  cancel(reason: string): void {
    if (this.cancelled) return;
    this.reason = reason;
    this.controller.abort(new CancelledError());
  }

  throwIfCancelled(): void {
    if (this.cancelled) throw new CancelledError();
  }
}
