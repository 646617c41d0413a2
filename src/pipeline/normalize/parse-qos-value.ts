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

/** Unit suffix (lower case) → the kind it belongs to and the power of ten to the base unit. */
const UNITS: ReadonlyMap<string, { kind: ScalarKind; exponent: number }> = new Map([
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

/** `digits × 10^exponent` computed on the decimal text, so "27.15" kbps is exactly 27150 bit/s. */
function scaled(digits: string, exponent: number): number {
  const value = digits.includes('e') ? Number(digits) * 10 ** exponent : Number(`${digits}e${exponent}`);
  return value === 0 ? 0 : value; // no -0
}

function checked(value: number, kind: ScalarKind): QosValueResult<number> {
  if (!Number.isFinite(value)) return unparseable;
  if (value < 0 && kind !== 'rssi') return unparseable;
  return { ok: true, value };
}

function parseScalar(raw: unknown, kind: ScalarKind): QosValueResult<number> {
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

function parseResolution(raw: unknown): QosValueResult<Resolution> {
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
