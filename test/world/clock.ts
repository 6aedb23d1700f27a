/**
 * The virtual clock of the test world. The service's timers (14-day Creating expiry, 14-day shipping
 * window, 90-day retention) run on it, so a test can jump weeks ahead in a millisecond.
 */

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface VirtualClock {
  /** Milliseconds since the epoch, in virtual time. */
  now(): number;
  /** Moves virtual time forward by `ms` (never backwards) and runs every listener. */
  advance(ms: number): void;
  /** Calls `listener` after every advance; returns a function that unsubscribes. */
  onAdvance(listener: (now: number) => void): () => void;
}

/** A clock that starts at `startMs` (default: the real time) and moves only when told. */
export function createVirtualClock(startMs: number = Date.now()): VirtualClock {
  let current = startMs;
  const listeners = new Set<(now: number) => void>();
  return {
    now: () => current,
    advance(ms: number): void {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`clock.advance: ${ms} is not a non-negative number of milliseconds`);
      current += ms;
      for (const listener of [...listeners]) listener(current);
    },
    onAdvance(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
