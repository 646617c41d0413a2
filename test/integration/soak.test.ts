// The fault scenarios of bench/soak, short (seconds, not minutes), as correctness tests: every
// event the simulator saw acknowledged is delivered or dead-lettered at every sink — zero lost — and
// no process crashes. No timing assertions; the long runs and their figures: npm run bench:soak.
import { expect } from 'chai';
import { runSoak, type SoakReport } from '../../bench/soak/run-soak.ts';
import { scenarios } from '../../bench/soak/scenarios.ts';

const SHORT = scenarios(8, 40);
const pick = (name: string) => {
  const s = SHORT.find((x) => x.name === name);
  if (s === undefined) throw new Error(name);
  // Kafka here on one node (a 3-node cluster per run would add a minute to npm test; the 3-node
  // faults are test/integration/kafka-failover.test.ts, and bench:soak runs these on 3 nodes).
  return { ...s, kafkaNodes: 1 as const, settleMs: s.bus === 'kafka' ? 120_000 : 60_000 };
};

function expectNothingLost(r: SoakReport): void {
  const table = r.accounts.map((a) => `${a.sink}: expected ${a.expected}, delivered ${a.delivered}, dead ${JSON.stringify(a.deadLettered)}, missing ${a.missing} ${a.missingKeys.slice(0, 3).join(' ')}`).join('\n');
  expect(r.lost, table).to.equal(0);
  expect(r.simulate.events.acked, `the simulator's events ${JSON.stringify(r.simulate.events)}, requests ${JSON.stringify(r.simulate.requests)}`).to.be.greaterThan(100);
  for (const a of r.accounts) expect(a.expected, a.sink).to.be.greaterThan(0);
}

describe('soak scenarios, short (zero lost)', function () {
  this.timeout(330_000);

  it('serve SIGKILLed under load and restarted: Zoom\'s retries get in, nothing acknowledged is lost', async () => {
    const r = await runSoak(pick('kill-serve'));
    expectNothingLost(r);
    expect(r.simulate.requests.retries).to.be.greaterThan(0);
  });

  it('a Kafka worker SIGKILLed under load: its partitions move, nothing is lost', async () => {
    expectNothingLost(await runSoak(pick('kill-worker')));
  });

  it('the Kafka broker killed for seconds under load and started again: the ingress spools, nothing is lost', async () => {
    expectNothingLost(await runSoak(pick('broker-down')));
  });

  it('a sink answering 503 for a while: held, retried, nothing lost', async () => {
    expectNothingLost(await runSoak(pick('sink-503')));
  });

  it('a sink refusing one event type with 400: exactly those events dead-lettered there, everything else delivered', async () => {
    const r = await runSoak(pick('sink-rejects-a-type'));
    expectNothingLost(r);
    const hec = r.accounts.find((a) => a.sink === 'hec')!;
    const refused = Object.values(hec.deadLettered).reduce((a, b) => a + b, 0);
    expect(refused).to.be.greaterThan(0);
    expect(refused).to.be.at.most(r.simulate.events.byType['meeting.participant_data_summary'] ?? 0);
    expect(Object.keys(hec.deadLettered)).to.deep.equal(['http_400_code_6']);
    for (const a of r.accounts.filter((x) => x.sink !== 'hec')) expect(a.delivered, a.sink).to.equal(a.expected);
  });
});
