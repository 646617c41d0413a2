import { expect } from 'chai';
import { createSimulationTally, type EventLedgerEntry } from '../../../src/simulate/simulation-summary.ts';

describe('createSimulationTally', () => {
  const entry = (): EventLedgerEntry => ({ requestId: 'r', key: 'k', acks: 0, outcome: 'pending' });

  it('counts answers by status, keeps the CRC out of the event deliveries, network errors by code, and the second-by-second series (answered, failed: ≥ 500 or no answer)', () => {
    const t = createSimulationTally(2, [1, 2, 3], () => 1500);
    t.record({ ok: true, status: 200, latencyMs: 3, body: '' }, true);
    t.record({ ok: true, status: 200, latencyMs: 5, body: '' }, false);
    t.record({ ok: true, status: 503, latencyMs: 7, body: '' }, false);
    t.record({ ok: false, latencyMs: 3000, error: 'timeout' }, false);
    expect(t.counts).to.deep.equal({ sent: 0, accepted: 2, rejected: 1, networkErrors: 1 });
    expect(t.rejectedByStatus).to.deep.equal({ 503: 1 });
    expect(t.deliveries.byStatus).to.deep.equal({ 200: 1, 503: 1 });
    expect(t.deliveries.networkErrorsByCode).to.deep.equal({ timeout: 1 });
    expect(t.deliveries.retriesByAttempt).to.deep.equal([0, 0]);
    expect(t.latencyBySecond.rows().map((r) => [r[0], r[1], r[2]])).to.deep.equal([[1, 2, 2]]);
  });

  it('moves an event between outcome counts, and an acked event stays acked', () => {
    const t = createSimulationTally(0, [], () => 0);
    const e = entry();
    t.setOutcome(e, 'abandoned');
    expect(t.events).to.include({ abandoned: 1, acked: 0 });
    t.setOutcome(e, 'acked');
    expect(t.events).to.include({ abandoned: 0, acked: 1 });
    t.setOutcome(e, 'rejected:400');
    expect(e.outcome).to.equal('acked');
    expect(t.events).to.include({ acked: 1, rejected: 0 });
  });

  it('counts requests by event', () => {
    const t = createSimulationTally(0, [], () => 0);
    t.countRequest('meeting.participant_qos');
    t.countRequest('meeting.participant_qos');
    t.countRequest('endpoint.url_validation');
    expect(t.counts.sent).to.equal(3);
    expect(t.sentByEvent).to.deep.equal({ 'meeting.participant_qos': 2, 'endpoint.url_validation': 1 });
  });
});
