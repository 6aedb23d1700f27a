/**
 * Event rendering for people: a live progress line on a terminal (stderr), warnings and errors on
 * stderr, results on stdout as "Name : value" lists like PowerShell's Format-List.
 */
import type { EventSink } from '../protocol/eventSink.ts';

export interface HumanSinkOptions {
  verbose: boolean;
  isTty: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
}

export function createHumanSink(options: HumanSinkOptions): EventSink {
  let liveLine = false;
  const clearLine = (): void => {
    if (liveLine) {
      options.err('\r\x1b[2K');
      liveLine = false;
    }
  };
  return {
    progress(update) {
      if (!options.isTty) return;
      clearLine();
      if (update.completed === true) return;
      const percent = update.percent === undefined || update.percent < 0 ? '' : `${Math.floor(update.percent)}% `;
      const eta = update.secondsRemaining === undefined || update.secondsRemaining < 0 ? '' : ` ETA ${formatSeconds(update.secondsRemaining)}`;
      const columns = process.stderr.columns ?? 100;
      options.err(`${percent}${update.activity}: ${update.status}${eta}`.slice(0, columns - 1));
      liveLine = true;
    },
    log(level, message) {
      if (level === 'warning') {
        clearLine();
        options.err(`WARNING: ${message}\n`);
      } else if (options.verbose || level === 'information') {
        clearLine();
        options.err(`${level === 'information' ? '' : `${level.toUpperCase()}: `}${message}\n`);
      }
    },
    result(_typeName, data) {
      clearLine();
      options.out(formatList(data) + '\n');
    },
    error(report) {
      clearLine();
      const action = report.recommendedAction === undefined ? '' : `\n  ${report.recommendedAction}`;
      options.err(`ERROR [${report.errorId}] ${report.message}${action}\n`);
    },
    done() {
      clearLine();
    },
  };
}

export function formatList(data: Record<string, unknown>): string {
  const keys = Object.keys(data);
  const width = Math.max(0, ...keys.map((k) => k.length));
  return keys
    .map((k) => {
      const v = data[k];
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      return `${k.padEnd(width)} : ${text}`;
    })
    .join('\n') + '\n';
}

function formatSeconds(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}
