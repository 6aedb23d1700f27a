/** A token bucket over bytes: take(n) resolves when n more bytes fit under the configured rate. */
export class BandwidthLimiter {
  private readonly bytesPerSecond: number;
  private nextFree = 0;

  constructor(bytesPerSecond: number) {
    this.bytesPerSecond = bytesPerSecond;
  }

  async take(bytes: number, now: () => number = Date.now): Promise<void> {
    const start = Math.max(now(), this.nextFree);
    this.nextFree = start + (bytes / this.bytesPerSecond) * 1000;
    const wait = start - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}
