// `simulate --result FILE`: the machine-readable result an accounting harness reads — counts by
// status, retries, abandoned, duplicates, latency percentiles, and the identity of every event.
import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { eventIdentity } from '../../../src/simulate/event-identity.ts';
import { runSimulateCommand, type SimulateCommandOptions } from '../../../src/simulate/run-simulate-command.ts';
import type { SimulationResult } from '../../../src/simulate/simulation-result.ts';
import { startZoomReceiver, type ReceivedRequest, type ZoomReceiver } from '../../support/start-zoom-receiver.ts';

const SECRET = 'result-test-secret-value';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('simulate --result', () => {
  let receiver: ZoomReceiver | undefined;
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qss-simulate-result-'));
  });
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (respond: (req: ReceivedRequest, nth: number) => number, overrides: Partial<SimulateCommandOptions>) => {
    const seen = new Map<string, number>();
    receiver = await startZoomReceiver({
      secret: SECRET,
      respond: (req) => {
        const id = String(req.headers['x-zm-request-id']);
        const nth = seen.get(id) ?? 0;
        seen.set(id, nth + 1);
        return respond(req as ReceivedRequest, nth);
      },
    });
    const stdout = new Capture();
    const stderr = new Capture();
    const path = join(dir, 'result.json');
    const code = await runSimulateCommand(
      { secret: SECRET, meetings: 1, participants: 2, duration: '0s', rate: 1000, concurrency: 4, seed: 3, dataDir: dir, defaultUrl: receiver.url, result: path, ...overrides },
      { stdout, stderr, env: {} },
    );
    const text = await readFile(path, 'utf8').catch(() => '');
    return { code, stdout: stdout.text, stderr: stderr.text, text, result: (text === '' ? undefined : JSON.parse(text)) as SimulationResult };
  };

  it('writes counts by status, retries, events by type, latency percentiles, and one acked identity per accepted event', async () => {
    let dataSummaries = 0;
    const { code, stdout, stderr, result } = await run((req, nth) => {
      if (req.event === 'meeting.participant_qos_summary' && nth === 0) return 503;
      if (req.event === 'meeting.participant_data_summary' && dataSummaries++ === 0) return 404;
      return 200;
    }, { retryTimeScale: '0.0002' });

    expect(code).to.equal(1); // one event was refused for good
    expect(stderr).to.contain('3 retries at +60ms, +300ms, +1s').and.contain(`result written to ${join(dir, 'result.json')}`);
    expect(result.schema).to.equal('qss-forwarder/simulate-result/v1');
    expect(result.target).to.equal(receiver?.url);
    expect(result.options).to.deep.equal({
      seed: 3, meetings: 1, webinars: 0, sessions: 0, calls: 0, participants: 2, durationMs: 0, rate: 1000, concurrency: 4,
      degraded: 0, duplicates: 0, reorder: 0, retries: 3, retryTimeScale: 0.0002, timeoutMs: 3000,
    });
    expect(result.crc).to.deep.equal({ ok: true });
    expect(result.interrupted).to.equal(false);
    expect(result.participants).to.deep.equal({ total: 2, degraded: 0 });
    expect(result.events).to.deep.equal({
      generated: 6,
      byType: { 'meeting.participant_data': 2, 'meeting.participant_qos_summary': 2, 'meeting.participant_data_summary': 2 },
      acked: 5, rejected: 1, abandoned: 0, cancelled: 0, duplicated: 0, reordered: 0,
    });
    expect(result.requests).to.deep.equal({
      sent: 8, firstAttempts: 6, retries: 2, retriesByAttempt: [2, 0, 0], duplicates: 0,
      byStatus: { 200: 5, 503: 2, 404: 1 }, byClass: { '2xx': 5, '3xx': 0, '4xx': 1, '5xx': 2 },
      networkErrors: 0, networkErrorsByCode: {},
    });
    expect(Object.keys(result.ackLatencyMs)).to.deep.equal(['p50', 'p90', 'p99', 'max']);
    expect(result.ackLatencyMs.p50).to.be.at.most(result.ackLatencyMs.p90);
    expect(result.ackLatencyMs.p99).to.be.at.most(result.ackLatencyMs.max);
    // Second by second: every event delivery answered once, the 503s counted as failed.
    expect(result.ackLatencyBySecondColumns).to.deep.equal(['second', 'answered', 'failed', 'p50', 'p99', 'max']);
    expect(result.ackLatencyBySecond.reduce((n, row) => n + row[1], 0)).to.equal(result.requests.sent);
    expect(result.ackLatencyBySecond.reduce((n, row) => n + row[2], 0)).to.equal(2);
    expect(Math.max(...result.ackLatencyBySecond.map((row) => row[5]))).to.be.above(0).and.at.most(result.ackLatencyMs.max); // the overall figure includes the CRC
    expect(stdout).not.to.contain('latencyBySecond');
    expect(result.identity).to.deep.equal({ requestIdHeader: 'x-zm-request-id', key: 'event|instance|participant|event_ts' });

    // Acked identities: as many as 200 answers, each one found again in what the endpoint got.
    expect(result.ackedColumns).to.deep.equal(['request_id', 'key', 'acks']);
    expect(result.acked).to.have.length(result.requests.byStatus['200'] ?? -1).and.length(result.events.acked);
    const got = receiver?.received.filter((q) => q.event !== 'endpoint.url_validation') ?? [];
    for (const [requestId, key, acks] of result.acked) {
      const answered200 = got.filter((q) => q.headers['x-zm-request-id'] === requestId && q.status === 200);
      expect(answered200, requestId).to.have.length(1);
      expect(eventIdentity(answered200[0]?.body)?.key).to.equal(key);
      expect(acks).to.equal(1);
    }
    expect(result.unackedColumns).to.deep.equal(['request_id', 'key', 'outcome']);
    expect(result.unacked).to.have.length(1);
    const [refusedId, refusedKey, outcome] = result.unacked[0] ?? [];
    expect(outcome).to.equal('rejected:404');
    expect(refusedKey).to.match(/^meeting\.participant_data_summary\|/);
    expect(got.filter((q) => q.headers['x-zm-request-id'] === refusedId).map((q) => q.status)).to.deep.equal([404]);

    // The summary line on stdout stays small: no identity lists.
    const line = JSON.parse(stdout.trimEnd().split('\n').at(-1) ?? '') as { summary: Record<string, unknown> };
    expect(line.summary).to.not.have.property('ledger');
    expect(stdout).to.match(/^retries\s+2 \(#1: 2, #2: 0, #3: 0\)$/m);
    expect(stdout).to.match(/^events\s+6 generated, 5 acked, 1 rejected$/m);
  });

  it('lists a duplicated event once, with acks = 2, and exits 0 when every event was acked', async () => {
    const { code, result, text } = await run(() => 200, { duplicates: '1' });
    expect(code).to.equal(0);
    expect(result.events).to.deep.include({ generated: 6, acked: 6, duplicated: 6 });
    expect(result.requests).to.deep.include({ sent: 12, duplicates: 6, byStatus: { 200: 12 } });
    expect(result.acked).to.have.length(6);
    expect(result.acked.every(([, , acks]) => acks === 2)).to.equal(true);
    expect(new Set(result.acked.map(([id]) => id)).size).to.equal(6);
    expect(result.unacked).to.deep.equal([]);
    // One identity row per line, so big files stay greppable.
    expect(text.split('\n').filter((l) => /^ {4}\["[0-9a-f_]{36}",/.test(l))).to.have.length(6);
  });

  it('runs Video SDK sessions alone (no meetings unless asked) and counts them', async () => {
    const { code, stderr, result } = await run(() => 200, { meetings: undefined, sessions: '1', degraded: '1' });
    expect(code).to.equal(0);
    expect(stderr).to.contain('simulate: 1 session(s) × 2 participant(s) for 0s at 1000 events/s; 100 % degraded');
    expect(result.options).to.deep.include({ meetings: 0, sessions: 1, degraded: 1 });
    expect(result.participants).to.deep.equal({ total: 2, degraded: 2 });
    expect(Object.keys(result.events.byType).sort()).to.deep.equal(['session.user_data', 'session.user_data_summary', 'session.user_qos_summary']);
    expect(new Set(receiver?.received.map((q) => q.event))).to.deep.equal(new Set(['endpoint.url_validation', 'session.user_data', 'session.user_qos_summary', 'session.user_data_summary']));
  });
});
