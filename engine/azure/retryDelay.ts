/**
 * The first delay of the Azure SDK retry policies (they back off exponentially from it). 500 ms in
 * production; OFFLINESEED_RETRY_DELAY_MS shortens it so fault tests see every retry in seconds instead
 * of minutes, without mocking the retry policy itself.
 */
export const DEFAULT_RETRY_DELAY_MS = 500;

export function retryDelayMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.OFFLINESEED_RETRY_DELAY_MS;
  if (raw === undefined || !/^\d{1,5}$/.test(raw) || Number(raw) < 1) return DEFAULT_RETRY_DELAY_MS;
  return Number(raw);
}
