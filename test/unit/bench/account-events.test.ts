// The soak harness's accounting (bench/soak/account-events.ts): every acknowledged event is
// delivered, dead-lettered with its reason, or missing — at every sink.
import { expect } from 'chai';
import { accountEvents, pointKeyOf, tally } from '../../../bench/soak/account-events.ts';

const counts = (...keys: string[]): Map<string, number> => {
  const m = new Map<string, number>();
  for (const k of keys) tally(m, k);
  return m;
};

describe('accountEvents', () => {
  const data = 'meeting.participant_data|M1|p1|1700000000123';
  const qos = 'meeting.participant_qos|M1|p1|1700000060456';
  const qos2 = 'meeting.participant_qos|M1|p2|1700000060789';
  const call = 'phone.call_qos_summary|C1|leg-a|1700000120999';

  it('counts delivered, duplicated, dead-lettered (by reason) and missing events at an event sink', () => {
    const [a] = accountEvents([data, qos, qos2, call], [{ name: 'hec', kind: 'events', received: counts(data, data, qos), deadLettered: [{ key: qos2, reason: 'http_400_code_6' }] }]);
    expect(a).to.deep.equal({ sink: 'hec', kind: 'events', expected: 4, delivered: 2, deadLettered: { http_400_code_6: 1 }, missing: 1, missingKeys: [call], duplicates: 1 });
  });

  it('expects only QoS events at a metric sink, matched by point key (second; no participant for phone summaries)', () => {
    const received = counts(pointKeyOf(qos), pointKeyOf(qos), 'phone.call_qos_summary|C1||1700000120');
    expect(pointKeyOf(qos)).to.equal('meeting.participant_qos|M1|p1|1700000060');
    const [m] = accountEvents([data, qos, qos2, call], [{ name: 'otel', kind: 'metrics', received, deadLettered: [] }]);
    expect(m).to.include({ expected: 3, delivered: 2, missing: 1, duplicates: 0 });
    expect(m?.missingKeys).to.deep.equal([qos2]);
  });

  it('compares in the sink\'s own spelling when it has one', () => {
    const [d] = accountEvents([qos], [{ name: 'dd', kind: 'metrics', received: counts('meeting.participant_qos|m1|p1|1700000060'), deadLettered: [], spell: (k) => k.toLowerCase() }]);
    expect(d).to.include({ delivered: 1, missing: 0 });
  });
});
