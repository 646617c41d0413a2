import { expect } from 'chai';
import { parseQosValue } from '../../../../src/pipeline/normalize/parse-qos-value.ts';
import type { QosValueKind } from '../../../../src/pipeline/normalize/parse-qos-value.ts';

type Row = [raw: unknown, kind: QosValueKind, expected: number | { width: number; height: number } | 'empty' | 'unparseable' | 'unit_mismatch'];

const rows: Row[] = [
  // bitrate → bit/s; bare numbers are kbps (phone)
  ['63 kbps', 'bitrate', 63_000],
  ['27.15 kbps', 'bitrate', 27_150],
  ['898 kbps', 'bitrate', 898_000],
  ['63kbps', 'bitrate', 63_000],
  ['63 Kbps', 'bitrate', 63_000],
  ['63 KBPS', 'bitrate', 63_000],
  ['1.2 Mbps', 'bitrate', 1_200_000],
  ['1.2mbps', 'bitrate', 1_200_000],
  ['800 bps', 'bitrate', 800],
  ['0 kbps', 'bitrate', 0],
  ['6', 'bitrate', 6_000],
  ['80', 'bitrate', 80_000],
  [80, 'bitrate', 80_000],
  ['  63 kbps  ', 'bitrate', 63_000],
  ['-5 kbps', 'bitrate', 'unparseable'],
  [-5, 'bitrate', 'unparseable'],
  ['134 ms', 'bitrate', 'unit_mismatch'],
  ['12 parsecs', 'bitrate', 'unparseable'],
  ['63 kbps/s', 'bitrate', 'unparseable'],
  ['1e3 kbps', 'bitrate', 'unparseable'],
  ['9'.repeat(400), 'bitrate', 'unparseable'],
  // duration → s; bare numbers are ms (phone jitter / network_delay)
  ['134 ms', 'duration', 0.134],
  ['0 ms', 'duration', 0],
  ['6ms', 'duration', 0.006],
  ['1.5 s', 'duration', 1.5],
  ['1.5 S', 'duration', 1.5],
  ['250 us', 'duration', 0.00025],
  ['23', 'duration', 0.023],
  [8, 'duration', 0.008],
  ['5 fps', 'duration', 'unit_mismatch'],
  ['-1 ms', 'duration', 'unparseable'],
  // percent → ratio; bare numbers are percent (phone loss)
  ['0.0%', 'percent', 0],
  ['0.03%', 'percent', 0.0003],
  ['0.4%', 'percent', 0.004],
  ['0.5 %', 'percent', 0.005],
  ['23%', 'percent', 0.23],
  ['97.5%', 'percent', 0.975],
  ['100%', 'percent', 1],
  ['0.5', 'percent', 0.005],
  ['0.0', 'percent', 0],
  [1, 'percent', 0.01],
  ['0.15 %(0.65 %)', 'percent', 'unparseable'],
  ['23 kbps', 'percent', 'unit_mismatch'],
  ['-0.1%', 'percent', 'unparseable'],
  // frame rate → {frame}/s
  ['24 fps', 'frame_rate', 24],
  ['0 fps', 'frame_rate', 0],
  ['30 FPS', 'frame_rate', 30],
  ['29.97fps', 'frame_rate', 29.97],
  ['12', 'frame_rate', 12],
  ['24 ms', 'frame_rate', 'unit_mismatch'],
  // resolution → {width, height}
  ['1280*720', 'resolution', { width: 1280, height: 720 }],
  ['2560*1440', 'resolution', { width: 2560, height: 1440 }],
  ['1920x1080', 'resolution', { width: 1920, height: 1080 }],
  ['640 X 360', 'resolution', { width: 640, height: 360 }],
  ['0*0', 'resolution', { width: 0, height: 0 }],
  ['1280*', 'resolution', 'unparseable'],
  ['1280', 'resolution', 'unparseable'],
  ['1280.5*720', 'resolution', 'unparseable'],
  ['-1280*720', 'resolution', 'unparseable'],
  [1280, 'resolution', 'unparseable'],
  // rssi → dBm, string or integer, negative allowed
  ['-56', 'rssi', -56],
  [-71, 'rssi', -71],
  ['-56 dBm', 'rssi', -56],
  ['-56dbm', 'rssi', -56],
  [0, 'rssi', 0],
  ['-56 ms', 'rssi', 'unit_mismatch'],
  // plain numbers (quality_score, mos)
  ['3.65', 'number', 3.65],
  ['2.90', 'number', 2.9],
  ['4.5', 'number', 4.5],
  [4, 'number', 4],
  ['0', 'number', 0],
  ['4.5 kbps', 'number', 'unit_mismatch'],
  ['-1', 'number', 'unparseable'],
  // garbage
  ['abc', 'bitrate', 'unparseable'],
  ['kbps', 'bitrate', 'unparseable'],
  ['.5 kbps', 'bitrate', 'unparseable'],
  ['1,5 kbps', 'bitrate', 'unparseable'],
  ['NaN', 'number', 'unparseable'],
  ['Infinity', 'number', 'unparseable'],
  [Number.NaN, 'number', 'unparseable'],
  [Number.POSITIVE_INFINITY, 'bitrate', 'unparseable'],
  [Number.NEGATIVE_INFINITY, 'rssi', 'unparseable'],
  [true, 'number', 'unparseable'],
  [{ quality: 'good' }, 'number', 'unparseable'],
  [['63 kbps'], 'bitrate', 'unparseable'],
];

// "No value" is never 0, whatever the kind.
const EMPTY_RAWS: unknown[] = ['', '   ', '-', ' - ', '--', 'N/A', 'n/a', null, undefined];
const KINDS: QosValueKind[] = ['bitrate', 'duration', 'percent', 'frame_rate', 'resolution', 'rssi', 'number'];
for (const kind of KINDS) for (const raw of EMPTY_RAWS) rows.push([raw, kind, 'empty']);

const show = (v: unknown): string => (typeof v === 'number' ? String(v) : v === undefined ? 'undefined' : JSON.stringify(v));

describe('parseQosValue', () => {
  for (const [raw, kind, expected] of rows) {
    it(`${kind} ${show(raw)} → ${show(expected)}`, () => {
      const result = parseQosValue(raw, kind);
      if (typeof expected === 'string') expect(result).to.deep.equal({ ok: false, reason: expected });
      else expect(result).to.deep.equal({ ok: true, value: expected });
    });
  }

  it('never yields -0', () => {
    const r = parseQosValue('-0', 'rssi');
    expect(r.ok && Object.is(r.value, 0)).to.equal(true);
  });
});
