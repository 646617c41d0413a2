// Zoom's `date_time` (ISO-8601, with or without milliseconds or offset) and `event_ts` → epoch ms.
// A date-time without an offset is UTC (Zoom documents UTC); `Date.parse` would use local time.

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
}

// The items of one event nearly always carry the same date_time: remember the last one parsed.
let lastRaw: string | undefined;
let lastResult: number | undefined;

/** Epoch ms of a Zoom date-time string, or undefined when it is not one. */
export function parseZoomTime(raw: unknown): number | undefined {
  if (typeof raw !== 'string') return undefined;
  if (raw === lastRaw) return lastResult;
  lastRaw = raw;
  lastResult = parseUncached(raw);
  return lastResult;
}

function parseUncached(raw: string): number | undefined {
  const utc = parseCommonForm(raw);
  if (utc !== null) return utc;
  const m = ISO.exec(raw.trim());
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((p) => Number(p ?? '0')) as [
    number, number, number, number, number, number,
  ];
  const ms = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  return checkedUtc(year, month, day, hour, minute, second, ms, offsetMinutes(m[8]));
}

function checkedUtc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number, offset: number): number | undefined {
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(utc);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  return utc - offset * 60_000;
}

/** The two decimal digits at `i` as a number, or -1. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * `YYYY-MM-DDTHH:MM:SSZ`, the form Zoom sends, read by char code (the regex was most of this
 * file's time); null for any other text, which the regex then reads.
 */
function parseCommonForm(s: string): number | undefined | null {
  if (s.length !== 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84) return null; // - - T
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 90) return null; // : : Z
  const century = twoDigits(s, 0);
  const year = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  if (century < 0 || year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null;
  return checkedUtc(century * 100 + year, month, day, hour, minute, second, 0, 0);
}

/** `event_ts` (epoch ms, a JSON number) or undefined. */
export function parseEventTs(raw: unknown): number | undefined {
  return typeof raw === 'number' && Number.isFinite(raw) && raw > 0 ? Math.trunc(raw) : undefined;
}
