/** The NDJSON events the engine writes to stdout, one per line. Shapes mirror schemas/events/*.json. */
import type { ErrorCategory } from './errors.ts';

export interface ProgressEvent {
  type: 'progress';
  id: number;
  parentId?: number;
  activity: string;
  status: string;
  currentOperation?: string;
  percent: number;
  secondsRemaining: number;
  completed?: boolean;
}

export type LogLevel = 'verbose' | 'information' | 'warning' | 'debug';

export interface LogEvent {
  type: 'log';
  level: LogLevel;
  message: string;
  tags?: string[];
}

export interface ResultEvent {
  type: 'result';
  typeName: string;
  data: Record<string, unknown>;
}

export interface ErrorEvent {
  type: 'error';
  errorId: string;
  category: ErrorCategory;
  message: string;
  targetObject?: string;
  recommendedAction?: string;
  terminating: boolean;
}

export interface DoneEvent {
  type: 'done';
  exitCode: 0 | 1 | 2 | 3;
}

export type EngineEvent = ProgressEvent | LogEvent | ResultEvent | ErrorEvent | DoneEvent;
