import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { BusRecord } from '../../../src/bus/bus.ts';
import { compileSinkPipelines } from '../../../src/pipeline/compile-sink-pipelines.ts';
import { createParticipantDimensionCache } from '../../../src/pipeline/enrich/participant-dimension-cache.ts';
import { prepareSinkBatch, type SinkPipeline } from '../../../src/pipeline/prepare-sink-batch.ts';
import { zoomEventMetadata } from '../../../src/zoom/zoom-event-metadata.ts';
import { sinksConfig } from '../../support/pipeline-deps.ts';

const text = (file: string): string => readFileSync(`test/fixtures/zoom/${file}`, 'utf8');

let seq = 0;
function record(body: string, app = 'default'): BusRecord {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    // undecodable on purpose
  }
  const m = zoomEventMetadata(parsed);
  return { id: String(++seq), body: Buffer.from(body), meta: { app, event: typeof parsed.event === 'string' ? parsed.event : 'meeting.participant_qos', accountId: m.accountId, instanceKey: m.instanceKey, receivedAt: 1_700_000_000_000 } };
}

const DATA = text('meeting.participant_data.json');
const QOS = text('meeting.participant_qos.json');
/** The same participant, another meeting participant id: no data for it. */
const withParticipant = (body: string, id: string): string => body.replace(/"1234567890"/g, JSON.stringify(id));

function pipelines(config: object): Map<string, SinkPipeline> {
  return compileSinkPipelines(sinksConfig(config));
}

const SINKS = {
  sinks: {
    archive: { type: 'file', path: 'a', data: 'events' },
    redacted: { type: 'file', path: 'b', data: 'events', pii: { mode: 'drop' } },
    metrics: { type: 'file', path: 'c', data: 'metrics' },
  },
  routes: [
    { name: 'all', sinks: ['archive', 'redacted'] },
    { name: 'qos', events: ['*.participant_qos'], sinks: ['metrics'] },
  ],
};

const cache = (maxEntries = 100) => createParticipantDimensionCache({ maxEntries, ttlMs: 3600_000, now: () => 0 });
const DEVICE = 'zoom.participant.device';

