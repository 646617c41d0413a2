import { expect } from 'chai';
import { runSimulation } from '../../../src/simulate/run-simulation.ts';
import type { SimulationOptions } from '../../../src/simulate/simulation-options.ts';
import type { SimulationProgress } from '../../../src/simulate/simulation-summary.ts';
import { startZoomReceiver, type ZoomReceiver } from '../../support/start-zoom-receiver.ts';

const SECRET = 'simulate-test-secret';
const deps = { now: () => Date.now() };

describe('runSimulation against a real HTTP endpoint', () => {
  let receiver: ZoomReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });
  const options = (url: string, extra: Partial<SimulationOptions> = {}): SimulationOptions => ({
    url, secret: SECRET, meetings: 2, participants: 3, durationMs: 100, ratePerSecond: 400, concurrency: 8, seed: 7, ...extra,
  });

  it('sends a CRC, data at join, QoS, then both summaries, every request signed over the bytes sent', async () => {
    receiver = await startZoomReceiver({ secret: SECRET });
    const before = Date.now();
    const progress: SimulationProgress[] = [];
    const summary = await runSimulation(options(receiver.url), { ...deps, onProgress: (p) => progress.push(p) });
    const after = Date.now();
    const r = receiver;

    expect(r.received[0]?.event).to.equal('endpoint.url_validation');
    expect(r.count('endpoint.url_validation')).to.equal(1);
    expect(r.count('meeting.participant_data')).to.equal(6);
    expect(r.count('meeting.participant_qos')).to.be.greaterThan(0);
    expect(r.count('meeting.participant_qos_summary')).to.equal(6);
    expect(r.count('meeting.participant_data_summary')).to.equal(6);
    const joined = r.received.filter((q) => q.event === 'meeting.participant_data').map((q) => JSON.stringify([(q.body.payload.object as { uuid: string }).uuid, (q.body.payload.object as { participant: { participant_id: string } }).participant.participant_id]));
    expect(new Set(joined).size).to.equal(6);

    for (const request of r.received) {
      expect(request.signatureOk, `signature of ${request.event}`).to.equal(true);
      expect(request.timestampOk, `timestamp of ${request.event}`).to.equal(true);
      expect(request.compact).to.equal(true);
      expect(request.headers['content-type']).to.equal('application/json; charset=utf-8');
      expect(request.headers['x-zm-trackingid']).to.be.a('string').and.not.equal('');
      expect(request.body.event_ts).to.be.within(before, after);
    }
    const ids = r.received.map((q) => q.headers['x-zm-request-id']);
    expect(ids.every((id) => typeof id === 'string' && /^[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12}$/.test(id))).to.equal(true);
    expect(new Set(ids).size).to.equal(ids.length);

    expect(summary.crcOk).to.equal(true);
    expect(summary.sent).to.equal(r.received.length);
    expect(summary.accepted).to.equal(summary.sent);
    expect(summary.rejectedByStatus).to.deep.equal({});
    expect(summary.networkErrors).to.equal(0);
    expect(summary.sentByEvent['meeting.participant_qos']).to.equal(r.count('meeting.participant_qos'));
    expect(summary.latencyMs.p50).to.be.at.most(summary.latencyMs.p99);
    expect(summary.latencyMs.p99).to.be.at.most(summary.latencyMs.max);
    expect(summary.latencyMs.max).to.be.greaterThan(0);
    const last = progress.at(-1);
    expect(last?.phase).to.equal('done');
    expect(last?.sent).to.equal(summary.sent);
    expect(last?.accepted).to.equal(summary.accepted);
  });

  it('counts non-2xx answers under their status and keeps going', async () => {
    receiver = await startZoomReceiver({
      secret: SECRET,
      respond: (req, index) => (req.event === 'meeting.participant_qos' && index % 2 === 1) || (req.event === 'meeting.participant_data_summary' && index === 0) ? 503 : 200,
    });
    const summary = await runSimulation(options(receiver.url), deps);
    const served503 = receiver.received.filter((q) => q.status === 503).length;

    expect(served503).to.be.greaterThan(0);
    expect(summary.rejectedByStatus).to.deep.equal({ 503: served503 });
    expect(summary.accepted + served503).to.equal(summary.sent);
    expect(summary.sent).to.equal(receiver.received.length);
    expect(receiver.count('meeting.participant_data_summary')).to.equal(6);
    expect(summary.crcOk).to.equal(true);
  });

  it('reports a wrong CRC answer and, with a wrong secret, 401s for everything', async () => {
    receiver = await startZoomReceiver({ secret: SECRET, crcSecret: 'another-secret' });
    const wrongCrc = await runSimulation(options(receiver.url, { meetings: 1, participants: 1 }), deps);
    expect(wrongCrc.crcOk).to.equal(false);
    expect(wrongCrc.accepted).to.equal(wrongCrc.sent);
    await receiver.close();

    receiver = await startZoomReceiver({ secret: 'the-forwarder-has-another-secret' });
    const wrongSecret = await runSimulation(options(receiver.url, { meetings: 1, participants: 2 }), deps);
    expect(wrongSecret.crcOk).to.equal(false);
    expect(wrongSecret.accepted).to.equal(0);
    expect(wrongSecret.rejectedByStatus).to.deep.equal({ 401: receiver.received.length });
    expect(wrongSecret.sent).to.equal(receiver.received.length);
  });

  it('follows Zoom\'s cadence without a rate: one QoS per participant per minute, spread over the minute', async () => {
    receiver = await startZoomReceiver({ secret: SECRET });
    // 6 participants → one QoS event every 10 s; in 300 ms only the first one is due.
    const summary = await runSimulation(options(receiver.url, { ratePerSecond: undefined, durationMs: 300 }), deps);
    expect(receiver.count('meeting.participant_qos')).to.equal(1);
    expect(receiver.count('meeting.participant_qos_summary')).to.equal(6);
    expect(summary.accepted).to.equal(summary.sent);
  });

  it('counts an unreachable endpoint as a network error instead of throwing', async () => {
    receiver = await startZoomReceiver({ secret: SECRET });
    const url = receiver.url;
    await receiver.close();
    receiver = undefined;
    const summary = await runSimulation(options(url), deps);
    expect(summary).to.include({ sent: 1, accepted: 0, networkErrors: 1, crcOk: false });
    expect(summary.rejectedByStatus).to.deep.equal({});
  });

  it('stops sending when aborted and waits for the answers in flight', async () => {
    const controller = new AbortController();
    receiver = await startZoomReceiver({
      secret: SECRET,
      onRequest: (req) => {
        if (req.event === 'meeting.participant_qos') controller.abort();
      },
    });
    const summary = await runSimulation(options(receiver.url, { durationMs: 60_000, ratePerSecond: 100 }), { ...deps, signal: controller.signal });
    expect(receiver.count('meeting.participant_qos')).to.be.greaterThan(0);
    expect(receiver.count('meeting.participant_qos_summary')).to.equal(0);
    expect(summary.sent).to.equal(receiver.received.length);
    expect(summary.accepted).to.equal(summary.sent);
  });

  it('refuses options that would make the schedule meaningless', async () => {
    for (const bad of [{ meetings: 0 }, { participants: 1.5 }, { ratePerSecond: 0 }, { durationMs: Number.NaN }]) {
      const error = await runSimulation(options('http://127.0.0.1:9/', bad), deps).then(() => undefined, (e: unknown) => e);
      expect(error, JSON.stringify(bad)).to.be.instanceOf(RangeError);
    }
  });
});
