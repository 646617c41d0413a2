import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { enrichSamples, sampleParticipantKey } from '../../../../src/pipeline/enrich/enrich-samples.ts';
import { createParticipantDimensionCache } from '../../../../src/pipeline/enrich/participant-dimension-cache.ts';
import type { ParticipantDimensionCache } from '../../../../src/pipeline/enrich/participant-dimension-cache.ts';
import { normalizeQssEvent } from '../../../../src/pipeline/normalize/normalize-qss-event.ts';
import type { QosSample } from '../../../../src/pipeline/normalize/qos-sample.ts';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/normalize');
const RECEIVED_AT_MS = 1_700_000_000_000;
const MINUTE = 60_000;

function normalizeFixture(name: string) {
  return normalizeQssEvent(JSON.parse(readFileSync(join(FIXTURES, `${name}.input.json`), 'utf8')), RECEIVED_AT_MS);
}

function samplesOf(name: string): QosSample[] {
  const r = normalizeFixture(name);
  if (r.kind !== 'qos') throw new Error(`${name}: ${r.kind}`);
  return r.samples;
}

function feed(cache: ParticipantDimensionCache, name: string): void {
  const r = normalizeFixture(name);
  if (r.kind !== 'dimensions') throw new Error(`${name}: ${r.kind}`);
  for (const record of r.records) cache.put(record);
}

const sample = (attributes: Record<string, string>): QosSample => ({ metric: 'zoom.qos.bitrate', unit: 'bit/s', value: 63000, time_ms: 1, attributes });
const meetingSample = (participant: string, extra: Record<string, string> = {}) =>
  sample({ 'zoom.account.id': 'acct-A', 'zoom.meeting.uuid': 'uuid-1==', 'zoom.participant.id': participant, ...extra });

function setup() {
  const clock = { t: RECEIVED_AT_MS };
  const cache = createParticipantDimensionCache({ maxEntries: 1000, ttlMs: 240 * MINUTE, now: () => clock.t });
  return { clock, cache };
}

const MEETING_DIMENSIONS = {
  'zoom.participant.device': 'WIN',
  'zoom.participant.network_type': 'Wired',
  'zoom.participant.location': 'New York',
  'zoom.data_center': 'SC',
  'zoom.participant.connection_type': 'P2P',
  'zoom.client.version': '4.4.55383.0716',
};