describe('prepareSinkBatch', () => {
  const p = pipelines(SINKS);
  const metrics = p.get('metrics')!;

  it('data then QoS: the QoS samples carry the participant dimensions (data event not routed to the metric sink still feeds the cache)', () => {
    const c = cache();
    const out = prepareSinkBatch([record(DATA), record(QOS)], metrics, { cache: c, nowMs: 0 });
    expect(out.stats.outcomes).to.include({ not_routed: 1, points: 1 });
    expect(out.points.length).to.be.greaterThan(0);
    expect(out.points.every((pt) => pt.attributes[DEVICE] === 'WIN' && pt.attributes['zoom.data_center'] === 'SC')).to.equal(true);
    expect(out.stats.enriched).to.equal(out.stats.samples);
    expect(out.delivering.map((r) => r.meta.event)).to.deep.equal(['meeting.participant_qos']);
  });

  it('QoS then data: the first QoS goes out without dimensions (not held back), later QoS get them', () => {
    const c = cache();
    const first = prepareSinkBatch([record(QOS)], metrics, { cache: c, nowMs: 0 });
    expect(first.points.some((pt) => pt.attributes[DEVICE] !== undefined)).to.equal(false);
    expect(first.stats.not_enriched).to.equal(first.stats.samples);
    const later = prepareSinkBatch([record(DATA), record(QOS)], metrics, { cache: c, nowMs: 0 });
    expect(later.points.every((pt) => pt.attributes[DEVICE] === 'WIN')).to.equal(true);
  });

  it('eviction under the memory bound: an evicted participant is no longer enriched', () => {
    const c = cache(1);
    prepareSinkBatch([record(DATA), record(withParticipant(DATA, '999'))], metrics, { cache: c, nowMs: 0 });
    expect(c.stats().evicted_capacity).to.equal(1);
    const out = prepareSinkBatch([record(QOS), record(withParticipant(QOS, '999'))], metrics, { cache: c, nowMs: 0 });
    const byParticipant = (id: string) => out.points.filter((pt) => pt.attributes['zoom.participant.id'] === id);
    expect(byParticipant('1234567890').some((pt) => pt.attributes[DEVICE] !== undefined)).to.equal(false);
    expect(byParticipant('999').every((pt) => pt.attributes[DEVICE] === 'WIN')).to.equal(true);
  });

  it('event sinks: keep sends Zoom\'s exact bytes; drop removes personal fields and says how many', () => {
    const r = record(DATA);
    const kept = prepareSinkBatch([r], p.get('archive')!, { cache: cache(), nowMs: 0 });
    expect(kept.events.map((e) => e.body)).to.deep.equal([DATA]);
    const dropped = prepareSinkBatch([r], p.get('redacted')!, { cache: cache(), nowMs: 0 });
    const body = dropped.events[0]!.body;
    expect(body).to.not.include('user@example.com').and.not.include('192.0.2.1').and.not.include('My PC');
    expect(JSON.parse(body).payload.object.participant.data[0].device).to.equal('WIN');
    expect(dropped.events[0]!.pii_changed).to.be.greaterThan(5);
    expect(dropped.stats.pii_changed).to.equal(dropped.events[0]!.pii_changed);
  });

  it('a body without what a QoS event needs is dead-lettered by a metric sink, forwarded by an event sink', () => {
    const broken = record(QOS.replace('"account_id"', '"acount_id"'));
    const m = prepareSinkBatch([broken], metrics, { cache: cache(), nowMs: 0 });
    expect(m.rejected.map((x) => x.reason)).to.deep.equal(['invalid_event:missing_account_id']);
    expect(m.delivering).to.have.length(0);
    expect(prepareSinkBatch([broken], p.get('archive')!, { cache: cache(), nowMs: 0 }).delivering).to.have.length(1);
  });

  it('an undecodable body: dead-lettered where it must be parsed (metrics, PII policy), forwarded as it is otherwise', () => {
    const junk = record('{"event":"meeting.participant_qos", oops');
    expect(prepareSinkBatch([junk], metrics, { cache: cache(), nowMs: 0 }).rejected.map((x) => x.reason)).to.deep.equal(['undecodable']);
    expect(prepareSinkBatch([junk], p.get('redacted')!, { cache: cache(), nowMs: 0 }).rejected.map((x) => x.reason)).to.deep.equal(['undecodable']);
    expect(prepareSinkBatch([junk], p.get('archive')!, { cache: cache(), nowMs: 0 }).events.map((e) => e.body)).to.deep.equal([junk.body.toString()]);
  });

  it('a routed event that yields no points is done without a delivery (not a QSS event; a summary not routed)', () => {
    const all = pipelines({ sinks: { m: { type: 'file', path: 'c', data: 'metrics' } } }).get('m')!;
    const other = record('{"event":"meeting.started","payload":{"account_id":"a","object":{"uuid":"u"}}}');
    const out = prepareSinkBatch([other], all, { cache: cache(), nowMs: 0 });
    expect(out.stats.outcomes.no_points).to.equal(1);
    expect([out.delivering.length, out.rejected.length]).to.deep.equal([0, 0]);
    const summary = prepareSinkBatch([record(text('meeting.participant_qos_summary.json'))], metrics, { cache: cache(), nowMs: 0 });
    expect(summary.stats.outcomes.not_routed).to.equal(1);
  });

  it('values longer than maxAttributeValueChars are cut before the cache and the points, counted by attribute; event sinks still get the body verbatim', () => {
    const device = 'D'.repeat(900_000);
    const hostile = record(DATA.replace('"device": "WIN"', `"device": "${device}"`));
    const c = cache();
    const out = prepareSinkBatch([hostile, record(QOS.replace('"audio_input"', `"${'t'.repeat(300)}"`))], metrics, { cache: c, nowMs: 0, maxAttributeValueChars: 256 });
    expect(c.get({ account_id: 'AAAAAABBBB', instance: '4444AAAiAAAAAiAiAiiAii==', participant: '1234567890' })?.[DEVICE]).to.equal('D'.repeat(256));
    expect(out.points.length).to.be.greaterThan(0);
    expect(out.points.every((pt) => pt.attributes[DEVICE] === 'D'.repeat(256))).to.equal(true);
    expect(out.points.every((pt) => Object.values(pt.attributes).every((v) => v.length <= 256))).to.equal(true);
    expect(out.stats.values_cut).to.deep.equal({ [DEVICE]: 1, 'zoom.qos.type': 1 });
    const archived = prepareSinkBatch([hostile], p.get('archive')!, { cache: cache(), nowMs: 0, maxAttributeValueChars: 256 });
    expect(archived.events.map((e) => e.body)).to.deep.equal([hostile.body.toString()]);
    expect(archived.stats.values_cut).to.deep.equal({});
  });

  it('skipped fields are counted by reason', () => {
    const odd = record(QOS.replace(/"bitrate": "[^"]*"/, '"bitrate": "-"').replace('"jitter"', '"jitterz"'));
    const out = prepareSinkBatch([odd], metrics, { cache: cache(), nowMs: 0 });
    expect(out.stats.skipped).to.include({ empty: 1, unmapped_field: 1 });
  });
});

describe('prepareSinkBatch: bodies the stages cannot walk', () => {
  it('a body nested too deep for the PII walk is dead-lettered as unprocessable; the records around it go through', () => {
    const p = pipelines(SINKS);
    const deep = record(`{"event":"meeting.participant_data","event_ts":1,"payload":{"account_id":"a","object":{"uuid":"u","x":${'['.repeat(300000)}${']'.repeat(300000)}}}}`);
    const out = prepareSinkBatch([record(DATA), deep, record(QOS)], p.get('redacted')!, { cache: cache(), nowMs: 0 });
    expect(out.rejected.map((x) => [x.record.id, x.reason])).to.deep.equal([[deep.id, 'unprocessable:RangeError']]);
    expect(out.events).to.have.length(2);
    expect(out.delivering.map((r) => r.id)).to.not.include(deep.id);
  });
});
