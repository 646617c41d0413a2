// Zoom's delivery behaviour in `simulate` (Zoom README §3.5–3.6): retries of answers ≥ 500 and of
// deliveries without an answer in time, at +5/+25/+85 min (scaled), re-signed with the same bytes and
// request id; none for 4xx; duplicates and out-of-order delivery; the mix of event families.
import { expect } from 'chai';
import { normalizeQssEvent } from '../../../src/pipeline/normalize/normalize-qss-event.ts';
import { eventIdentity } from '../../../src/simulate/event-identity.ts';
import { runSimulation } from '../../../src/simulate/run-simulation.ts';
import type { SimulationOptions } from '../../../src/simulate/simulation-options.ts';
import { startZoomReceiver, type ReceivedRequest, type ZoomReceiver } from '../../support/start-zoom-receiver.ts';

const SECRET = 'delivery-test-secret';
const deps = { now: () => Date.now() };

interface Delivery {
  at: number;
  request: ReceivedRequest;
}

describe('runSimulation: retries, timeouts, duplicates, reordering, event families', () => {
  let receiver: ZoomReceiver | undefined;
  /** Deliveries by x-zm-request-id, in arrival order. */
  let byId: Map<string, Delivery[]>;
  let arrivals: string[];
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });
  const start = async (respond: (req: ReceivedRequest, nth: number) => number, delayMs?: (req: ReceivedRequest, nth: number) => number): Promise<ZoomReceiver> => {
    byId = new Map();
    arrivals = [];
    const nth = (req: { headers: ReceivedRequest['headers'] }): number => byId.get(String(req.headers['x-zm-request-id']))?.length ?? 0;
    receiver = await startZoomReceiver({
      secret: SECRET,
      // Called before onRequest records the delivery: nth = deliveries of this request id before it.
      respond: (req) => respond(req as ReceivedRequest, nth(req)),
      delayMs: delayMs ? (req) => delayMs(req, (byId.get(String(req.headers['x-zm-request-id']))?.length ?? 1) - 1) : undefined,
      onRequest: (req) => {
        if (req.event === 'endpoint.url_validation') return;
        const id = String(req.headers['x-zm-request-id']);
        byId.set(id, [...(byId.get(id) ?? []), { at: Date.now(), request: req }]);
        arrivals.push(id);
      },
    });
    return receiver;
  };
  const options = (url: string, extra: Partial<SimulationOptions> = {}): SimulationOptions => ({
    url, secret: SECRET, meetings: 1, participants: 2, durationMs: 0, ratePerSecond: 2000, concurrency: 8, seed: 3, ...extra,
  });

  it('retries a 503 after +5 min × scale with the same bytes, request id and tracking id, re-signed; the event is acked once', async () => {
    const r = await start((_req, nth) => (nth === 0 ? 503 : 200));
    const before = Date.now();
    const summary = await runSimulation(options(r.url, { retries: 3, retryTimeScale: 0.0004 }), deps); // +5 min → 120 ms

    expect(byId.size).to.equal(6); // 2 participant_data + 2 × 2 summaries
    for (const [id, [first, second, ...more]] of byId) {
      expect(more, id).to.have.length(0);
      expect([first?.request.status, second?.request.status]).to.deep.equal([503, 200]);
      expect(second?.request.raw).to.equal(first?.request.raw);
      expect(second?.request.headers['x-zm-trackingid']).to.equal(first?.request.headers['x-zm-trackingid']);
      expect(second?.request.signatureOk && second.request.timestampOk).to.equal(true);
      // Due 120 ms after the first attempt was sent (which is a little before it arrived here).
      // Lower bound only: a loaded machine may send it late, never early.
      expect(second?.at).to.be.at.least(before + 120);
    }
    expect(summary.deliveries).to.deep.include({ sent: 12, firstAttempts: 6, retries: 6, duplicates: 0, byStatus: { 200: 6, 503: 6 } });
    expect(summary.deliveries.retriesByAttempt).to.deep.equal([6, 0, 0]);
    expect(summary.events).to.deep.include({ generated: 6, acked: 6, abandoned: 0, rejected: 0, cancelled: 0 });
    expect(summary.ledger.map((e) => [e.outcome, e.acks])).to.deep.equal(Array.from({ length: 6 }, () => ['acked', 1]));
    expect(summary.rejectedByStatus).to.deep.equal({ 503: 6 });
  });

  it('gives up after the 3rd retry (+5, +25, +85 min × scale) and counts the event abandoned; never retries a 4xx', async () => {
    const r = await start((req) => (req.event === 'meeting.participant_data_summary' ? 503 : req.event === 'meeting.participant_data' ? 404 : 200));
    const before = Date.now();
    const summary = await runSimulation(options(r.url, { participants: 1, retries: 3, retryTimeScale: 0.00005 }), deps); // 15, 75, 255 ms

    const bySummary = [...byId.values()].find((d) => d[0]?.request.event === 'meeting.participant_data_summary') ?? [];
    expect(bySummary.map((d) => d.request.status)).to.deep.equal([503, 503, 503, 503]);
    // Due at first attempt + 15, 75 and 255 ms. Lower bounds only (a loaded machine sends late, never early).
    const [first, retry1, retry2, retry3] = bySummary.map((d) => d.at) as [number, number, number, number];
    expect([retry1 - before >= 15, retry2 - before >= 75, retry3 - before >= 255]).to.deep.equal([true, true, true]);
    expect(first < retry1 && retry1 < retry2 && retry2 < retry3).to.equal(true);
    const byData = [...byId.values()].find((d) => d[0]?.request.event === 'meeting.participant_data') ?? [];
    expect(byData.map((d) => d.request.status)).to.deep.equal([404]);

    expect(summary.deliveries.retriesByAttempt).to.deep.equal([1, 1, 1]);
    expect(summary.events).to.deep.include({ generated: 3, acked: 1, abandoned: 1, rejected: 1 });
    expect(summary.ledger.map((e) => e.outcome)).to.deep.equal(['rejected:404', 'acked', 'abandoned']);
    expect(summary.rejectedByStatus).to.deep.equal({ 404: 1, 503: 4 });
  });

  it('treats an answer slower than the timeout as a failed delivery and retries it', async () => {
    const r = await start(() => 200, (req, nth) => (req.event === 'meeting.participant_data' && nth === 0 ? 400 : 0));
    const summary = await runSimulation(options(r.url, { participants: 1, retries: 1, retryTimeScale: 0.0002, timeoutMs: 100 }), deps);

    expect(summary.deliveries.networkErrorsByCode).to.deep.equal({ timeout: 1 });
    expect(summary.deliveries.retries).to.equal(1);
    expect(summary.events).to.deep.include({ generated: 3, acked: 3, abandoned: 0 });
    const data = [...byId.values()].find((d) => d[0]?.request.event === 'meeting.participant_data') ?? [];
    expect(data).to.have.length(2);
  });

  it('without retries, a 5xx abandons the event at once', async () => {
    const r = await start((req) => (req.event === 'meeting.participant_qos_summary' ? 500 : 200));
    const summary = await runSimulation(options(r.url, { participants: 2 }), deps);
    expect(summary.deliveries.retries).to.equal(0);
    expect(summary.events).to.deep.include({ generated: 6, acked: 4, abandoned: 2 });
  });

  it('on abort, does not wait for retries due later: they are counted as cancelled', async () => {
    const r = await start(() => 503);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 150);
    const before = Date.now();
    const summary = await runSimulation(options(r.url, { participants: 1, retries: 3 }), { ...deps, signal: controller.signal }); // +5 min, unscaled
    clearTimeout(timer);
    expect(Date.now() - before).to.be.below(2000);
    expect(summary.interrupted).to.equal(true);
    expect(summary.deliveries.retries).to.equal(0);
    expect(summary.events).to.deep.include({ generated: 3, acked: 0, cancelled: 3, abandoned: 0 });
    expect(summary.ledger.map((e) => e.outcome)).to.deep.equal(['cancelled', 'cancelled', 'cancelled']);
  });

  it('sends the asked share of events twice and holds some back; the same seed repeats the same traffic', async () => {
    const run = async () => {
      const r = await start(() => 200);
      const summary = await runSimulation(options(r.url, { meetings: 3, participants: 4, concurrency: 1, duplicates: 0.25, reorder: 0.25, seed: 11 }), deps);
      const received = new Map(byId);
      const order = [...arrivals];
      await r.close();
      receiver = undefined;
      return { summary, received, order };
    };
    const a = await run();
    const twice = [...a.received.values()].filter((d) => d.length === 2);
    expect(twice.length).to.be.greaterThan(0);
    expect(twice.length).to.equal(a.summary.events.duplicated).and.equal(a.summary.deliveries.duplicates);
    for (const [first, second] of twice) expect(second?.request.raw).to.equal(first?.request.raw);
    expect([...a.received.values()].every((d) => d.length <= 2)).to.equal(true);
    expect(a.summary.ledger.every((e) => a.received.has(e.requestId) && e.acks === a.received.get(e.requestId)?.length)).to.equal(true);
    expect(a.summary.events).to.deep.include({ generated: 36, acked: 36 });

    // Held-back events arrive after events generated later.
    expect(a.summary.events.reordered).to.be.greaterThan(0);
    const generated = new Map(a.summary.ledger.map((e, i) => [e.requestId, i]));
    const firstArrivals = a.order.filter((id, i) => a.order.indexOf(id) === i).map((id) => generated.get(id) ?? -1);
    const overtaken = firstArrivals.filter((g, i) => firstArrivals.slice(0, i).some((earlier) => earlier > g)).length;
    expect(overtaken).to.be.within(1, a.summary.events.reordered);

    const b = await run();
    const shape = (r: typeof a) => r.order.map((id) => (eventIdentity(r.received.get(id)?.[0]?.request.body)?.key ?? '').replace(/\|\d+$/, ''));
    expect(shape(b)).to.deep.equal(shape(a));
    expect([b.summary.events.duplicated, b.summary.events.reordered]).to.deep.equal([a.summary.events.duplicated, a.summary.events.reordered]);
  });

  it('keeps event|instance|participant|event_ts unique even when one participant sends many events per millisecond', async () => {
    const r = await start(() => 200);
    // A clock that moves in 40 ms steps: many events of the one participant share a millisecond.
    const coarse = { now: () => Math.floor(Date.now() / 40) * 40 };
    const summary = await runSimulation(options(r.url, { participants: 1, durationMs: 100, ratePerSecond: 1000 }), coarse);
    expect(summary.events.byType['meeting.participant_qos']).to.be.greaterThan(10);
    const ts = summary.ledger.filter((e) => e.key.startsWith('meeting.participant_qos|')).map((e) => Number(e.key.split('|')[3]));
    expect(ts.some((t) => t % 40 !== 0)).to.equal(true); // bumped past the clock
    expect(ts.every((t, i) => i === 0 || t > (ts[i - 1] ?? 0))).to.equal(true);
    const keys = summary.ledger.map((e) => e.key);
    expect(new Set(keys).size).to.equal(keys.length);
    const received = r.received.filter((q) => q.event !== 'endpoint.url_validation').map((q) => eventIdentity(q.body)?.key);
    expect(new Set(received)).to.deep.equal(new Set(keys));
  });

  it('sends all 14 event types for a mix of meetings, webinars, sessions and calls, every body normalizable', async () => {
    const r = await start(() => 200);
    // A fixed rate: every participant (and call leg) takes QoS turns whatever the machine's load (at Zoom's cadence a short run may end before a family's first QoS).
    const summary = await runSimulation(options(r.url, { webinars: 1, sessions: 1, calls: 1, durationMs: 300, ratePerSecond: 2000, degraded: 0.5 }), deps);
    const types = new Set(r.received.map((q) => q.event));
    expect(types.size).to.equal(15); // 14 QSS events + the CRC
    for (const q of r.received) {
      if (q.event === 'endpoint.url_validation') continue;
      expect(normalizeQssEvent(q.body, Date.now()).kind, q.event).to.be.oneOf(['qos', 'dimensions']);
    }
    expect(summary.events.byType['phone.call_qos_summary']).to.equal(1);
    expect(summary.events.byType['session.user_data']).to.equal(2);
    expect(summary.participants.total).to.equal(8);
    expect(summary.events.acked).to.equal(summary.events.generated);
  });
});
