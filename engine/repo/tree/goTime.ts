/**
 * Go time.Time as restic stores it: an instant plus the zone offset it is shown in.
 * restic formats node times with time.MarshalJSON (RFC3339Nano) in the process's local zone, so the
 * text depends on TZ. Offsets are kept in seconds because Go applies the full offset (historic local
 * mean time such as +00:53:28) to the clock fields but prints only hours and minutes.
 */

export interface GoTime {
  /** Seconds since 1970-01-01T00:00:00Z; may be negative. */
  unixSeconds: bigint;
  /** 0 to 999 999 999. */
  nanos: number;
  /** Offset east of UTC, in seconds, used to display this instant. */
  offsetSeconds: number;
}

/** Go's zero time.Time, "0001-01-01T00:00:00Z", which Go writes for a missing time. */
export const GO_ZERO_TIME: GoTime = Object.freeze({ unixSeconds: -62135596800n, nanos: 0, offsetSeconds: 0 });

const NS_PER_S = 1_000_000_000n;
const DATE_LIMIT_MS = 8.6e15;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

interface Civil {
  year: number;
  month: number;
  day: number;
}

/** Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil_from_days). */
function civilFromDays(days: number): Civil {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Days since 1970-01-01; a day past the month's end rolls over as in Go's time.Date. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * The process's local zone offset (TZ, else /etc/localtime) at an instant, in seconds, as Go's
 * time.Local reports it. Read from the local clock fields of a Date because getTimezoneOffset()
 * rounds away the seconds of local mean time offsets. Instants beyond Date's range use the offset
 * at the edge of that range.
 */
export function localOffsetSeconds(unixSeconds: bigint): number {
  const ms = Math.min(DATE_LIMIT_MS, Math.max(-DATE_LIMIT_MS, Number(unixSeconds) * 1000));
  const d = new Date(ms);
  const asUtc = new Date(0);
  asUtc.setUTCFullYear(d.getFullYear(), d.getMonth(), d.getDate());
  asUtc.setUTCHours(d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds());
  return Math.round((asUtc.getTime() - ms) / 1000);
}

/** time.Unix(0, ns) in the local zone. */
export function goTimeFromUnixNanos(ns: bigint): GoTime {
  const unixSeconds = floorDiv(ns, NS_PER_S);
  return { unixSeconds, nanos: Number(ns - unixSeconds * NS_PER_S), offsetSeconds: localOffsetSeconds(unixSeconds) };
}

export function goTimeToUnixNanos(t: GoTime): bigint {
  return t.unixSeconds * NS_PER_S + BigInt(t.nanos);
}

export function goTimesEqual(a: GoTime, b: GoTime): boolean {
  return a.unixSeconds === b.unixSeconds && a.nanos === b.nanos && a.offsetSeconds === b.offsetSeconds;
}

interface ClockFields extends Civil {
  secondOfDay: number;
}

function clockFields(t: GoTime): ClockFields {
  const local = t.unixSeconds + BigInt(t.offsetSeconds);
  const days = floorDiv(local, 86400n);
  return { ...civilFromDays(Number(days)), secondOfDay: Number(local - days * 86400n) };
}

/**
 * restic's FixTime: a year outside 0..9999 (which time.MarshalJSON refuses) is replaced by the nearest
 * bound with time.AddDate, keeping month, day and clock; the result is placed in the local zone again.
 */
export function fixTimeYear(t: GoTime): GoTime {
  const clock = clockFields(t);
  if (clock.year >= 0 && clock.year <= 9999) return t;
  const year = clock.year < 0 ? 0 : 9999;
  const civilSeconds = BigInt(daysFromCivil(year, clock.month, clock.day)) * 86400n + BigInt(clock.secondOfDay);
  // time.Date's two-step zone lookup: the offset at the clock reading taken as UTC, then at the corrected instant.
  const guess = localOffsetSeconds(civilSeconds);
  const unixSeconds = guess === 0 ? civilSeconds : civilSeconds - BigInt(localOffsetSeconds(civilSeconds - BigInt(guess)));
  return { unixSeconds, nanos: t.nanos, offsetSeconds: localOffsetSeconds(unixSeconds) };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Go's Z07:00: "Z" only for a zero offset; otherwise the offset truncated to whole minutes. */
function formatOffset(offsetSeconds: number): string {
  if (offsetSeconds === 0) return 'Z';
  const zone = Math.trunc(offsetSeconds / 60);
  const abs = Math.abs(zone);
  return `${zone < 0 ? '-' : '+'}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

/** time.Time.MarshalJSON's text (RFC3339Nano, no surrounding quotes), after restic's FixTime. */
export function formatGoTime(time: GoTime): string {
  const t = fixTimeYear(time);
  const c = clockFields(t);
  const hms = `${pad(Math.floor(c.secondOfDay / 3600), 2)}:${pad(Math.floor(c.secondOfDay / 60) % 60, 2)}:${pad(c.secondOfDay % 60, 2)}`;
  const fraction = t.nanos === 0 ? '' : `.${pad(t.nanos, 9).replace(/0+$/, '')}`;
  return `${pad(c.year, 4)}-${pad(c.month, 2)}-${pad(c.day, 2)}T${hms}${fraction}${formatOffset(t.offsetSeconds)}`;
}

export class GoTimeSyntaxError extends Error {
  override name = 'GoTimeSyntaxError';
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  return daysFromCivil(year, month + 1, 1) - daysFromCivil(year, month, 1);
}

/** time.Time.UnmarshalJSON's text (RFC 3339, fractional seconds optional, at most 9 digits kept). */
export function parseGoTime(text: string): GoTime {
  return parseCommonGoTime(text) ?? parseGoTimeByPattern(text);
}

/** The value of `count` ASCII digits at `at`, or -1. */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (!(d >= 0 && d <= 9)) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * RFC3339 read by position, without the pattern's match arrays and with one BigInt per time (three
 * times per node of every parent tree a backup reads). Anything it does not accept, including every
 * error, is left to parseGoTimeByPattern, so both give the same result for every text.
 */
function parseCommonGoTime(text: string): GoTime | undefined {
  if (text.length < 20 || text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':') return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  let p = 19;
  let nanos = 0;
  if (text[p] === '.') {
    const start = ++p;
    while (p < text.length && digitsAt(text, p, 1) >= 0) p++;
    if (p === start) return undefined;
    const kept = Math.min(p - start, 9);
    nanos = digitsAt(text, start, kept) * 10 ** (9 - kept);
  }
  let offsetSeconds = 0;
  if (text[p] === 'Z' && p + 1 === text.length) offsetSeconds = 0;
  else if ((text[p] === '+' || text[p] === '-') && p + 6 === text.length && text[p + 3] === ':') {
    const hours = digitsAt(text, p + 1, 2);
    const minutes = digitsAt(text, p + 4, 2);
    if (hours < 0 || minutes < 0) return undefined;
    offsetSeconds = (text[p] === '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
  } else return undefined;
  // Exact in a double: years 0-9999 are within ±2^53 seconds.
  const civilSeconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  return { unixSeconds: BigInt(civilSeconds - offsetSeconds), nanos, offsetSeconds };
}

/** The reference reading: the RFC3339 pattern and its error messages. */
export function parseGoTimeByPattern(text: string): GoTime {
  const m = RFC3339.exec(text);
  if (m === null) throw new GoTimeSyntaxError(`not an RFC 3339 time: ${JSON.stringify(text)}`);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw new GoTimeSyntaxError(`time field out of range: ${JSON.stringify(text)}`);
  }
  const nanos = m[7] === undefined ? 0 : Number(m[7].slice(0, 9).padEnd(9, '0'));
  const offsetSeconds = m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 3600 + Number(m[11]) * 60);
  const civilSeconds = BigInt(daysFromCivil(year, month, day)) * 86400n + BigInt(hour * 3600 + minute * 60 + second);
  return { unixSeconds: civilSeconds - BigInt(offsetSeconds), nanos, offsetSeconds };
}
