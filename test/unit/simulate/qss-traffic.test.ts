// Shapes and value formats follow Zoom's examples (../shared/zoom/examples, Zoom README §2.2–2.4, §2.7).
import { expect } from 'chai';
import {
  createTrafficContext,
  participantDataBody,
  participantDataSummaryBody,
  participantQosBody,
  participantQosSummaryBody,
  urlValidationBody,
  zoomDateTime,
  type QssEventBody,
} from '../../../src/simulate/qss-traffic.ts';

type Json = Record<string, unknown>;
type Item = { date_time?: string; type: string; details: Record<string, string | number> };

const T0 = Date.UTC(2025, 4, 6, 14, 30, 12, 345);
const ctx = createTrafficContext(42);
const object = (body: QssEventBody): Json => (body.payload as { object: Json }).object;
const participant = (body: QssEventBody): Json => object(body).participant as Json;
const qos = (body: QssEventBody): Item[] => participant(body).qos as Item[];
const data = (body: QssEventBody): Record<string, string> => (participant(body).data as Record<string, string>[])[0] as Record<string, string>;

// The 24 base data fields of Zoom's meeting.participant_data example.
const DATA_KEYS = [
  'device', 'location', 'network_type', 'microphone', 'speaker', 'camera', 'data_center', 'connection_type',
  'pc_name', 'domain', 'mac_addr', 'harddisk_id', 'version', 'signaling_ip_address', 'signaling_internal_ip_address',
  'signaling_internal_ip_port', 'audio_internal_ip_address', 'audio_internal_ip_port', 'video_internal_ip_address',
  'video_internal_ip_port', 'as_internal_ip_address', 'as_internal_ip_port', 'destination_ip_domain', 'destination_ip_port',
];
const KBPS = /^\d+(\.\d+)? kbps$/;
const MS = /^\d+ ms$/;
const PCT = /^\d+(\.\d+)?%$/;
const CPU = /^\d+%$/;
const RESOLUTION = /^(\d+\*\d+)?$/;
const FPS = /^\d+ fps$/;
const UUID = /^[A-Za-z0-9+/]{22}==$/;
const MEDIA = ['audio_input', 'audio_output', 'video_input', 'video_output', 'as_input', 'as_output'];
const num = (s: string | number): number => Number.parseFloat(String(s));

