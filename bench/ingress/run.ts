// bench/ingress: signed ~2 KB QSS bodies into `qss-forwarder serve` (embedded bus, durable acks,
// file sink with fsync running in the same process), next to a bare node:http server doing the
// same HMAC check and JSON.parse, in the same run. Prints requests/s, ack latency p50/p99 and the
// ratio, then a fixed-rate run at 2,000 requests/s, and where the time goes (from /metrics).
//
//   npm run bench:ingress [-- --seconds 10 --connections 32 --rate 2000]
import { zoomSignature } from '../../test/support/signed-request.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const ROOT = resolve(import.meta.dirname, '../..');
const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' }, rate: { type: 'string', default: '2000' } } });
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const RATE = Number(args.rate);
const SECRET = 'bench-secret';
const body = JSON.stringify(JSON.parse(readFileSync(join(ROOT, 'test/fixtures/zoom/meeting.participant_qos.json'), 'utf8')));
const SEQUENCE_FIELD = `"bench_pad":"${'0'.repeat(12)}`;
const padded = body.replace('"event_ts"', `${SEQUENCE_FIELD}${'x'.repeat(Math.max(0, 2400 - body.length))}","event_ts"`);

// Every request is a distinct event (its own bench_pad digits, so its own signature): the ingress
// answers an exact replay without storing it, and a benchmark of replays would measure that instead.
let sequence = 0;
function uniqueRequest(request: autocannon.Request): autocannon.Request {
  const ts = String(Math.floor(Date.now() / 1000));
  const body = padded.replace(SEQUENCE_FIELD, `"bench_pad":"${String(sequence++).padStart(12, '0')}`);
  return { ...request, body, headers: { ...request.headers, 'content-type': 'application/json; charset=utf-8', 'x-zm-request-timestamp': ts, 'x-zm-signature': zoomSignature(SECRET, ts, body) } };
}

function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', match: (rec: Record<string, unknown>) => number | undefined): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let buf = '';
    child.on('exit', (code) => reject(new Error(`process exited (${code})`)));
    child[stream]!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n')) {
        try {
          const port = match(JSON.parse(line) as Record<string, unknown>);
          if (port !== undefined) return resolvePort(port);
        } catch {
          // partial line
        }
      }
    });
  });
}

async function load(url: string, options: { overallRate?: number }) {
  const result = await autocannon({ url, method: 'POST', connections: CONNECTIONS, duration: SECONDS, requests: [{ setupRequest: uniqueRequest }], ...options });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max, total: result.requests.total, non2xx: result.non2xx, errors: result.errors + result.timeouts };
}

async function metricsOf(adminPort: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+(?:\{[^}]*\})?) ([0-9.e+-]+)$/.exec(line);
    if (match) m.set(match[1]!, Number(match[2]));
  }
  return m;
}

function row(name: string, r: Awaited<ReturnType<typeof load>>): string {
  return `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(8)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   max ${String(r.max).padStart(5)} ms   non-2xx ${r.non2xx}  errors ${r.errors}`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'qssf-bench-'));
  writeFileSync(join(dir, 'forwarder.yaml'), `data_dir: ${dir}/data\nserver:\n  host: 127.0.0.1\n  port: 0\nadmin:\n  host: 127.0.0.1\n  port: 0\nbus:\n  embedded:\n    path: ${dir}/data/bus.sqlite\nobservability:\n  log_level: warn\n`);
  writeFileSync(join(dir, 'sinks.yaml'), `sinks:\n  events_file:\n    type: file\n    path: ${dir}/events.jsonl\n`);
  console.log(`body ${Buffer.byteLength(padded)} bytes, ${CONNECTIONS} connections, ${SECONDS} s per run, autocannon in this process\n`);

  const bare = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/ingress/bare-server.ts')], { env: { ...process.env, BENCH_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'inherit'] });
  const barePort = await waitForLine(bare, 'stdout', (r) => r.port as number | undefined);
  await load(`http://127.0.0.1:${barePort}/webhooks/zoom`, {}); // warm-up is the first run; measure the second
  const baseline = await load(`http://127.0.0.1:${barePort}/webhooks/zoom`, {});
  bare.kill('SIGTERM');

  const serve = spawn(process.execPath, [join(ROOT, 'bin/qss-forwarder.js'), 'serve', '--config', join(dir, 'forwarder.yaml'), '--sinks', join(dir, 'sinks.yaml')], { env: { ...process.env, ZOOM_WEBHOOK_SECRET_TOKEN: SECRET, PORT: '', ADMIN_PORT: '', LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const [port, adminPort] = await Promise.all([
    waitForLine(serve, 'stderr', (r) => (r.msg === 'webhook listener started' ? (r.port as number) : undefined)),
    waitForLine(serve, 'stderr', (r) => (r.msg === 'admin listener started' ? (r.port as number) : undefined)),
  ]);
  const url = `http://127.0.0.1:${port}/webhooks/zoom`;
  await load(url, {});
  const m0 = await metricsOf(adminPort);
  const forwarder = await load(url, {});
  const m1 = await metricsOf(adminPort);
  const fixed = await load(url, { overallRate: RATE });
  serve.kill('SIGTERM');

  const delta = (k: string): number => (m1.get(k) ?? 0) - (m0.get(k) ?? 0);
  const cpuPerRequestUs = (delta('qss_forwarder_process_cpu_seconds_total') / Math.max(1, delta('qss_forwarder_bus_writes_total'))) * 1e6;
  const eventsPerCommit = delta('qss_forwarder_bus_commit_batch_events_sum') / Math.max(1, delta('qss_forwarder_bus_commit_batch_events_count'));
  const ackMeanMs = (delta('qss_forwarder_ingress_ack_seconds_sum{app="default"}') / Math.max(1, delta('qss_forwarder_ingress_ack_seconds_count{app="default"}'))) * 1000;

  console.log(row('bare node:http + HMAC + JSON.parse', baseline));
  console.log(row('qss-forwarder serve (durable acks)', forwarder));
  console.log(row(`qss-forwarder serve at ${RATE} req/s`, fixed));
  console.log(`\nratio serve / bare (requests/s, max load): ${(forwarder.rps / baseline.rps).toFixed(2)}`);
  console.log(`goal: ratio >= 0.5, and p99 < 50 ms at ${RATE} req/s (measured p99 ${fixed.p99} ms, ${fixed.rps.toFixed(0)} req/s achieved)`);
  console.log(`\nwhere the time goes (serve, max-load run, from its /metrics):`);
  console.log(`  CPU per accepted event (ingress + bus + file sink, one process): ${cpuPerRequestUs.toFixed(0)} µs`);
  console.log(`  events per durable SQLite transaction (group commit): ${eventsPerCommit.toFixed(1)}`);
  console.log(`  mean time from body received to 200 (verify + parse + durable write): ${ackMeanMs.toFixed(2)} ms`);
  console.log(`  events delivered to the file sink during the run: ${delta('qss_forwarder_sink_events_delivered_total{sink="events_file"}')}`);
}

await main();
