// The length cap on values normalize takes from Zoom bodies (worker.max_attribute_value_chars):
// the pure helper, then every string of the 14 event types' bodies, as normalize really reads them.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { attributeValueCap, capAttributeValue } from '../../../../src/pipeline/normalize/cap-attribute-value.ts';
import { normalizeQssEvent, type NormalizedQssEvent } from '../../../../src/pipeline/normalize/normalize-qss-event.ts';

const LIMIT = 64;
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(`test/fixtures/zoom/${name}.json`, 'utf8')) as Record<string, unknown>;
/** Sets a dot-separated path (`payload.object.uuid`, `…data.0.device`) in a decoded body. */
function set(body: unknown, path: string, value: unknown): void {
  const parts = path.split('.');
  let at = body as Record<string, unknown>;
  for (const part of parts.slice(0, -1)) at = at[part] as Record<string, unknown>;
  at[parts[parts.length - 1]!] = value;
}
/** `n` characters, starting with a marker so cut values of different fields differ. */
const long = (marker: string, n: number): string => marker.padEnd(n, 'x');

function allValues(n: NormalizedQssEvent): string[] {
  if (n.kind === 'qos') return n.samples.flatMap((s) => Object.values(s.attributes));
  if (n.kind === 'dimensions') return n.records.flatMap((r) => [r.key.account_id, r.key.instance, r.key.participant, ...Object.values(r.dimensions)]);
  return [];
}

describe('capAttributeValue', () => {
  it('keeps values up to the limit as they are and counts nothing', () => {
    const cap = attributeValueCap(LIMIT);
    const exact = long('a', LIMIT);
    expect(capAttributeValue(cap, 'zoom.participant.device', exact)).to.equal(exact);
    expect(capAttributeValue(cap, 'zoom.participant.device', 'WIN')).to.equal('WIN');
    expect(cap.cut).to.equal(undefined);
  });

  it('cuts longer values to the limit (a prefix, not dropped) and counts each cut by attribute name', () => {
    const cap = attributeValueCap(LIMIT);
    const value = long('device-', 900_000);
    expect(capAttributeValue(cap, 'zoom.participant.device', value)).to.equal(value.slice(0, LIMIT));
    capAttributeValue(cap, 'zoom.participant.device', long('d', LIMIT + 1));
    capAttributeValue(cap, 'zoom.account.id', long('a', LIMIT * 2));
    expect(cap.cut).to.deep.equal({ 'zoom.participant.device': 2, 'zoom.account.id': 1 });
  });

  it('never splits a surrogate pair (the cut value stays valid UTF-16)', () => {
    const cap = attributeValueCap(LIMIT);
    const value = `${'a'.repeat(LIMIT - 1)}😀tail`; // the emoji's first half is the 64th code unit
    const cut = capAttributeValue(cap, 'zoom.participant.location', value);
    expect(cut).to.equal('a'.repeat(LIMIT - 1));
    expect(Buffer.from(cut, 'utf8').toString('utf8')).to.equal(cut);
  });

  it('with an infinite limit cuts nothing', () => {
    const cap = attributeValueCap(Number.POSITIVE_INFINITY);
    expect(capAttributeValue(cap, 'zoom.participant.device', long('d', 100_000))).to.have.length(100_000);
    expect(cap.cut).to.equal(undefined);
  });
});

