// One Zoom QoS detail value (`"63 kbps"`, `"134 ms"`, `"0.0%"`, `"1280*720"`, `"-56"`, `-71`, phone's
// bare `"23"`) → a number in the OpenTelemetry base unit, or why not. Pure.
//
// A bare number (no unit suffix, string or JSON number) is read in the unit Zoom documents for the
// field: kbps for bitrates, ms for durations, percent for loss/CPU, fps, dBm. Phone QoS sends only
// bare numbers (`"bitrate": "6"` = 6 kbps, `"network_delay": "23"` = 23 ms, `"avg_loss": "0.5"` = 0.5 %).

export type QosValueKind = 'bitrate' | 'duration' | 'percent' | 'frame_rate' | 'resolution' | 'rssi' | 'number';

export type QosValueFailure = 'empty' | 'unparseable' | 'unit_mismatch';

export interface Resolution {
  width: number;
  height: number;
}

export type QosValueResult<T> = { ok: true; value: T } | { ok: false; reason: QosValueFailure };

type ScalarKind = Exclude<QosValueKind, 'resolution'>;

/** Written by Zoom for "no data": never turned into 0. Compared trimmed and lower-cased. */
export const EMPTY_QOS_VALUES: readonly string[] = ['', '-', '--', 'n/a'];

interface Unit {
  readonly kind: ScalarKind;
  /** The power of ten from this unit to the base unit. */
  readonly exponent: number;
}

/** Unit suffix (lower case) → the kind it belongs to and the power of ten to the base unit. */
const UNITS: ReadonlyMap<string, Unit> = new Map([
  ['bps', { kind: 'bitrate', exponent: 0 }],
  ['bit/s', { kind: 'bitrate', exponent: 0 }],
  ['kbps', { kind: 'bitrate', exponent: 3 }],
  ['kbit/s', { kind: 'bitrate', exponent: 3 }],
  ['mbps', { kind: 'bitrate', exponent: 6 }],
  ['mbit/s', { kind: 'bitrate', exponent: 6 }],
  ['gbps', { kind: 'bitrate', exponent: 9 }],
  ['us', { kind: 'duration', exponent: -6 }],
  ['µs', { kind: 'duration', exponent: -6 }],
  ['ms', { kind: 'duration', exponent: -3 }],
  ['s', { kind: 'duration', exponent: 0 }],
  ['%', { kind: 'percent', exponent: -2 }],
  ['fps', { kind: 'frame_rate', exponent: 0 }],
  ['dbm', { kind: 'rssi', exponent: 0 }],
]);

/** The unit a bare number is taken to be in, as a power of ten to the base unit. */
const BARE_EXPONENT: Record<ScalarKind, number> = {
  bitrate: 3, // kbps
  duration: -3, // ms
  percent: -2, // %
  frame_rate: 0, // fps
  rssi: 0, // dBm
  number: 0,
};

const NUMBER_WITH_UNIT = /^(-?\d+(?:\.\d+)?)\s*(.*)$/;
const RESOLUTION = /^(\d+)\s*[*xX×]\s*(\d+)$/;

const empty = { ok: false, reason: 'empty' } as const;
const unparseable = { ok: false, reason: 'unparseable' } as const;
const unitMismatch = { ok: false, reason: 'unit_mismatch' } as const;

function isEmpty(raw: unknown): boolean {
  return raw === null || raw === undefined || (typeof raw === 'string' && EMPTY_QOS_VALUES.includes(raw.trim().toLowerCase()));
}

function checked(value: number, kind: ScalarKind): QosValueResult<number> {
  if (!Number.isFinite(value)) return unparseable;
  if (value < 0 && kind !== 'rssi') return unparseable;
  return { ok: true, value };
}

