/** Staging progress as one bar: bytes and files done of the totals (known once the scan finishes), with ETA. */
import type { EventSink } from '../protocol/eventSink.ts';

export class ProgressMeter {
  private readonly events: EventSink;
  private readonly activity: string;
  private readonly started = Date.now();
  private totalFiles: number | undefined;
  private totalBytes: number | undefined;
  private files = 0;
  private bytes = 0;
  private lastPath = '';
  private finished = false;

  constructor(events: EventSink, activity: string) {
    this.events = events;
    this.activity = activity;
  }

  setTotals(files: number, bytes: number): void {
    this.totalFiles = files;
    this.totalBytes = bytes;
    this.emit();
  }

  read(bytes: number): void {
    this.bytes += bytes;
    this.emit();
  }

  /** A file taken unchanged from the parent snapshot counts as done without being read. */
  skipped(bytes: number): void {
    this.files++;
    this.bytes += bytes;
    this.emit();
  }

  fileDone(path: string): void {
    this.files++;
    this.lastPath = path;
    this.emit();
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.events.progress({ id: 1, activity: this.activity, status: `${this.files} files, ${formatBytes(this.bytes)}`, percent: 100, completed: true });
  }

  private emit(): void {
    if (this.finished) return;
    const elapsed = (Date.now() - this.started) / 1000;
    const rate = elapsed > 0 ? this.bytes / elapsed : 0;
    const known = this.totalBytes !== undefined;
    const percent = known && this.totalBytes! > 0 ? (this.bytes / this.totalBytes!) * 100 : -1;
    const remaining = known && rate > 0 ? (this.totalBytes! - this.bytes) / rate : -1;
    const status = known
      ? `${this.files} of ${this.totalFiles} files, ${formatBytes(this.bytes)} of ${formatBytes(this.totalBytes!)} (${formatBytes(rate)}/s)`
      : `${this.files} files, ${formatBytes(this.bytes)} (scanning)`;
    this.events.progress({ id: 1, activity: this.activity, status, currentOperation: this.lastPath, percent: Math.min(99, percent), secondsRemaining: remaining });
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}