describe('normalizeQssEvent with a value cap', () => {
  it('cuts a 0.9 MB device of a data event to the limit and says so in `cut`', () => {
    const body = fixture('meeting.participant_data');
    set(body, 'payload.object.participant.data.0.device', long('D', 900_000));
    const n = normalizeQssEvent(body, 0, undefined, LIMIT);
    expect(n.kind).to.equal('dimensions');
    if (n.kind !== 'dimensions') return;
    expect(n.records[0]?.dimensions['zoom.participant.device']).to.equal(long('D', LIMIT));
    expect(n.records[0]?.dimensions['zoom.participant.network_type']).to.equal('Wired');
    expect(n.cut).to.deep.equal({ 'zoom.participant.device': 1 });
  });

  it('cuts every dimension and the key (account, meeting, participant) of a data event', () => {
    const body = fixture('meeting.participant_data_summary');
    set(body, 'payload.account_id', long('acct', 300));
    set(body, 'payload.object.uuid', long('uuid', 300));
    set(body, 'payload.object.participant.participant_id', long('pid', 300));
    for (const field of ['device', 'device_detail', 'network_type', 'location', 'data_center', 'connection_type', 'version', 'client']) set(body, `payload.object.participant.data.0.${field}`, long(field, 300));
    const n = normalizeQssEvent(body, 0, undefined, LIMIT);
    expect(n.kind).to.equal('dimensions');
    const values = allValues(n);
    expect(values.length).to.be.greaterThan(10);
    expect(values.every((v) => v.length <= LIMIT)).to.equal(true);
    expect(n.kind === 'dimensions' && n.cut?.['zoom.participant.device']).to.be.greaterThan(0);
    expect(n.kind === 'dimensions' && n.cut).to.include({ 'zoom.account.id': 1, 'zoom.meeting.uuid': 1, 'zoom.participant.id': 1 });
  });

  it('cuts the ids, meeting number, qos type and copied detail values of a QoS event, counted once per value', () => {
    const body = fixture('meeting.participant_qos');
    set(body, 'payload.account_id', long('acct', 300));
    set(body, 'payload.object.uuid', long('uuid', 300));
    set(body, 'payload.object.id', long('1', 300));
    set(body, 'payload.object.participant.user_id', long('uid', 300));
    set(body, 'payload.object.participant.qos.0.type', long('audio_input', 300));
    const items = (body as unknown as { payload: { object: { participant: { qos: { details: object }[] } } } }).payload.object.participant.qos;
    set(body, `payload.object.participant.qos.${items.findIndex((i) => 'quality' in i.details)}.details.quality`, long('good', 300));
    const n = normalizeQssEvent(body, 0, undefined, LIMIT);
    expect(n.kind).to.equal('qos');
    if (n.kind !== 'qos') return;
    expect(n.samples.length).to.be.greaterThan(0);
    expect(allValues(n).every((v) => v.length <= LIMIT)).to.equal(true);
    expect(n.samples[0]?.attributes['zoom.qos.type']).to.equal(long('audio_input', LIMIT));
    expect(n.skipped.filter((s) => s.qos_type !== undefined).every((s) => (s.qos_type ?? '').length <= LIMIT)).to.equal(true);
    expect(n.cut).to.deep.equal({ 'zoom.account.id': 1, 'zoom.meeting.uuid': 1, 'zoom.participant.id': 1, 'zoom.meeting.id': 1, 'zoom.qos.type': 1, 'zoom.qos.quality': 1 });
  });

  it('cuts the call id, leg id, leg type and network of a phone QoS event', () => {
    const body = fixture('phone.call_qos');
    set(body, 'payload.object.call_id', long('call', 300));
    set(body, 'payload.object.call_qos.type', long('caller', 300));
    set(body, 'payload.object.call_qos.id', long('leg', 300));
    set(body, 'payload.object.call_qos.qos.details.network', long('LAN', 300));
    const n = normalizeQssEvent(body, 0, undefined, LIMIT);
    expect(n.kind).to.equal('qos');
    expect(allValues(n).every((v) => v.length <= LIMIT)).to.equal(true);
    expect(n.kind === 'qos' && n.cut).to.deep.equal({ 'zoom.call.id': 1, 'zoom.participant.id': 1, 'zoom.call.leg': 1, 'zoom.participant.network_type': 1 });
  });

  it('still joins a data and a QoS event whose ids were cut (both are cut the same way)', () => {
    const uuid = long('uuid', 300);
    const data = fixture('meeting.participant_data');
    set(data, 'payload.object.uuid', uuid);
    const qos = fixture('meeting.participant_qos');
    set(qos, 'payload.object.uuid', uuid);
    const d = normalizeQssEvent(data, 0, undefined, LIMIT);
    if (d.kind !== 'dimensions') throw new Error(d.kind);
    const stored = d.records[0]!;
    const q = normalizeQssEvent(qos, 0, (key) => (JSON.stringify(key) === JSON.stringify(stored.key) ? stored.dimensions : undefined), LIMIT);
    expect(q.kind === 'qos' && q.enrichment).to.equal('enriched');
    expect(q.kind === 'qos' && q.samples[0]?.attributes['zoom.participant.device']).to.equal('WIN');
  });

  it('leaves genuine Zoom bodies alone: no `cut` at the default limit', () => {
    for (const name of ['meeting.participant_qos', 'meeting.participant_data_summary', 'session.user_qos', 'phone.call_qos_summary']) {
      const n = normalizeQssEvent(fixture(name), 0, undefined, 256);
      expect(n.kind === 'qos' || n.kind === 'dimensions' ? n.cut : 'other', name).to.equal(undefined);
    }
  });
});
