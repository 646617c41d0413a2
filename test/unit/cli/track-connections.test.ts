import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createSelfMetrics, type SelfMetrics } from '../../../src/observability/self-metrics.ts';
import { trackConnections, type TrackedConnections } from '../../../src/cli/track-connections.ts';

const closedCount = async (metrics: SelfMetrics, reason: string): Promise<number> =>
  (await metrics.listenerConnectionsClosed.get()).values.find((v) => v.labels.reason === reason && v.labels.listener === 'webhook')?.value ?? 0;

describe('trackConnections (real sockets on 127.0.0.1)', () => {
  let server: Server;
  let tracked: TrackedConnections;
  let metrics: SelfMetrics;
  let port: number;
  const sockets: Socket[] = [];
  let release: (() => void) | undefined;

  const open = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.on('error', reject);
      sockets.push(s);
    });
  const closed = (s: Socket): Promise<void> => new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));
  const until = async (cond: () => boolean): Promise<void> => {
    while (!cond()) await new Promise((r) => setTimeout(r, 10));
  };

  beforeEach(async () => {
    metrics = createSelfMetrics({ processMetrics: false });
    server = createServer((req, res) => {
      if (req.url === '/slow') release = () => res.end('slow');
      else res.end('ok');
    });
    tracked = trackConnections(server, { listener: 'webhook', maxConnections: 3, metrics });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    release = undefined;
    await tracked.close({ drainMs: 0, graceMs: 0 });
  });

  it('closes the connection idle longest when a newcomer takes the last slot, never one with a request in progress', async () => {
    const busy = await open();
    busy.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => release !== undefined);
    const idle = await open();
    await until(() => tracked.open() === 2);
    await open(); // takes the last slot
    await closed(idle);
    expect(busy.destroyed).to.equal(false);
    expect(await closedCount(metrics, 'idle_shed')).to.equal(1);
    const answer = new Promise<string>((resolve) => busy.once('data', (d: Buffer) => resolve(d.toString())));
    release?.();
    expect(await answer).to.match(/^HTTP\/1.1 200/);
  });

  it('on close: answers the request in progress with Connection: close, and closes an idle keep-alive connection after drainMs', async () => {
    const idle = await open();
    const busy = await open();
    busy.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => release !== undefined);
    const answer = new Promise<string>((resolve) => busy.once('data', (d: Buffer) => resolve(d.toString())));
    const done = tracked.close({ drainMs: 50, graceMs: 5000 });
    await closed(idle);
    expect(await closedCount(metrics, 'shutdown')).to.equal(1);
    release?.();
    expect((await answer).toLowerCase()).to.include('connection: close');
    await done;
    await until(() => tracked.open() === 0); // every connection ends (the test times out if one does not)
  });
});
