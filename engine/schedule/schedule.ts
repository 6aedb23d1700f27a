/**
 * When a scheduled backup runs: every N hours, daily, or on some weekdays, at a time of day (local
 * time of the machine). Pure data and text; the Task Scheduler XML and the systemd timer are both
 * rendered from it.
 */
export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface Schedule {
  frequency: 'Hourly' | 'Daily' | 'Weekly';
  /** HH:MM, 24-hour clock, local time. Hourly: the first run of the day and the minute of every run. */
  at: string;
  /** Weekly only. */
  daysOfWeek: Weekday[];
  /** Hourly only: hours between runs (1..23). */
  everyHours: number;
}

export interface ScheduleParams {
  frequency?: Schedule['frequency'];
  at?: string;
  daysOfWeek?: Weekday[];
  everyHours?: number;
}

/** Fills the defaults: daily at 02:00; weekly defaults to Sunday; hourly to every hour. */
export function scheduleFrom(params: ScheduleParams): Schedule {
  const frequency = params.frequency ?? 'Daily';
  const days = params.daysOfWeek !== undefined && params.daysOfWeek.length > 0 ? params.daysOfWeek : ['Sunday' as const];
  return {
    frequency,
    at: params.at ?? '02:00',
    daysOfWeek: frequency === 'Weekly' ? [...new Set(days)].sort((a, b) => WEEKDAYS.indexOf(a) - WEEKDAYS.indexOf(b)) : [],
    everyHours: frequency === 'Hourly' ? params.everyHours ?? 1 : 1,
  };
}

export function describeSchedule(s: Schedule): string {
  switch (s.frequency) {
    case 'Hourly':
      return `every ${s.everyHours === 1 ? 'hour' : `${s.everyHours} hours`} from ${s.at}`;
    case 'Daily':
      return `daily at ${s.at}`;
    case 'Weekly':
      return `every ${s.daysOfWeek.join(', ')} at ${s.at}`;
  }
}
