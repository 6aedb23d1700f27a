/** One progress bar over a known number of bytes and files, with rate and ETA. */
import type { EventSink } from '../protocol/eventSink.ts';

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

export class ByteProgress {
  private readonly started = Date.now();
  private bytes = 0;
  private files = 0;
  private readonly events: EventSink;
  private readonly id: number;
  private readonly activity: string;
  private readonly totalBytes: number;
  private readonly totalFiles: number;
  private readonly parentId: number | undefined;

  constructor(events: EventSink, id: number, activity: string, totalBytes: number, totalFiles: number, parentId?: number) {
    this.events = events;
    this.id = id;
    this.activity = activity;
    this.totalBytes = totalBytes;
    this.totalFiles = totalFiles;
    this.parentId = parentId;
    this.emit('');
  }

  addBytes(n: number): void {
    this.bytes += n;
    this.emit('');
  }

  fileDone(path: string): void {
    this.files++;
    this.emit(path);
  }

  get bytesDone(): number {
    return this.bytes;
  }

  get seconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  finish(): void {
    this.events.progress({
      id: this.id, ...(this.parentId === undefined ? {} : { parentId: this.parentId }), activity: this.activity,
      status: `${this.files} files, ${formatBytes(this.bytes)} in ${this.seconds.toFixed(1)} s`, percent: 100, completed: true,
    });
  }

  private emit(currentOperation: string): void {
    const elapsed = this.seconds;
    const rate = elapsed > 0 ? this.bytes / elapsed : 0;
    const percent = this.totalBytes > 0 ? Math.min(99, (this.bytes / this.totalBytes) * 100) : 0;
    this.events.progress({
      id: this.id,
      ...(this.parentId === undefined ? {} : { parentId: this.parentId }),
      activity: this.activity,
      status: `${this.files} of ${this.totalFiles} files, ${formatBytes(this.bytes)} of ${formatBytes(this.totalBytes)} (${formatBytes(rate)}/s)`,
      ...(currentOperation === '' ? {} : { currentOperation }),
      percent,
      secondsRemaining: rate > 0 && this.bytes > 0 ? (this.totalBytes - this.bytes) / rate : -1,
    });
  }
}