describe('qss-traffic', () => {
  const bodies = (m: number, p: number): QssEventBody[] => [
    participantDataBody(ctx, m, p, T0),
    participantQosBody(ctx, m, p, T0),
    participantQosSummaryBody(ctx, m, p, T0),
    participantDataSummaryBody(ctx, m, p, T0),
  ];

  it('wraps every event in Zoom\'s envelope with one account id per run and event_ts in epoch ms', () => {
    const all = [0, 1, 2].flatMap((m) => [0, 1].flatMap((p) => bodies(m, p)));
    expect(all.map((b) => b.event).slice(0, 4)).to.deep.equal([
      'meeting.participant_data', 'meeting.participant_qos', 'meeting.participant_qos_summary', 'meeting.participant_data_summary',
    ]);
    for (const body of all) {
      expect(Object.keys(body)).to.deep.equal(['event', 'event_ts', 'payload']);
      expect(body.event_ts).to.equal(T0);
      expect(Object.keys(body.payload)).to.deep.equal(['account_id', 'object']);
      expect(body.payload.account_id).to.equal(ctx.accountId).and.to.match(/^[A-Za-z0-9_-]{22}$/);
      expect(object(body).uuid).to.match(UUID);
    }
  });

  it('keeps a meeting\'s uuid and id across its events and participants, and differs between meetings', () => {
    const m0 = [0, 1, 2].flatMap((p) => bodies(0, p)).map((b) => object(b).uuid);
    expect(new Set(m0).size).to.equal(1);
    expect(object(participantQosSummaryBody(ctx, 0, 0, T0)).id).to.equal(object(participantDataSummaryBody(ctx, 0, 2, T0 + 5)).id);
    expect(object(participantQosSummaryBody(ctx, 0, 0, T0)).id).to.match(/^\d{11}$/);
    const uuids = new Set([0, 1, 2, 3, 4, 5].map((m) => object(participantDataBody(ctx, m, 0, T0)).uuid));
    expect(uuids.size).to.equal(6);
  });

  it('builds participant_data like Zoom\'s example: participant ids and all 24 data fields as strings', () => {
    const body = participantDataBody(ctx, 1, 2, T0);
    expect(Object.keys(participant(body))).to.deep.equal(['participant_id', 'participant_user_id', 'email', 'data']);
    expect(participant(body).participant_id).to.match(/^\d+$/);
    expect(Object.keys(data(body))).to.deep.equal(DATA_KEYS);
    for (const value of Object.values(data(body))) expect(value).to.be.a('string');
    expect(data(body).device).to.be.oneOf(['Windows', 'Mac', 'iOS', 'Android']);
    expect(data(body).network_type).to.be.oneOf(['Wired', 'Wifi', 'Cellular']);
    expect(data(body).version).to.match(/^\d+\.\d+\.\d+\.\d+$/);
    expect(data(body).signaling_internal_ip_port).to.match(/^\d+$/);
  });

  it('builds participant_qos with Zoom\'s value formats in every qos item', () => {
    const seen = new Set<string>();
    for (let m = 0; m < 12; m++) {
      for (let p = 0; p < 4; p++) {
        const body = participantQosBody(ctx, m, p, T0 + m * 60_000);
        expect(Object.keys(participant(body))).to.deep.equal(['user_id', 'participant_user_id', 'email', 'qos']);
        expect(participant(body).user_id).to.equal(participant(participantDataBody(ctx, m, p, T0)).participant_id);
        for (const item of qos(body)) {
          seen.add(item.type);
          expect(Object.keys(item)).to.deep.equal(['date_time', 'type', 'details']);
          expect(item.date_time).to.equal(zoomDateTime(T0 + m * 60_000)).and.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
          const d = item.details;
          for (const v of Object.values(d)) expect(v).to.be.a('string');
          if (MEDIA.includes(item.type)) {
            expect(d.bitrate).to.match(KBPS);
            expect(d.latency).to.match(MS);
            expect(d.jitter).to.match(MS);
            expect(d.avg_loss).to.match(PCT);
            expect(d.max_loss).to.match(PCT);
            expect(num(d.max_loss as string)).to.be.at.least(num(d.avg_loss as string));
            expect(num(d.latency as string)).to.be.below(3000);
          }
          if (MEDIA.includes(item.type) && !item.type.startsWith('audio')) {
            expect(d.resolution).to.match(RESOLUTION);
            expect(d.frame_rate).to.match(FPS);
            expect(num(d.frame_rate as string)).to.be.at.most(30);
          }
          if (item.type === 'cpu_usage') {
            for (const k of ['zoom_min_cpu_usage', 'zoom_avg_cpu_usage', 'zoom_max_cpu_usage', 'system_max_cpu_usage']) expect(d[k]).to.match(CPU);
            const [min, avg, max, sys] = ['zoom_min_cpu_usage', 'zoom_avg_cpu_usage', 'zoom_max_cpu_usage', 'system_max_cpu_usage'].map((k) => num(d[k] as string)) as [number, number, number, number];
            expect(min <= avg && avg <= max && max <= sys && sys <= 100, `${min} ${avg} ${max} ${sys}`).to.equal(true);
            expect(d.system_max_cpu_pressure_level).to.be.oneOf(['normal', 'fair', 'serious', 'critical']);
          }
          if (item.type.endsWith('_quality')) {
            expect(d.quality).to.be.oneOf(['good', 'fair', 'poor', 'bad']);
            expect(d.quality_score).to.match(/^\d\.\d\d$/);
          }
          if (item.type === 'wifi_rssi') {
            expect(d.avg_rssi).to.match(/^-\d+$/);
            expect(d.rssi_unit).to.equal('dBm');
          }
        }
        const types = qos(body).map((i) => i.type);
        expect(types).to.include.members(['audio_input', 'audio_output', 'video_input', 'video_output', 'cpu_usage', 'audio_quality']);
      }
    }
    // Across a dozen meetings, screen sharing and Wi-Fi participants show up too.
    expect([...seen]).to.include.members(['as_input', 'as_output', 'wifi_rssi', 'video_quality']);
  });

  it('varies a participant\'s QoS from minute to minute around a stable baseline', () => {
    const minutes = [0, 1, 2, 3, 4].map((i) => qos(participantQosBody(ctx, 0, 1, T0 + i * 60_000)));
    const bitrates = minutes.map((items) => items.find((i) => i.type === 'video_input')?.details.bitrate);
    expect(new Set(bitrates).size).to.be.greaterThan(1);
  });

  it('builds participant_qos_summary: meeting id, user_name, min/avg/max details, no date_time, RSSI as integers', () => {
    let sawRssi = false;
    for (let m = 0; m < 8; m++) {
      const body = participantQosSummaryBody(ctx, m, 1, T0);
      expect(Object.keys(object(body))).to.deep.equal(['uuid', 'id', 'participant']);
      expect(Object.keys(participant(body))).to.deep.equal(['participant_id', 'user_name', 'id', 'email', 'qos']);
      expect(participant(body).user_name).to.match(/^\S+ \S+$/);
      for (const item of qos(body)) {
        expect(Object.keys(item)).to.deep.equal(['type', 'details']);
        const d = item.details;
        if (MEDIA.includes(item.type)) {
          for (const k of ['min_bitrate', 'avg_bitrate', 'max_bitrate']) expect(d[k]).to.match(KBPS);
          for (const k of ['min_latency', 'avg_latency', 'max_latency', 'min_jitter', 'avg_jitter', 'max_jitter']) expect(d[k]).to.match(MS);
          for (const k of ['min_loss', 'avg_loss', 'max_loss']) expect(d[k]).to.match(PCT);
          expect(num(d.min_bitrate as string)).to.be.at.most(num(d.avg_bitrate as string));
          expect(num(d.avg_bitrate as string)).to.be.at.most(num(d.max_bitrate as string));
        }
        if (MEDIA.includes(item.type) && !item.type.startsWith('audio')) {
          expect(d.resolution).to.match(RESOLUTION);
          for (const k of ['min_frame_rate', 'avg_frame_rate', 'max_frame_rate']) expect(d[k]).to.match(FPS);
        }
        if (item.type === 'wifi_rssi') {
          sawRssi = true;
          expect(d.avg_rssi).to.be.a('number');
        }
      }
      expect(qos(body).map((i) => i.type)).to.include.members(['audio_input', 'audio_output', 'video_input', 'video_output', 'cpu_usage']);
    }
    expect(sawRssi).to.equal(true);
  });

  it('builds participant_data_summary with the join data plus device_detail and client', () => {
    const summary = participantDataSummaryBody(ctx, 2, 1, T0 + 3_600_000);
    expect(Object.keys(object(summary))).to.deep.equal(['uuid', 'id', 'participant']);
    expect(Object.keys(data(summary))).to.deep.equal([...DATA_KEYS, 'device_detail', 'client']);
    const { device_detail: _detail, client: _client, ...base } = data(summary);
    expect(base).to.deep.equal(data(participantDataBody(ctx, 2, 1, T0)));
  });

  it('builds the CRC body exactly like Zoom\'s endpoint.url_validation', () => {
    const body = urlValidationBody(42, T0);
    expect(Object.keys(body)).to.deep.equal(['payload', 'event_ts', 'event']);
    expect(body.event).to.equal('endpoint.url_validation');
    expect(body.event_ts).to.equal(T0);
    expect(Object.keys(body.payload)).to.deep.equal(['plainToken']);
    expect(body.payload.plainToken).to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(urlValidationBody(42, T0 + 1).payload.plainToken).to.not.equal(body.payload.plainToken);
  });

  it('is deterministic for a seed and different for another seed', () => {
    const again = createTrafficContext(42);
    const other = createTrafficContext(43);
    for (const build of [participantDataBody, participantQosBody, participantQosSummaryBody, participantDataSummaryBody]) {
      expect(build(again, 3, 2, T0)).to.deep.equal(build(ctx, 3, 2, T0));
      expect(build(other, 3, 2, T0)).to.not.deep.equal(build(ctx, 3, 2, T0));
    }
    expect(other.accountId).to.not.equal(ctx.accountId);
  });
});
