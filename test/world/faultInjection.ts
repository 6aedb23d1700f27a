/**
 * Fault injection for the emulators of the test world: the next N requests (optionally only of one
 * method or path) are answered with 500, 503 or 429 (with Retry-After) instead of being served, as
 * Azure Resource Manager does when a service is unwell or throttles. Every request the emulator is
 * asked about is logged with the real time it arrived, so tests can measure a client's backoff (the
 * emulator's own clock is virtual and stands still).
 *
 *   world.emulator.faults.failNext(2, 429, { retryAfterSeconds: 1, method: 'PUT' });
 */
export type InjectedStatus = 500 | 503 | 429;

export interface FaultRule {
  status: InjectedStatus;
  /** Requests still to fail. */
  remaining: number;
  retryAfterSeconds?: number;
  method?: string;
  /** Only paths matching this. */
  path?: RegExp;
}

export interface SeenRequest {
  /** Real time (Date.now()) the request arrived. */
  realMs: number;
  method: string;
  path: string;
  /** The status injected, or undefined when the request was served. */
  injected?: InjectedStatus;
}

export interface InjectedResponse {
  status: InjectedStatus;
  headers: Record<string, string>;
  body: { error: { code: string; message: string } };
}

const CODES: Record<InjectedStatus, [string, string]> = {
  500: ['InternalServerError', 'The server encountered an internal error. Please retry the request.'],
  503: ['ServiceUnavailable', 'The service is temporarily unavailable. Please retry the request.'],
  429: ['TooManyRequests', 'The request was throttled: too many requests. Retry after the time in the Retry-After header.'],
};

export class FaultInjector {
  private readonly rules: FaultRule[] = [];
  readonly seen: SeenRequest[] = [];

  /** The next `count` matching requests get `status`. Rules apply in the order they were added. */
  failNext(count: number, status: InjectedStatus, options: { retryAfterSeconds?: number; method?: string; path?: RegExp } = {}): void {
    this.rules.push({ status, remaining: count, ...options });
  }

  /** Drops every rule not used up yet. */
  clear(): void {
    this.rules.length = 0;
  }

  /** Called by the emulator for every request: the response to send instead, or undefined to serve it. */
  take(method: string, path: string): InjectedResponse | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && (r.method === undefined || r.method === method) && (r.path === undefined || r.path.test(path)));
    const seen: SeenRequest = { realMs: Date.now(), method, path };
    this.seen.push(seen);
    if (rule === undefined) return undefined;
    rule.remaining--;
    seen.injected = rule.status;
    const [code, message] = CODES[rule.status];
    return {
      status: rule.status,
      headers: rule.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(rule.retryAfterSeconds) },
      body: { error: { code, message } },
    };
  }
}
