/**
 * Writes events as NDJSON (one JSON object per line, UTF-8, "\n"). Progress is throttled per bar so a
 * fast loop cannot flood the PowerShell host; the first, last and completed events always go out.
 */
import type { ErrorCategory } from './errors.ts';
import type { EngineEvent, LogLevel, ProgressEvent } from './events.ts';
import { redact } from './secretRedactor.ts';

export interface ProgressUpdate {
  id: number;
  parentId?: number;
  activity: string;
  status: string;
  currentOperation?: string;
  percent?: number;
  secondsRemaining?: number;
  completed?: boolean;
}

export interface ErrorReport {
  errorId: string;
  category: ErrorCategory;
  message: string;
  targetObject?: string;
  recommendedAction?: string;
  terminating: boolean;
}

export interface EventSink {
  progress(update: ProgressUpdate): void;
  log(level: LogLevel, message: string, tags?: string[]): void;
  result(typeName: string, data: Record<string, unknown>): void;
  error(report: ErrorReport): void;
  done(exitCode: 0 | 1 | 2 | 3): void;
}

export type LineWriter = (line: string) => void;

const PROGRESS_INTERVAL_MS = 250;

export function createEventSink(write: LineWriter, now: () => number = Date.now): EventSink {
  const lastProgress = new Map<number, number>();
  const emit = (event: EngineEvent): void => write(redact(JSON.stringify(event)) + '\n');
  return {
    progress(update) {
      const t = now();
      const last = lastProgress.get(update.id);
      const isEdge = last === undefined || update.completed === true || update.percent === 100;
      if (!isEdge && t - last < PROGRESS_INTERVAL_MS) return;
      lastProgress.set(update.id, t);
      const event: ProgressEvent = {
        type: 'progress',
        id: update.id,
        ...(update.parentId === undefined ? {} : { parentId: update.parentId }),
        activity: update.activity,
        status: update.status === '' ? ' ' : update.status,
        ...(update.currentOperation === undefined ? {} : { currentOperation: update.currentOperation }),
        percent: clampPercent(update.percent),
        secondsRemaining: update.secondsRemaining === undefined || !Number.isFinite(update.secondsRemaining)
          ? -1 : Math.max(-1, Math.round(update.secondsRemaining)),
        ...(update.completed === true ? { completed: true } : {}),
      };
      emit(event);
    },
    log(level, message, tags) {
      emit({ type: 'log', level, message, ...(tags === undefined ? {} : { tags }) });
    },
    result(typeName, data) {
      emit({ type: 'result', typeName, data });
    },
    error(report) {
      emit({
        type: 'error',
        errorId: report.errorId,
        category: report.category,
        message: report.message,
        ...(report.targetObject === undefined ? {} : { targetObject: report.targetObject }),
        ...(report.recommendedAction === undefined ? {} : { recommendedAction: report.recommendedAction }),
        terminating: report.terminating,
      });
    },
    done(exitCode) {
      emit({ type: 'done', exitCode });
    },
  };
}

function clampPercent(percent: number | undefined): number {
  if (percent === undefined || !Number.isFinite(percent)) return -1;
  return Math.max(0, Math.min(100, Math.floor(percent)));
}