// ---- fast path ---------------------------------------------------------------------------------
// Nearly every value is a short decimal with an ASCII unit or none ("63 kbps", "0.6%", "-72", 80).
// Those are read with a char-code scan and float arithmetic instead of the regex and a decimal-text
// round trip (this was the bulk of normalize's parsing time). Anything else (blanks around the
// number, other units, long digit runs, fractional JSON numbers…) goes to the general parser below,
// which defines the results. Both give the same double: a mantissa below 2^53 and a power of ten
// up to 10^22 are exact, so one IEEE multiplication or division rounds the exact decimal value
// once, just as parsing its text does (Clinger's fast path).

/** 10^0 … 10^22: the powers of ten that are exact doubles. */
const EXACT_POWERS_OF_TEN = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** 15 decimal digits keep the mantissa below 2^53, so it is exact; the exponent stays within ±22. */
const MAX_FAST_DIGITS = 15;

type NamedUnit = Unit & { readonly name: string };

/** The units written in ASCII, by the length of their name (`µs` is left to the regex). */
function asciiUnitsByLength(): readonly (readonly NamedUnit[])[] {
  const byLength: NamedUnit[][] = [];
  for (const [name, unit] of UNITS) {
    if (!/^[\x21-\x7e]+$/.test(name)) continue;
    while (byLength.length <= name.length) byLength.push([]);
    byLength[name.length]!.push({ name, kind: unit.kind, exponent: unit.exponent });
  }
  return byLength;
}

const ASCII_UNITS_BY_LENGTH = asciiUnitsByLength();

/** mantissa × 10^exponent correctly rounded, for an exact mantissa and |exponent| ≤ 22; never -0. */
function exactScaled(mantissa: number, exponent: number): number {
  const value = exponent >= 0 ? mantissa * EXACT_POWERS_OF_TEN[exponent]! : mantissa / EXACT_POWERS_OF_TEN[-exponent]!;
  return value === 0 ? 0 : value;
}

/** Whether `s` from `from` to its end spells `name` (lower case), ignoring the case of ASCII letters. */
function spellsAt(s: string, from: number, name: string): boolean {
  if (s.length - from !== name.length) return false;
  for (let k = 0; k < name.length; k++) {
    const c = s.charCodeAt(from + k);
    const expected = name.charCodeAt(k);
    if (c !== expected && !(c >= 65 && c <= 90 && c + 32 === expected)) return false;
  }
  return true;
}

/** The unit spelled by `s` from `from` to its end, A–Z folded as `toLowerCase` does; undefined for the regex. */
function asciiUnitAt(s: string, from: number): Unit | undefined {
  const candidates = ASCII_UNITS_BY_LENGTH[s.length - from];
  if (candidates === undefined) return undefined;
  for (let u = 0; u < candidates.length; u++) {
    const unit = candidates[u]!;
    if (spellsAt(s, from, unit.name)) return unit;
  }
  return undefined;
}

/** `-?digits(.digits)? *unit?` scanned by char code, or undefined for the general parser. */
function scanScalar(s: string, kind: ScalarKind): QosValueResult<number> | undefined {
  const end = s.length;
  let i = s.charCodeAt(0) === 45 ? 1 : 0; // '-'
  const negative = i === 1;
  let mantissa = 0;
  let digits = 0;
  let c = 0;
  for (; i < end && (c = s.charCodeAt(i)) >= 48 && c <= 57; i++, digits++) mantissa = mantissa * 10 + (c - 48);
  if (digits === 0) return undefined;
  let fraction = 0;
  if (i < end && c === 46 /* . */) {
    for (i++; i < end && (c = s.charCodeAt(i)) >= 48 && c <= 57; i++, fraction++) mantissa = mantissa * 10 + (c - 48);
    if (fraction === 0) return undefined;
  }
  if (digits + fraction > MAX_FAST_DIGITS) return undefined;
  while (i < end && s.charCodeAt(i) === 32) i++;
  let exponent = BARE_EXPONENT[kind];
  if (i < end) {
    const unit = asciiUnitAt(s, i);
    if (unit === undefined) return undefined;
    if (unit.kind !== kind) return unitMismatch;
    exponent = unit.exponent;
  }
  return checked(exactScaled(negative ? -mantissa : mantissa, exponent - fraction), kind);
}

