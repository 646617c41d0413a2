// The enrich stage as it runs: normalizeQssEvent's lookup joins the participant's cached `*_data`
// dimensions onto every sample of a QoS event, once per event (docs/enrichment.md).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createParticipantDimensionCache } from '../../../../src/pipeline/enrich/participant-dimension-cache.ts';
import { normalizeQssEvent } from '../../../../src/pipeline/normalize/normalize-qss-event.ts';

const body = (name: string): Record<string, unknown> => JSON.parse(readFileSync(`test/fixtures/zoom/${name}.json`, 'utf8')) as Record<string, unknown>;
const withInstance = (b: Record<string, unknown>, uuid: string): Record<string, unknown> => JSON.parse(JSON.stringify(b).replace(/4444AAAiAAAAAiAiAiiAii==/g, uuid)) as Record<string, unknown>;

function setup(ttlMs = 3600_000) {
  const clock = { t: 0 };
  const cache = createParticipantDimensionCache({ maxEntries: 100, ttlMs, now: () => clock.t });
  const lookup = (key: Parameters<typeof cache.get>[0]) => cache.get(key);
  const feed = (b: Record<string, unknown>): void => {
    const n = normalizeQssEvent(b, 0);
    if (n.kind === 'dimensions') for (const r of n.records) cache.put(r);
  };
  return { clock, cache, lookup, feed };
}

describe('enrichment inside normalize', () => {
  it('data then qos: every sample of the participant carries the dimensions; one lookup per event', () => {
    const { cache, lookup, feed } = setup();
    feed(body('meeting.participant_data'));
    const n = normalizeQssEvent(body('meeting.participant_qos'), 0, lookup);
    expect(n.kind === 'qos' && n.enrichment).to.equal('enriched');
    if (n.kind !== 'qos') return;
    expect(n.samples.length).to.be.greaterThan(10);
    for (const s of n.samples) expect(s.attributes).to.include({ 'zoom.participant.device': 'WIN', 'zoom.participant.network_type': 'Wired', 'zoom.data_center': 'SC', 'zoom.client.version': '4.4.55383.0716' });
    expect(cache.stats()).to.include({ hits: 1, misses: 0 });
  });

  it('qos then data: the first QoS goes out without dimensions (not held back), later ones get them', () => {
    const { lookup, feed } = setup();
    const first = normalizeQssEvent(body('meeting.participant_qos'), 0, lookup);
    expect(first.kind === 'qos' && [first.enrichment, first.samples.some((s) => 'zoom.participant.device' in s.attributes)]).to.deep.equal(['not_found', false]);
    feed(body('meeting.participant_data'));
    const later = normalizeQssEvent(body('meeting.participant_qos'), 0, lookup);
    expect(later.kind === 'qos' && later.samples.every((s) => s.attributes['zoom.participant.device'] === 'WIN')).to.equal(true);
  });

  it('never replaces the event\'s own attributes', () => {
    const n = normalizeQssEvent(body('meeting.participant_qos'), 0, () => ({ 'zoom.event': 'forged', 'zoom.participant.id': 'forged', 'zoom.participant.device': 'Mac' }));
    expect(n.kind === 'qos' && n.samples.every((s) => s.attributes['zoom.event'] === 'meeting.participant_qos' && s.attributes['zoom.participant.id'] === '1234567890' && s.attributes['zoom.participant.device'] === 'Mac')).to.equal(true);
  });

  it('joins by account, instance and participant: the same participant in another meeting is not enriched', () => {
    const { lookup, feed } = setup();
    feed(body('meeting.participant_data'));
    const other = normalizeQssEvent(withInstance(body('meeting.participant_qos'), 'another-meeting=='), 0, lookup);
    expect(other.kind === 'qos' && other.enrichment).to.equal('not_found');
  });

  it('phone calls have no data events: not looked up (unkeyed)', () => {
    let asked = 0;
    const n = normalizeQssEvent(body('phone.call_qos'), 0, () => (asked++, undefined));
    expect([n.kind === 'qos' && n.enrichment, asked]).to.deep.equal(['unkeyed', 0]);
  });

  it('webinars and Video SDK sessions are looked up by their own instance ids', () => {
    for (const [qos, instanceOf] of [
      ['webinar.participant_qos', (o: Record<string, unknown>) => o.uuid],
      ['session.user_qos', (o: Record<string, unknown>) => o.session_id],
    ] as const) {
      const b = body(qos);
      const asked: string[] = [];
      normalizeQssEvent(b, 0, (key) => (asked.push(key.instance), undefined));
      const object = (b.payload as { object: Record<string, unknown> }).object;
      expect(asked, qos).to.deep.equal([instanceOf(object)]);
    }
  });

  it('stops enriching once the entry expired (ttl after the last data event)', () => {
    const { clock, lookup, feed } = setup(1000);
    feed(body('meeting.participant_data'));
    clock.t = 1500;
    const n = normalizeQssEvent(body('meeting.participant_qos'), 0, lookup);
    expect(n.kind === 'qos' && n.enrichment).to.equal('not_found');
  });

  it('without a lookup, the output is exactly normalize\'s (no enrichment field)', () => {
    const n = normalizeQssEvent(body('meeting.participant_qos'), 0);
    expect(n.kind === 'qos' && 'enrichment' in n).to.equal(false);
  });
});