describe('enrichSamples', () => {
  it('data then qos: every sample of the participant gets the dimensions (Zoom examples, end to end)', () => {
    const { cache } = setup();
    feed(cache, 'zoom-example-meeting.participant_data');
    const samples = samplesOf('zoom-example-meeting.participant_qos');
    const result = enrichSamples(samples, cache);
    expect(result).to.include({ enriched: samples.length, not_found: 0, unkeyed: 0 });
    expect(result.samples).to.have.length(samples.length);
    result.samples.forEach((s, i) => {
      const input = samples[i]!;
      expect(s.attributes).to.deep.equal({ ...input.attributes, ...MEETING_DIMENSIONS });
      expect({ ...s, attributes: input.attributes }).to.deep.equal(input);
    });
    // One lookup per participant per call: hit/miss count lookups, enriched/not_found count samples.
    expect(cache.stats()).to.include({ hits: 1, misses: 0 });
  });

  it('qos then data: samples before the first data event go out without dimensions, later ones are enriched', () => {
    const { clock, cache } = setup();
    const samples = samplesOf('zoom-example-meeting.participant_qos');
    const first = enrichSamples(samples, cache);
    expect(first).to.include({ enriched: 0, not_found: samples.length, unkeyed: 0 });
    first.samples.forEach((s, i) => expect(s).to.equal(samples[i]));
    clock.t += MINUTE;
    feed(cache, 'zoom-example-meeting.participant_data');
    clock.t += MINUTE;
    const later = enrichSamples(samples, cache);
    expect(later).to.include({ enriched: samples.length, not_found: 0 });
    expect(later.samples[0]!.attributes).to.include(MEETING_DIMENSIONS);
    expect(cache.stats()).to.include({ hits: 1, misses: 1 });
  });

  it('never overwrites an attribute the sample already has (phone-style network_type)', () => {
    const { cache } = setup();
    cache.put({ key: { account_id: 'acct-A', instance: 'uuid-1==', participant: 'p1' }, time_ms: 1, dimensions: { 'zoom.participant.network_type': 'Wired', 'zoom.participant.device': 'MAC' } });
    const input = meetingSample('p1', { 'zoom.participant.network_type': 'WiFi' });
    const { samples, enriched } = enrichSamples([input], cache);
    expect(enriched).to.equal(1);
    expect(samples[0]!.attributes).to.deep.equal({ ...input.attributes, 'zoom.participant.device': 'MAC' });
    expect(input.attributes).to.not.have.property('zoom.participant.device');
  });

  it('returns the input sample itself when the cache adds nothing new', () => {
    const { cache } = setup();
    cache.put({ key: { account_id: 'acct-A', instance: 'uuid-1==', participant: 'p1' }, time_ms: 1, dimensions: { 'zoom.participant.device': 'MAC' } });
    const input = meetingSample('p1', { 'zoom.participant.device': 'WIN' });
    const result = enrichSamples([input], cache);
    expect(result.samples[0]).to.equal(input);
    expect(result.enriched).to.equal(1);
  });

  it('joins by account, instance and participant: the same participant id elsewhere is not enriched', () => {
    const { cache } = setup();
    cache.put({ key: { account_id: 'acct-A', instance: 'uuid-1==', participant: '16778240' }, time_ms: 1, dimensions: { 'zoom.participant.device': 'WIN' } });
    const result = enrichSamples(
      [
        meetingSample('16778240'),
        sample({ 'zoom.account.id': 'acct-B', 'zoom.meeting.uuid': 'uuid-1==', 'zoom.participant.id': '16778240' }),
        sample({ 'zoom.account.id': 'acct-A', 'zoom.meeting.uuid': 'uuid-2==', 'zoom.participant.id': '16778240' }),
        // Same instance id under another attribute: the key has no family (UUIDs are unique), so it joins.
        sample({ 'zoom.account.id': 'acct-A', 'zoom.webinar.uuid': 'uuid-1==', 'zoom.participant.id': '16778240' }),
      ],
      cache,
    );
    expect(result).to.include({ enriched: 2, not_found: 2, unkeyed: 0 });
    expect(result.samples.map((s) => s.attributes['zoom.participant.device'])).to.deep.equal(['WIN', undefined, undefined, 'WIN']);
  });

  it('does not look up samples that cannot have data events (phone, missing ids)', () => {
    const { cache } = setup();
    const phone = samplesOf('zoom-example-phone.call_qos');
    expect(phone.length).to.be.greaterThan(0);
    const result = enrichSamples([...phone, sample({ 'zoom.account.id': 'a', 'zoom.meeting.uuid': 'u' }), sample({ 'zoom.meeting.uuid': 'u', 'zoom.participant.id': 'p' })], cache);
    expect(result).to.include({ enriched: 0, not_found: 0, unkeyed: phone.length + 2 });
    expect(cache.stats()).to.include({ hits: 0, misses: 0 });
  });

  it('reads the instance from the meeting, webinar or session attribute', () => {
    expect(sampleParticipantKey(sample({ 'zoom.account.id': 'a', 'zoom.session.id': 's', 'zoom.participant.id': 'p' }))).to.deep.equal({ account_id: 'a', instance: 's', participant: 'p' });
    expect(sampleParticipantKey(sample({ 'zoom.account.id': 'a', 'zoom.webinar.uuid': 'w', 'zoom.participant.id': 'p' }))).to.deep.equal({ account_id: 'a', instance: 'w', participant: 'p' });
    expect(sampleParticipantKey(sample({ 'zoom.account.id': 'a', 'zoom.call.id': 'c', 'zoom.participant.id': 'p' }))).to.equal(undefined);
  });

  it('stops enriching once the entry expired (ttl after the last data event)', () => {
    const { clock, cache } = setup();
    feed(cache, 'zoom-example-meeting.participant_data');
    const samples = samplesOf('zoom-example-meeting.participant_qos');
    clock.t += 240 * MINUTE;
    expect(enrichSamples(samples, cache)).to.include({ enriched: 0, not_found: samples.length });
    expect(cache.stats()).to.include({ evicted_ttl: 1, misses: 1, entries: 0 });
  });
});