function parseScalar(raw: unknown, kind: ScalarKind): QosValueResult<number> {
  if (typeof raw === 'string') return scanScalar(raw, kind) ?? parseScalarText(raw, kind);
  // A safe integer prints as its exact digits, so scaling it equals scaling String(raw).
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return checked(exactScaled(raw, BARE_EXPONENT[kind]), kind);
  return parseScalarText(raw, kind);
}

// ---- general parser ------------------------------------------------------------------------------

/** `digits × 10^exponent` computed on the decimal text, so "27.15" kbps is exactly 27150 bit/s. */
function scaled(digits: string, exponent: number): number {
  const value = digits.includes('e') ? Number(digits) * 10 ** exponent : Number(`${digits}e${exponent}`);
  return value === 0 ? 0 : value; // no -0
}

function parseScalarText(raw: unknown, kind: ScalarKind): QosValueResult<number> {
  if (isEmpty(raw)) return empty;
  if (typeof raw === 'number') return Number.isFinite(raw) ? checked(scaled(String(raw), BARE_EXPONENT[kind]), kind) : unparseable;
  if (typeof raw !== 'string') return unparseable;
  const match = NUMBER_WITH_UNIT.exec(raw.trim());
  if (match === null) return unparseable;
  const digits = match[1] ?? '';
  const suffix = (match[2] ?? '').toLowerCase();
  if (suffix === '') return checked(scaled(digits, BARE_EXPONENT[kind]), kind);
  const unit = UNITS.get(suffix);
  if (unit === undefined) return unparseable;
  if (unit.kind !== kind) return unitMismatch;
  return checked(scaled(digits, unit.exponent), kind);
}

/** `W*H` (or x, X, ×) without blanks, by char code like scanScalar; undefined for the regex. */
function scanResolution(s: string): QosValueResult<Resolution> | undefined {
  const end = s.length;
  let i = 0;
  let c = 0;
  let width = 0;
  for (; i < end && (c = s.charCodeAt(i)) >= 48 && c <= 57; i++) width = width * 10 + (c - 48);
  if (i === 0 || i > MAX_FAST_DIGITS || i === end || (c !== 42 && c !== 120 && c !== 88 && c !== 215)) return undefined; // * x X ×
  const start = ++i;
  let height = 0;
  for (; i < end && (c = s.charCodeAt(i)) >= 48 && c <= 57; i++) height = height * 10 + (c - 48);
  if (i === start || i - start > MAX_FAST_DIGITS || i !== end) return undefined;
  return { ok: true, value: { width, height } };
}

function parseResolution(raw: unknown): QosValueResult<Resolution> {
  const scanned = typeof raw === 'string' ? scanResolution(raw) : undefined;
  if (scanned !== undefined) return scanned;
  if (isEmpty(raw)) return empty;
  if (typeof raw !== 'string') return unparseable;
  const match = RESOLUTION.exec(raw.trim());
  if (match === null) return unparseable;
  return { ok: true, value: { width: Number(match[1]), height: Number(match[2]) } };
}

/**
 * Parse a Zoom QoS detail value. `empty` means Zoom sent "no value" (`""`, `"-"`, `"N/A"`, null,
 * missing): callers must drop it, never record 0. Negative numbers are unparseable except RSSI.
 */
export function parseQosValue(raw: unknown, kind: 'resolution'): QosValueResult<Resolution>;
export function parseQosValue(raw: unknown, kind: ScalarKind): QosValueResult<number>;
export function parseQosValue(raw: unknown, kind: QosValueKind): QosValueResult<number | Resolution>;
export function parseQosValue(raw: unknown, kind: QosValueKind): QosValueResult<number | Resolution> {
  return kind === 'resolution' ? parseResolution(raw) : parseScalar(raw, kind);
}
