import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runSimulateCommand, type SimulateCommandOptions } from '../../../src/simulate/run-simulate-command.ts';
import { startZoomReceiver, type ZoomReceiver } from '../../support/start-zoom-receiver.ts';

const SECRET = 'command-test-secret-value';

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('runSimulateCommand', () => {
  let receiver: ZoomReceiver;
  let dataDir: string;
  beforeEach(async () => {
    receiver = await startZoomReceiver({ secret: SECRET });
    dataDir = await mkdtemp(join(tmpdir(), 'qss-simulate-'));
  });
  afterEach(async () => {
    await receiver.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const run = async (overrides: Partial<SimulateCommandOptions>, env: Record<string, string | undefined> = {}, tty = false) => {
    const stdout = new Capture();
    const stderr = new Capture(tty);
    const code = await runSimulateCommand(
      { meetings: 1, participants: 2, duration: '100ms', rate: 200, concurrency: 4, seed: 3, dataDir, defaultUrl: receiver.url, ...overrides },
      { stdout, stderr, env },
    );
    return { code, stdout: stdout.text, stderr: stderr.text };
  };
  const summaryOf = (stdout: string) => (JSON.parse(stdout.trimEnd().split('\n').at(-1) ?? '') as { summary: { sent: number; accepted: number; crcOk: boolean } }).summary;

  it('exits 2 with a one-line explanation when there is no Secret Token, and sends nothing', async () => {
    const { code, stdout, stderr } = await run({});
    expect(code).to.equal(2);
    expect(stdout).to.equal('');
    expect(stderr.trimEnd().split('\n')).to.have.length(1);
    expect(stderr).to.contain('no Secret Token').and.contain('--secret').and.contain('ZOOM_WEBHOOK_SECRET_TOKEN');
    expect(receiver.received).to.have.length(0);
  });

  for (const [name, overrides, message] of [
    ['a bad duration', { duration: '10 minutes' }, 'invalid duration "10 minutes"'],
    ['a bad URL', { url: 'not a url' }, '--url is not a valid URL'],
    ['a non-HTTP URL', { url: 'ftp://127.0.0.1/x' }, '--url must be http:// or https://'],
    ['a bad rate', { rate: 0 }, '--rate must be a number > 0'],
    ['zero meetings', { meetings: 0 }, '--meetings must be a whole number'],
    ['meetings written as text that is not a number', { meetings: 'two' }, '--meetings must be a whole number ≥ 0, got "two"'],
    ['a fractional webinar count', { webinars: '1.5' }, '--webinars must be a whole number ≥ 0, got "1.5"'],
    ['negative sessions', { sessions: '-1' }, '--sessions must be a whole number ≥ 0'],
    ['an empty call count', { calls: '' }, '--calls must be a whole number ≥ 0, got ""'],
    ['a degraded share above 1', { degraded: '1.5' }, '--degraded must be a share between 0 and 1'],
    ['a duplicates share that is not a number', { duplicates: '1%' }, '--duplicates must be a share between 0 and 1 (0.01 = 1 % of events), got "1%"'],
    ['a negative reorder share', { reorder: '-0.1' }, '--reorder must be a share between 0 and 1'],
    ['4 retries', { retries: '4' }, '--retries must be 0, 1, 2 or 3 (Zoom retries 3 times), got "4"'],
    ['a zero retry time scale', { retryTimeScale: '0' }, '--retry-time-scale must be a number > 0'],
    ['a bad timeout', { timeout: '3 s' }, '--timeout: invalid duration "3 s"'],
    ['a zero timeout', { timeout: '0s' }, '--timeout must be longer than 0'],
    ['a result file in a missing directory', { result: '/nonexistent-dir-for-simulate/result.json' }, '--result: the directory /nonexistent-dir-for-simulate does not exist'],
  ] as [string, Partial<SimulateCommandOptions>, string][]) {
    it(`exits 2 on ${name}`, async () => {
      const { code, stderr } = await run({ ...overrides, secret: SECRET });
      expect(code).to.equal(2);
      expect(stderr).to.contain(message);
      expect(receiver.received).to.have.length(0);
    });
  }

  it('signs with ZOOM_WEBHOOK_SECRET_TOKEN, prints a table and a JSON summary line, exits 0', async () => {
    const { code, stdout, stderr } = await run({}, { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET });
    expect(code).to.equal(0);
    expect(stdout).to.match(/^target\s+http:\/\/127\.0\.0\.1:\d+\/webhooks\/zoom$/m);
    expect(stdout).to.match(/^url validation \(CRC\)\s+ok$/m);
    const summary = summaryOf(stdout);
    expect(summary.crcOk).to.equal(true);
    expect(summary.sent).to.equal(receiver.received.length).and.equal(summary.accepted);
    expect(stderr).to.contain('signed with ZOOM_WEBHOOK_SECRET_TOKEN');
    expect(stderr).to.match(/\[\d+\.\ds done\] {2}sent \d+ {2}accepted \d+ {2}rejected 0/);
    expect(stdout + stderr).to.not.contain(SECRET);
  });

  it('prefers --secret over the environment, and the environment over the local token file', async () => {
    await writeFile(join(dataDir, 'local-secret-token'), 'wrong-local-token\n');
    expect((await run({ secret: SECRET }, { ZOOM_WEBHOOK_SECRET_TOKEN: 'wrong-env' })).code).to.equal(0);
    expect((await run({}, { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET })).code).to.equal(0);
    const local = await run({});
    expect(local.code).to.equal(1);
    expect(local.stderr).to.contain(`the local token in ${dataDir}`).and.contain('URL validation (CRC)');
    expect(local.stdout + local.stderr).to.not.contain('wrong-local-token');
  });

  it('uses the local token file when nothing else is set', async () => {
    await writeFile(join(dataDir, 'local-secret-token'), `${SECRET}\n`);
    const { code, stdout } = await run({});
    expect(code).to.equal(0);
    expect(summaryOf(stdout).crcOk).to.equal(true);
  });

  it('exits 1 when some requests are rejected, and shows them by status', async () => {
    await receiver.close();
    receiver = await startZoomReceiver({ secret: SECRET, respond: (req) => (req.event === 'meeting.participant_qos_summary' ? 503 : 200) });
    const { code, stdout } = await run({ secret: SECRET });
    expect(code).to.equal(1);
    expect(stdout).to.match(/^rejected\s+2 \(503: 2\)$/m);
  });

  it('rewrites one progress line on a TTY', async () => {
    const { code, stderr } = await run({ secret: SECRET }, {}, true);
    expect(code).to.equal(0);
    expect(stderr).to.contain('\r\x1b[2K[');
    expect(stderr.endsWith('\n')).to.equal(true);
  });
});
