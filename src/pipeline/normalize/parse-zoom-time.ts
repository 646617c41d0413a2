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
  const m = ISO.exec(raw.trim());
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((p) => Number(p ?? '0')) as [
    number, number, number, number, number, number,
  ];
  const ms = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(utc);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  return utc - offsetMinutes(m[8]) * 60_000;
}

/** `event_ts` (epoch ms, a JSON number) or undefined. */
export function parseEventTs(raw: unknown): number | undefined {
  return typeof raw === 'number' && Number.isFinite(raw) && raw > 0 ? Math.trunc(raw) : undefined;
}
