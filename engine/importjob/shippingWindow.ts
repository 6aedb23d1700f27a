/**
 * The two two-week windows of a shipment, from the service's own timestamps (job creation, and the
 * moment it recorded the shipping information) and the ship date the admin gives:
 *
 *   creation rule (reference §4.4, "carrier and tracking number must be entered within 2 weeks of job
 *   creation or the job may be deleted and the drives not processed"; §6.16: a job left in Creating is
 *   deleted 14 days after its last update): the drives should leave, and the tracking number be
 *   recorded, no later than 14 days after the job was created.
 *
 *   arrival rule (reference §4.4, "drives must reach the datacenter within 2 weeks after the shipping
 *   information was given"; §6.16: 14 days after the job entered Shipping, drives not received are
 *   marked NeverReceived and, 30 days later, the job is Closed): the drives must arrive no later than
 *   14 days after the shipping information was recorded.
 *
 * A rule is Past when the ship date (or, for the creation rule, the recording) lies after its deadline,
 * Close when fewer than CLOSE_DAYS days separate the ship date from it (a carrier needs a few days).
 */
export const WINDOW_DAYS = 14;
export const CLOSE_DAYS = 3;
export const DAY_MS = 24 * 60 * 60 * 1000;

export type WindowVerdict = 'Ok' | 'Close' | 'Past';

export interface WindowWarning {
  rule: 'CreationWindow' | 'ArrivalWindow';
  verdict: 'Close' | 'Past';
  message: string;
}

export interface WindowInput {
  /** ms since the epoch (service time). */
  jobCreatedAt: number;
  /** When the service recorded the shipping information (service time). */
  recordedAt: number;
  /** The ship date, 00:00 UTC of the day the drives leave. */
  shipDate: number;
}

export interface WindowReport {
  shippingInfoDeadline: string;
  arrivalDeadline: string;
  window: WindowVerdict;
  warnings: WindowWarning[];
}

export const CREATION_RULE = 'reference §4.4 and §6.16: carrier and tracking number within 14 days of job creation (a job left in Creating is deleted 14 days after its last update)';
export const ARRIVAL_RULE = 'reference §4.4 and §6.16: the drives must reach the datacenter within 14 days after the shipping information is recorded (then they are marked NeverReceived)';

function days(ms: number): string {
  const d = Math.abs(ms) / DAY_MS;
  const rounded = d >= 10 ? Math.round(d) : Math.round(d * 10) / 10;
  return `${rounded} day${rounded === 1 ? '' : 's'}`;
}

function date(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function evaluateWindow(input: WindowInput): WindowReport {
  const creationDeadline = input.jobCreatedAt + WINDOW_DAYS * DAY_MS;
  const arrivalDeadline = input.recordedAt + WINDOW_DAYS * DAY_MS;
  const warnings: WindowWarning[] = [];

  const latestCreationStep = Math.max(input.recordedAt, input.shipDate);
  const creationLeft = creationDeadline - latestCreationStep;
  if (creationLeft < 0) {
    const late = input.shipDate > creationDeadline ? `the drives leave on ${date(input.shipDate)}` : `the shipping information was recorded on ${new Date(input.recordedAt).toISOString()}`;
    warnings.push({
      rule: 'CreationWindow',
      verdict: 'Past',
      message: `Past the creation window: ${late}, ${days(creationLeft)} after ${new Date(creationDeadline).toISOString()}, 14 days after the job was created (${CREATION_RULE}). The service may delete the job or refuse the drives: check the job, and if it is gone create a new one before shipping.`,
    });
  } else if (creationLeft < CLOSE_DAYS * DAY_MS) {
    warnings.push({
      rule: 'CreationWindow',
      verdict: 'Close',
      message: `Close to the creation window: only ${days(creationLeft)} were left of the 14 days after job creation (deadline ${new Date(creationDeadline).toISOString()}) when the drives ${input.shipDate > input.recordedAt ? 'leave' : 'were recorded'} (${CREATION_RULE}).`,
    });
  }

  const transit = arrivalDeadline - input.shipDate;
  if (transit <= 0) {
    warnings.push({
      rule: 'ArrivalWindow',
      verdict: 'Past',
      message: `Past the arrival window: the drives leave on ${date(input.shipDate)}, ${days(transit)} after the arrival deadline ${new Date(arrivalDeadline).toISOString()} (${ARRIVAL_RULE}). Record the shipment only when the drives really leave, or expect them to be marked NeverReceived.`,
    });
  } else if (transit < CLOSE_DAYS * DAY_MS) {
    warnings.push({
      rule: 'ArrivalWindow',
      verdict: 'Close',
      message: `Close to the arrival window: the drives leave on ${date(input.shipDate)} and must arrive by ${new Date(arrivalDeadline).toISOString()}, ${days(transit)} later (${ARRIVAL_RULE}). Use an express service, or record the shipment when the drives leave.`,
    });
  }
  const window: WindowVerdict = warnings.some((w) => w.verdict === 'Past') ? 'Past' : warnings.length > 0 ? 'Close' : 'Ok';
  return {
    shippingInfoDeadline: new Date(creationDeadline).toISOString(),
    arrivalDeadline: new Date(arrivalDeadline).toISOString(),
    window,
    warnings,
  };
}

/** "2026-05-01" (or a full ISO timestamp) → 00:00 UTC of that day; undefined when it is not a date. */
export function parseShipDate(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T.*)?$/.exec(text);
  if (m === null) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const back = new Date(ms);
  if (back.getUTCFullYear() !== Number(m[1]) || back.getUTCMonth() !== Number(m[2]) - 1 || back.getUTCDate() !== Number(m[3])) return undefined;
  return ms;
}

export function isoDate(ms: number): string {
  return date(ms);
}
