// parseQosValue reads common values with a char-code scan and float arithmetic (its fast path).
// This compares it, bit for bit, with the reference: the regex and decimal-text parser it had
// before, kept here, over every shape of value the fast path takes or hands on.
import { expect } from 'chai';
import { parseQosValue } from '../../../../src/pipeline/normalize/parse-qos-value.ts';
import type { QosValueKind, QosValueResult } from '../../../../src/pipeline/normalize/parse-qos-value.ts';
import { createSeededRandom } from '../../../../src/simulate/seeded-random.ts';

type ScalarKind = Exclude<QosValueKind, 'resolution'>;

// ---- the reference (scalar kinds) ----
const UNITS = new Map<string, { kind: ScalarKind; exponent: number }>([
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
const BARE_EXPONENT: Record<ScalarKind, number> = { bitrate: 3, duration: -3, percent: -2, frame_rate: 0, rssi: 0, number: 0 };
const NUMBER_WITH_UNIT = /^(-?\d+(?:\.\d+)?)\s*(.*)$/;

function scaled(digits: string, exponent: number): number {
  const value = digits.includes('e') ? Number(digits) * 10 ** exponent : Number(`${digits}e${exponent}`);
  return value === 0 ? 0 : value;
}

function checked(value: number, kind: ScalarKind): QosValueResult<number> {
  if (!Number.isFinite(value) || (value < 0 && kind !== 'rssi')) return { ok: false, reason: 'unparseable' };
  return { ok: true, value };
}

function reference(raw: unknown, kind: ScalarKind): QosValueResult<number> {
  if (raw === null || raw === undefined || (typeof raw === 'string' && ['', '-', '--', 'n/a'].includes(raw.trim().toLowerCase()))) {
    return { ok: false, reason: 'empty' };
  }
  if (typeof raw === 'number') return Number.isFinite(raw) ? checked(scaled(String(raw), BARE_EXPONENT[kind]), kind) : { ok: false, reason: 'unparseable' };
  if (typeof raw !== 'string') return { ok: false, reason: 'unparseable' };
  const match = NUMBER_WITH_UNIT.exec(raw.trim());
  if (match === null) return { ok: false, reason: 'unparseable' };
  const digits = match[1] ?? '';
  const suffix = (match[2] ?? '').toLowerCase();
  if (suffix === '') return checked(scaled(digits, BARE_EXPONENT[kind]), kind);
  const unit = UNITS.get(suffix);
  if (unit === undefined) return { ok: false, reason: 'unparseable' };
  if (unit.kind !== kind) return { ok: false, reason: 'unit_mismatch' };
  return checked(scaled(digits, unit.exponent), kind);
}

const RESOLUTION = /^(\d+)\s*[*xX×]\s*(\d+)$/;

function referenceResolution(raw: unknown): QosValueResult<{ width: number; height: number }> {
  if (raw === null || raw === undefined || (typeof raw === 'string' && ['', '-', '--', 'n/a'].includes(raw.trim().toLowerCase()))) {
    return { ok: false, reason: 'empty' };
  }
  if (typeof raw !== 'string') return { ok: false, reason: 'unparseable' };
  const match = RESOLUTION.exec(raw.trim());
  if (match === null) return { ok: false, reason: 'unparseable' };
  return { ok: true, value: { width: Number(match[1]), height: Number(match[2]) } };
}

// ---- the comparison ----
const KINDS: ScalarKind[] = ['bitrate', 'duration', 'percent', 'frame_rate', 'rssi', 'number'];
/** Every unit in several spellings, plus what the scan must hand on: other blanks, trailing text, non-ASCII. */
const SUFFIXES = [
  '', ' ', '  ', 'kbps', ' kbps', ' Kbps', 'KBPS', ' kBpS', 'mbps', ' Mbps', 'bps', 'bit/s', ' kbit/s', 'Mbit/s', 'gbps', 'GBPS',
  'ms', ' MS', 'us', ' US', 'µs', ' µs', 'Μs', 's', ' S', '%', ' %', 'fps', ' FPS', 'dbm', ' dBm', 'DBM',
  '\u212Abps', ' kbps ', '\tms', '\u00a0ms', ' \tms', 'x', ' xyz', '%%', 'ms\n', '\nms', 'kbps/s', '*720', 'e3', 'e-3', '.', '.5', ' -', '-',
];
const same = (a: QosValueResult<number>, b: QosValueResult<number>): boolean =>
  a.ok && b.ok ? Object.is(a.value, b.value) : !a.ok && !b.ok && a.reason === b.reason;

function mismatches(raws: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const raw of raws) {
    for (const kind of KINDS) {
      const actual = parseQosValue(raw, kind);
      const expected = reference(raw, kind);
      if (!same(actual, expected) && out.length < 10) out.push(`${JSON.stringify(raw)} ${kind}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
    }
  }
  return out;
}

describe('parseQosValue fast path = the regex and decimal-text reference', () => {
  it('short decimals in every unit spelling', () => {
    const raws: string[] = [];
    for (let m = 0; m < 250; m++) {
      const numbers = [String(m), `${Math.floor(m / 10)}.${m % 10}`, `${Math.floor(m / 100)}.${String(m % 100).padStart(2, '0')}`, `0.0${m}`, `-${m}`, `-${Math.floor(m / 10)}.${m % 10}`];
      for (const n of numbers) for (const s of SUFFIXES) raws.push(n + s);
    }
    expect(mismatches(raws)).to.deep.equal([]);
  });

  it('random digit runs up to 20 + 20 digits, around the exactness limit', () => {
    const random = createSeededRandom(20_250_115);
    const raws: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      let s = random.next() < 0.2 ? '-' : '';
      for (let d = random.int(0, 20); d > 0; d--) s += String(random.int(0, 9));
      if (random.next() < 0.6) {
        s += '.';
        for (let d = random.int(0, 20); d > 0; d--) s += String(random.int(0, 9));
      }
      raws.push(random.pick(['', '', '', ' ', '\t']) + s + random.pick(SUFFIXES));
    }
    expect(mismatches(raws)).to.deep.equal([]);
  });

  it('JSON numbers: safe and unsafe integers, fractions, extremes, -0', () => {
    const random = createSeededRandom(71);
    const raws: number[] = [0, -0, 1, -1, 80, -71, 0.5, 27.15, 1e21, 2 ** 53, -(2 ** 53), 2 ** 53 + 2, 2 ** 60, 1e-7, 5e-324];
    raws.push(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, Number.NaN, Number.POSITIVE_INFINITY);
    for (let i = 0; i < 20_000; i++) raws.push(random.int(-1e6, 1e6), random.int(0, 2 ** 31) * 2 ** random.int(0, 40), random.next() * 10 ** random.int(-10, 25));
    expect(mismatches(raws)).to.deep.equal([]);
  });

  it('resolutions', () => {
    const random = createSeededRandom(1080);
    const raws: unknown[] = ['1280*720', '0*0', '1920x1080', '640 X 360', '2560×1440', '1280*', '*720', '1280', '1280.5*720', '-1280*720', ' 1280*720', '1280*720 ', '1280**720', 1280, null, '', '-'];
    const digits = (): string => Array.from({ length: random.int(0, 19) }, () => String(random.int(0, 9))).join('');
    for (let i = 0; i < 20_000; i++) {
      raws.push(random.pick(['', '', ' ', '-']) + digits() + random.pick(['*', '*', 'x', 'X', '×', ' * ', '\t*', '/', '']) + digits() + random.pick(['', '', ' ', 'p', '\n']));
    }
    const wrong = raws.filter((raw) => JSON.stringify(parseQosValue(raw, 'resolution')) !== JSON.stringify(referenceResolution(raw)));
    expect(wrong.slice(0, 10)).to.deep.equal([]);
  });

  it('no value and not a value', () => {
    expect(mismatches([null, undefined, '', ' ', '-', '--', 'N/A', 'n/a', ' - ', true, {}, [], ['1'], 'NaN', 'Infinity', '-0', '0.', '.5', '1e3'])).to.deep.equal([]);
  });
});
