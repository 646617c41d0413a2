// bench/kafka: the Kafka bus against a real Apache Kafka (one KRaft node on this machine, its JVM
// with both compilers; test/support/start-kafka.ts), in one run:
//   1. ingress: signed ~2.4 KB QSS bodies into `qss-forwarder ingress` (bus.type kafka, 6 partitions,
//      acks -1), next to the bare node:http baseline (bench/ingress/bare-server.ts), with autocannon:
//      max load after a warm-up run, then a fixed rate; produce batching and CPU from /metrics.
//   2. worker: a topic pre-filled with R records is read by a plain kafkajs consumer (baseline) and
//      by `qss-forwarder worker` with a blackhole sink; records/s with and without the group join.
//   3. what limits it, from what was measured.
// Not a test: nothing passes or fails on timings.
//
//   npm run bench:kafka [-- --seconds 10 --connections 32 --records 50000 --rate 2000 --worker-partitions 6]
import { zoomSignature } from '../../test/support/signed-request.ts';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Kafka, logLevel, Partitioners, type Message } from 'kafkajs';
import { kafkaForwarderYaml } from '../../test/support/kafka-forwarder-yaml.ts';
import { peerVersion } from '../../test/support/peers.ts';
import { startKafka, type KafkaCluster } from '../../test/support/start-kafka.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/qss-forwarder.js');
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    records: { type: 'string', default: '50000' },
    rate: { type: 'string', default: '2000' },
    'worker-partitions': { type: 'string', default: '6' },
  },
});
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const RECORDS = Number(args.records);
const RATE = Number(args.rate);
const WORKER_PARTITIONS = Number(args['worker-partitions']);
for (const [name, v] of Object.entries({ seconds: SECONDS, connections: CONNECTIONS, records: RECORDS, rate: RATE, 'worker-partitions': WORKER_PARTITIONS })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
}
const SECRET = 'bench-secret';
const PARTITIONS = 6;
const MEETINGS = 200;
const EVENT = 'meeting.participant_qos';
const ACCOUNT = 'AAAAAABBBB';
const CORES = 2; // the machine this was written for; the CPU lines below show what each process used
const workerRecords = RECORDS;
const RUN = `bench${Date.now().toString(36)}`;
const T = { ingress: `${RUN}.ingress.events`, ingressDlq: `${RUN}.ingress.dlq`, worker: `${RUN}.worker.events`, workerDlq: `${RUN}.worker.dlq` };

// --- bodies: the QSS fixture padded to ~2.4 KB like bench/ingress, one uuid per meeting ----------

const fixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/zoom/meeting.participant_qos.json'), 'utf8')) as { payload: { object: { uuid: string } } };

/** Partition of a key with kafkajs's default (Java-compatible murmur2) partitioner. */
function partitionOf(key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 1, replicas: [1], isr: [1] }));
  return Partitioners.DefaultPartitioner()({ topic: 'bench', partitionMetadata, message: { key, value: null } });
}

// MEETINGS meeting uuids, picked so that the default partitioner spreads them evenly over the
// worker topic's partitions (34/34/33/33/33/33 for 6): real uuids hash randomly; an even spread
// keeps the per-partition figures comparable between runs.
const meetingKeys: string[] = [];
{
  const perPartition = new Array<number>(WORKER_PARTITIONS).fill(0);
  const limit = (p: number): number => Math.floor(MEETINGS / WORKER_PARTITIONS) + (p < MEETINGS % WORKER_PARTITIONS ? 1 : 0);
  for (let n = 0; meetingKeys.length < MEETINGS; n++) {
    const key = `bench-meeting-${String(n).padStart(4, '0')}==`;
    const p = partitionOf(key, WORKER_PARTITIONS);
    if (perPartition[p]! < limit(p)) {
      perPartition[p]!++;
      meetingKeys.push(key);
    }
  }
}
const uuidOf = (m: number): string => meetingKeys[m]!;
const bodies = Array.from({ length: MEETINGS }, (_, m) => {
  fixture.payload.object.uuid = uuidOf(m);
  const body = JSON.stringify(fixture);
  return body.length < 2048 ? body.replace('"event_ts"', `"bench_pad":"${'x'.repeat(2400 - body.length)}","event_ts"`) : body;
});
const recordHeaders = (): Record<string, string> => ({ 'qss-schema': '1', 'qss-event': EVENT, 'qss-account-id': ACCOUNT, 'qss-app': 'default', 'qss-received-at': String(Date.now()) });

const BODY_BYTES = Buffer.byteLength(bodies[0]!);

/**
 * autocannon's request: every one a distinct event — the next meeting's body with its own sequence
 * number in the padding, signed now. (The ingress answers an exact replay without publishing it:
 * repeated bodies would measure its replay cache, not Kafka.)
 */
let sequence = 0;
function uniqueRequest(request: autocannon.Request): autocannon.Request {
  const n = sequence++;
  const body = bodies[n % MEETINGS]!.replace('"bench_pad":"', `"bench_pad":"${String(n).padStart(12, '0')}`).replace(/x{12}","event_ts"/, '","event_ts"');
  const ts = String(Math.floor(Date.now() / 1000));
  return { ...request, method: 'POST', path: '/webhooks/zoom', body, headers: { 'content-type': 'application/json; charset=utf-8', 'x-zm-request-timestamp': ts, 'x-zm-signature': zoomSignature(SECRET, ts, body) } };
}

// --- child processes -----------------------------------------------------------------------------

interface Proc {
  child: ChildProcess;
  name: string;
  logs: string[];
  /** Resolves with the first (past or future) JSON log line `match` accepts, and when it arrived. */
  waitFor<V>(match: (rec: Record<string, unknown>) => V | undefined, timeoutMs: number): Promise<{ value: V; at: number }>;
}

const children: Proc[] = [];

function startProcess(name: string, argv: string[], env: Record<string, string>, stream: 'stdout' | 'stderr'): Proc {
  const child = spawn(process.execPath, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', stream === 'stdout' ? 'pipe' : 'ignore', stream === 'stderr' ? 'pipe' : 'inherit'] });
  const seen: { rec: Record<string, unknown>; at: number }[] = [];
  const logs: string[] = [];
  const waiters = new Set<(rec: Record<string, unknown>, at: number) => void>();
  let exited: string | undefined;
  const exitWaiters = new Set<(why: string) => void>();
  let buffered = '';
  child[stream]!.on('data', (d: Buffer) => {
    const at = performance.now();
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      logs.push(line);
      if (logs.length > 200) logs.shift();
      try {
        const rec = JSON.parse(line) as Record<string, unknown>;
        seen.push({ rec, at });
        if (seen.length > 1000) seen.shift();
        for (const w of waiters) w(rec, at);
      } catch {
        // not JSON: kept in logs only
      }
    }
  });
  child.on('exit', (code, signal) => {
    exited = `${name} exited (${code ?? signal})`;
    for (const w of exitWaiters) w(exited);
  });
  const proc: Proc = {
    child,
    name,
    logs,
    waitFor: (match, timeoutMs) =>
      new Promise((resolvePromise, reject) => {
        for (const { rec, at } of seen) {
          const value = match(rec);
          if (value !== undefined) return resolvePromise({ value, at });
        }
        if (exited !== undefined) return reject(new Error(`${exited}; last lines:\n${logs.slice(-20).join('\n')}`));
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(onLine);
          exitWaiters.delete(onExit);
        };
        const onLine = (rec: Record<string, unknown>, at: number): void => {
          const value = match(rec);
          if (value === undefined) return;
          cleanup();
          resolvePromise({ value, at });
        };
        const onExit = (why: string): void => {
          cleanup();
          reject(new Error(`${why}; last lines:\n${logs.slice(-20).join('\n')}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${name}: expected log line not seen within ${timeoutMs} ms; last lines:\n${logs.slice(-20).join('\n')}`));
        }, timeoutMs);
        waiters.add(onLine);
        exitWaiters.add(onExit);
      }),
  };
  children.push(proc);
  return proc;
}

const running = (p: Proc): boolean => p.child.exitCode === null && p.child.signalCode === null;

/** SIGTERM, then SIGKILL after `graceMs`. */
async function stopProcess(p: Proc, graceMs = 5000): Promise<void> {
  if (!running(p)) return;
  const gone = new Promise<void>((r) => p.child.once('exit', () => r()));
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

function startForwarder(role: 'ingress' | 'worker', dir: string): Proc {
  // LOG_LEVEL info: the listener ports and the group join are read from info lines.
  return startProcess(role, [BIN, role, '--config', join(dir, 'forwarder.yaml'), '--sinks', join(dir, 'sinks.yaml')], { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET, PORT: '', ADMIN_PORT: '', KAFKA_BROKERS: '', LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, 'stderr');
}

const portFrom = (msg: string) => (r: Record<string, unknown>) => (r.msg === msg && typeof r.port === 'number' ? r.port : undefined);

function writeForwarderConfig(dir: string, brokers: string[], topic: string, dlqTopic: string, groupPrefix: string): void {
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(
    join(dir, 'forwarder.yaml'),
    kafkaForwarderYaml({
      dir,
      brokers,
      topic,
      dlqTopic,
      groupPrefix,
      kafka: '    acks: -1\n    consumer:\n      from_beginning: true\n',
      extra: 'observability:\n  log_level: info\n',
    }),
  );
  writeFileSync(join(dir, 'sinks.yaml'), 'sinks:\n  blackhole:\n    type: blackhole\n');
}

// --- CPU accounting: this process (autocannon, kafkajs baseline) and children from /proc -----------

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // not Linux or no getconf: /proc reads below fail too and CPU lines say n/a
}

function procStat(pid: number): { ppid: number; comm: string; cpuSeconds: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const rest = stat.slice(close + 2).split(' ');
    return { ppid: Number(rest[1]), comm: stat.slice(stat.indexOf('(') + 1, close), cpuSeconds: (Number(rest[11]) + Number(rest[12])) / clockTicks };
  } catch {
    return undefined;
  }
}

/** Busy CPU seconds of the whole machine (all processes, also ones outside this benchmark). */
function machineBusySeconds(): number | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    return (total - f[3]! - f[4]!) / clockTicks; // minus idle and iowait
  } catch {
    return undefined;
  }
}

interface CpuSnapshot {
  at: number;
  values: Map<string, number | undefined>;
  machine: number | undefined;
}

function cpuSnapshot(pids: Record<string, number | undefined>): CpuSnapshot {
  const u = process.cpuUsage();
  const values = new Map<string, number | undefined>([['bench process', (u.user + u.system) / 1e6]]);
  for (const [name, pid] of Object.entries(pids)) values.set(name, pid === undefined ? undefined : procStat(pid)?.cpuSeconds);
  return { at: performance.now(), values, machine: machineBusySeconds() };
}

/** CPU used between two snapshots, in cores (CPU seconds per wall second). */
interface Cores {
  byProcess: Map<string, number | undefined>;
  machine: number | undefined;
}

function coresBetween(a: CpuSnapshot, b: CpuSnapshot): Cores {
  const wall = (b.at - a.at) / 1000;
  const byProcess = new Map<string, number | undefined>();
  for (const [name, v0] of a.values) {
    const v1 = b.values.get(name);
    byProcess.set(name, v0 === undefined || v1 === undefined ? undefined : (v1 - v0) / wall);
  }
  return { byProcess, machine: a.machine === undefined || b.machine === undefined ? undefined : (b.machine - a.machine) / wall };
}

const totalCores = (c: Cores): number => [...c.byProcess.values()].reduce<number>((s, v) => s + (v ?? 0), 0);

function formatCores(c: Cores): string {
  const parts = [...c.byProcess].map(([name, v]) => `${name} ${v === undefined ? 'n/a' : v.toFixed(2)}`);
  const machine = c.machine === undefined ? '' : `; whole machine ${c.machine.toFixed(2)} busy`;
  return `${parts.join(', ')}; sum ${totalCores(c).toFixed(2)} of ${CORES} cores${machine}`;
}

// --- load and metrics ----------------------------------------------------------------------------

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
  total: number;
  non2xx: number;
  errors: number;
  cores: Cores;
}

async function load(url: string, pids: Record<string, number | undefined>, options: { overallRate?: number } = {}): Promise<LoadResult> {
  const before = cpuSnapshot(pids);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, requests: [{ setupRequest: uniqueRequest }], ...options });
  const after = cpuSnapshot(pids);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    mean: result.latency.average,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cores: coresBetween(before, after),
  };
}

type Metrics = Map<string, number>;

async function metricsOf(adminPort: number): Promise<Metrics> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const m: Metrics = new Map();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+(?:\{[^}]*\})?) ([0-9.e+-]+|NaN|\+Inf)$/.exec(line);
    if (match) m.set(match[1]!, Number(match[2]));
  }
  return m;
}

/** Sum of every series of `name` whose labels include all of `labels` (e.g. `outcome="accepted"`). */
function sum(m: Metrics, name: string, ...labels: string[]): number {
  let total = 0;
  for (const [key, v] of m) {
    const brace = key.indexOf('{');
    if ((brace === -1 ? key : key.slice(0, brace)) !== name) continue;
    if (labels.every((l) => key.includes(l))) total += v;
  }
  return total;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function row(name: string, r: LoadResult): string {
  return `  ${name.padEnd(40)} ${fmt(r.rps).padStart(7)} req/s   p50 ${String(r.p50).padStart(3)} ms   p99 ${String(r.p99).padStart(4)} ms   max ${String(r.max).padStart(5)} ms   non-2xx ${r.non2xx}  errors ${r.errors}`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// --- 1. ingress ----------------------------------------------------------------------------------

interface IngressFigures {
  bare: LoadResult;
  ingress: LoadResult;
  fixed: LoadResult;
  accepted: number;
  produceRequests: number;
  produceMeanMs: number;
  ackMeanMs: number;
  cpuUsPerEvent: number;
  spoolWrites: number;
  lateAcks: number;
  non2xx: number;
}

async function benchIngress(kafka: KafkaCluster, dir: string, brokerPid: number | undefined): Promise<IngressFigures> {
  console.log(`1. ingress: ${BODY_BYTES}-byte signed QSS bodies (${MEETINGS} meetings, so keys spread over the ${PARTITIONS} partitions), ${CONNECTIONS} connections, ${SECONDS} s per run, autocannon in this process`);

  const bareProc = startProcess('bare-server', ['--import', 'tsx', join(ROOT, 'bench/ingress/bare-server.ts')], { BENCH_SECRET: SECRET }, 'stdout');
  const { value: barePort } = await bareProc.waitFor((r) => (typeof r.port === 'number' ? r.port : undefined), 30000);
  const bareUrl = `http://127.0.0.1:${barePort}/webhooks/zoom`;
  const barePids = { 'bare server': bareProc.child.pid, 'broker': brokerPid };
  await load(bareUrl, barePids); // warm-up; measure the second run
  const bare = await load(bareUrl, barePids);
  await stopProcess(bareProc);

  const ingressDir = join(dir, 'ingress');
  writeForwarderConfig(ingressDir, kafka.brokers, T.ingress, T.ingressDlq, `${RUN}.ingress`);
  const ingressProc = startForwarder('ingress', ingressDir);
  const [{ value: port }, { value: adminPort }] = await Promise.all([ingressProc.waitFor(portFrom('webhook listener started'), 60000), ingressProc.waitFor(portFrom('admin listener started'), 60000)]);
  const url = `http://127.0.0.1:${port}/webhooks/zoom`;
  const pids = { ingress: ingressProc.child.pid, 'broker': brokerPid };
  const warm = await load(url, pids);
  const m0 = await metricsOf(adminPort);
  const ingress = await load(url, pids);
  const m1 = await metricsOf(adminPort);
  const fixed = await load(url, pids, { overallRate: RATE });
  await sleep(1500); // the spool gauges refresh every second
  const m2 = await metricsOf(adminPort);
  await stopProcess(ingressProc);

  const d = (name: string, ...labels: string[]): number => sum(m1, name, ...labels) - sum(m0, name, ...labels);
  const accepted = d('qss_forwarder_ingress_requests_total', 'outcome="accepted"');
  const produceRequests = d('qss_forwarder_kafka_produce_seconds_count');
  const figures: IngressFigures = {
    bare,
    ingress,
    fixed,
    accepted,
    produceRequests,
    produceMeanMs: (d('qss_forwarder_kafka_produce_seconds_sum') / Math.max(1, produceRequests)) * 1000,
    ackMeanMs: (d('qss_forwarder_ingress_ack_seconds_sum') / Math.max(1, d('qss_forwarder_ingress_ack_seconds_count'))) * 1000,
    cpuUsPerEvent: (d('qss_forwarder_process_cpu_seconds_total') / Math.max(1, accepted)) * 1e6,
    spoolWrites: sum(m2, 'qss_forwarder_spool_writes_total'),
    lateAcks: sum(m2, 'qss_forwarder_kafka_late_acks_total'),
    non2xx: warm.non2xx + warm.errors + ingress.non2xx + ingress.errors + fixed.non2xx + fixed.errors,
  };

  console.log(row('bare node:http + HMAC + JSON.parse', bare));
  console.log(row('qss-forwarder ingress → Kafka (acks -1)', ingress));
  console.log(row(`qss-forwarder ingress at ${fmt(RATE)} req/s`, fixed));
  console.log(`  ratio ingress / bare (requests/s, max load): ${(ingress.rps / bare.rps).toFixed(2)}`);
  console.log(`  fixed rate: ${fmt(fixed.rps)} req/s achieved, p50 ${fixed.p50} ms, p99 ${fixed.p99} ms`);
  console.log(`  ingress /metrics over the max-load run: ${fmt(accepted)} events accepted in ${fmt(produceRequests)} produce requests`);
  console.log(`    mean records per produce request: ${(accepted / Math.max(1, produceRequests)).toFixed(1)}`);
  console.log(`    mean produce latency (sendBatch → acks -1): ${figures.produceMeanMs.toFixed(2)} ms; mean ack inside the ingress (body read → 200): ${figures.ackMeanMs.toFixed(2)} ms`);
  console.log(`    CPU per accepted event (ingress process, all threads): ${figures.cpuUsPerEvent.toFixed(0)} µs`);
  console.log(`  CPU in cores during the max-load runs: bare: ${formatCores(bare.cores)}`);
  console.log(`                                      ingress: ${formatCores(ingress.cores)}`);
  if (figures.non2xx > 0) console.log(`  WARNING: ${figures.non2xx} ingress responses were not 2xx (or failed) over the warm-up, max-load and fixed-rate runs`);
  if (figures.spoolWrites > 0) console.log(`  WARNING: ${fmt(figures.spoolWrites)} events went to the local spool (Kafka slower than ack_timeout_ms or failing): the figures above include spool writes`);
  else console.log(`  spool stayed empty (qss_forwarder_spool_writes_total ${m2.has('qss_forwarder_spool_writes_total') ? 0 : 'absent'}); all ${fmt(warm.total + ingress.total + fixed.total)} responses ${figures.non2xx === 0 ? 'were 2xx' : 'see warning'}`);
  if (figures.lateAcks > 0) console.log(`  WARNING: ${fmt(figures.lateAcks)} late acks (records spooled and also in Kafka)`);
  return figures;
}

// --- 2. worker -----------------------------------------------------------------------------------

interface ConsumeFigures {
  totalMs: number;
  joinMs: number;
  cpuUsPerRecord: number;
  /** CPU per record counted from the group join (the consuming process only). */
  cpuUsPerRecordAfterJoin: number | undefined;
  cores: Cores;
  /** From the group join to the last record. */
  coresAfterJoin: Cores | undefined;
  extra: string;
}

const perSecond = (records: number, ms: number): number => records / (ms / 1000);

async function prefill(brokers: string[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-prefill', brokers, logLevel: logLevel.WARN });
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const started = performance.now();
    const CHUNK = 500;
    const IN_FLIGHT = 4;
    let next = 0;
    const sendChunks = async (): Promise<void> => {
      while (next < workerRecords) {
        const from = next;
        next = Math.min(workerRecords, next + CHUNK);
        const messages: Message[] = [];
        for (let i = from; i < next; i++) {
          const m = i % MEETINGS;
          messages.push({ key: uuidOf(m), value: bodies[m]!, headers: recordHeaders() });
        }
        await producer.sendBatch({ acks: -1, topicMessages: [{ topic: T.worker, messages }] });
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, sendChunks));
    const ms = performance.now() - started;
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(T.worker);
    await admin.disconnect();
    const stored = offsets.reduce((s, o) => s + Number(o.high) - Number(o.low), 0);
    const spread = offsets.map((o) => Number(o.high) - Number(o.low)).join('/');
    console.log(`  pre-filled ${T.worker}: ${fmt(stored)} records (per partition ${spread}) in ${fmt(ms / 1000, 1)} s with kafkajs sendBatch (chunks of ${CHUNK}, ${IN_FLIGHT} in flight, acks -1) = ${fmt(perSecond(workerRecords, ms))} records/s`);
    if (stored !== workerRecords) throw new Error(`pre-fill: expected ${workerRecords} records in ${T.worker}, found ${stored}`);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

async function baselineConsumer(brokers: string[], brokerPid: number | undefined, timeoutMs: number): Promise<ConsumeFigures> {
  const kafka = new Kafka({ clientId: 'bench-baseline', brokers, logLevel: logLevel.WARN });
  const consumer = kafka.consumer({ groupId: `${RUN}.baseline`, allowAutoTopicCreation: false });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [T.worker], fromBeginning: true });
    let seen = 0;
    let joinedAt: number | undefined;
    let allSeen!: () => void;
    const done = new Promise<void>((r) => (allSeen = r));
    let atJoin: CpuSnapshot | undefined;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joinedAt ??= performance.now();
      atJoin ??= cpuSnapshot({ 'broker': brokerPid });
    });
    const before = cpuSnapshot({ 'broker': brokerPid });
    const started = performance.now();
    await consumer.run({
      eachBatch: async ({ batch, resolveOffset }) => {
        for (const message of batch.messages) resolveOffset(message.offset);
        seen += batch.messages.length;
        if (seen >= workerRecords) allSeen();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`baseline consumer saw ${seen} of ${workerRecords} records within ${timeoutMs} ms`)), timeoutMs)))]).finally(() => clearTimeout(timer));
    const finished = performance.now();
    const after = cpuSnapshot({ 'broker': brokerPid });
    const cpu = after.values.get('bench process')! - before.values.get('bench process')!;
    return {
      totalMs: finished - started,
      joinMs: (joinedAt ?? finished) - started,
      cpuUsPerRecord: (cpu / workerRecords) * 1e6,
      cpuUsPerRecordAfterJoin: atJoin && ((after.values.get('bench process')! - atJoin.values.get('bench process')!) / workerRecords) * 1e6,
      cores: coresBetween(before, after),
      coresAfterJoin: atJoin && coresBetween(atJoin, after),
      extra: `${fmt(seen)} records seen`,
    };
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

async function workerConsumer(brokers: string[], dir: string, brokerPid: number | undefined, timeoutMs: number): Promise<ConsumeFigures> {
  const workerDir = join(dir, 'worker');
  writeForwarderConfig(workerDir, brokers, T.worker, T.workerDlq, `${RUN}.worker`);
  const before = cpuSnapshot({ 'broker': brokerPid });
  const started = performance.now();
  const proc = startForwarder('worker', workerDir);
  try {
    const { value: adminPort, at: adminAt } = await proc.waitFor(portFrom('admin listener started'), 60000);
    const joined = proc.waitFor((r) => (r.msg === 'joined consumer group' ? true : undefined), timeoutMs);
    joined.catch(() => undefined); // awaited below; a failure surfaces there
    let delivered = 0;
    let cpuAtJoin: { cpu: number; delivered: number; snapshot: CpuSnapshot } | undefined;
    let m: Metrics = new Map();
    let joinedSeen = false;
    void joined.then(() => (joinedSeen = true));
    while (delivered < workerRecords) {
      if (performance.now() - started > timeoutMs) throw new Error(`worker delivered ${delivered} of ${workerRecords} records within ${timeoutMs} ms; last lines:\n${proc.logs.slice(-20).join('\n')}`);
      if (!running(proc)) throw new Error(`worker exited; last lines:\n${proc.logs.slice(-20).join('\n')}`);
      await sleep(100);
      m = await metricsOf(adminPort);
      delivered = sum(m, 'qss_forwarder_sink_events_delivered_total', 'sink="blackhole"');
      if (joinedSeen && cpuAtJoin === undefined) {
        cpuAtJoin = { cpu: sum(m, 'qss_forwarder_process_cpu_seconds_total'), delivered, snapshot: cpuSnapshot({ 'broker': brokerPid, worker: proc.child.pid }) };
      }
    }
    const finished = performance.now();
    const after = cpuSnapshot({ 'broker': brokerPid, worker: proc.child.pid });
    before.values.set('worker', 0); // the worker did not exist yet: all its CPU counts
    const { at: joinedAt } = await joined;
    const cpu = sum(m, 'qss_forwarder_process_cpu_seconds_total');
    const cpuUsPerRecordAfterJoin = cpuAtJoin && ((cpu - cpuAtJoin.cpu) / Math.max(1, delivered - cpuAtJoin.delivered)) * 1e6;
    return {
      totalMs: finished - started,
      joinMs: joinedAt - started,
      cpuUsPerRecord: (cpu / delivered) * 1e6,
      cpuUsPerRecordAfterJoin,
      cores: coresBetween(before, after),
      coresAfterJoin: cpuAtJoin && coresBetween(cpuAtJoin.snapshot, after),
      extra: `${fmt(delivered)} delivered to the blackhole sink, admin listener up after ${fmt(adminAt - started)} ms, ${fmt(sum(m, 'qss_forwarder_consumer_commits_total'))} offset commits, ${fmt(sum(m, 'qss_forwarder_consumer_rebalances_total'))} group join(s), CPU per record includes the process start`,
    };
  } finally {
    await stopProcess(proc);
  }
}

function consumeRow(name: string, f: ConsumeFigures): string {
  const after = f.totalMs - f.joinMs;
  return `  ${name.padEnd(36)} total ${fmt(f.totalMs).padStart(6)} ms  join ${fmt(f.joinMs).padStart(5)} ms  ${fmt(perSecond(workerRecords, f.totalMs)).padStart(7)} records/s overall  ${fmt(perSecond(workerRecords, after)).padStart(7)} records/s after the join  CPU ${fmt(f.cpuUsPerRecord)} µs/record (${f.cpuUsPerRecordAfterJoin === undefined ? 'n/a' : fmt(f.cpuUsPerRecordAfterJoin)} after the join)`;
}

// --- 3. what limits it ---------------------------------------------------------------------------

function limits(i: IngressFigures, base: ConsumeFigures, worker: ConsumeFigures): void {
  console.log('\n3. what limits it (from the figures above)');
  const share = (c: Cores, name: string): number => c.byProcess.get(name) ?? 0;
  const busyElsewhere = (c: Cores): string => {
    if (c.machine === undefined) return '';
    const other = c.machine - totalCores(c);
    return other > 0.15 ? ` Other processes on the machine used another ${other.toFixed(2)} cores meanwhile: the figures are perturbed.` : '';
  };

  // Ingress
  const perProduce = i.accepted / Math.max(1, i.produceRequests);
  const little = CONNECTIONS / (i.ingress.mean / 1000);
  console.log(`  ingress, max load: ${CONNECTIONS} connections / ${i.ingress.mean.toFixed(2)} ms mean latency = ${fmt(little)} req/s (Little's law; measured ${fmt(i.ingress.rps)}).`);
  console.log(`    of that mean latency, ${i.ackMeanMs.toFixed(2)} ms is inside the ingress from body read to 200, of which ${i.produceMeanMs.toFixed(2)} ms is the Kafka produce round-trip (acks -1)` +
    ` and ${Math.max(0, i.ackMeanMs - i.produceMeanMs).toFixed(2)} ms the linger window (bus.kafka.linger_ms, default 5) plus event-loop queueing;` +
    ` the other ${Math.max(0, i.ingress.mean - i.ackMeanMs).toFixed(2)} ms is HTTP parsing, Express, body read and the client.`);
  console.log(`    ${perProduce.toFixed(1)} records per produce request with at most ${CONNECTIONS} requests in flight: ${perProduce >= CONNECTIONS * 0.5 ? 'most in-flight requests share one produce request (batching works; more connections = bigger batches, not more produce requests)' : 'few in-flight requests share a produce request (the linger window fills only partly)'}.`);
  const ic = i.ingress.cores;
  const ingressCores = share(ic, 'ingress');
  const clientCores = share(ic, 'bench process');
  const brokerCores = share(ic, 'broker');
  console.log(`    CPU: ingress ${ingressCores.toFixed(2)} cores (${i.cpuUsPerEvent.toFixed(0)} µs/event), autocannon ${clientCores.toFixed(2)}, broker ${brokerCores.toFixed(2)}.${busyElsewhere(ic)}`);
  const bareUsPerReq = ((share(i.bare.cores, 'bare server') * SECONDS) / Math.max(1, i.bare.total)) * 1e6;
  console.log(`    bare baseline: server ${share(i.bare.cores, 'bare server').toFixed(2)} cores (${bareUsPerReq.toFixed(0)} µs/request), autocannon ${share(i.bare.cores, 'bench process').toFixed(2)}.${busyElsewhere(i.bare.cores)}`);
  const machineBusy = ic.machine ?? totalCores(ic);
  let verdict: string;
  if (ingressCores >= 0.9) verdict = `the ingress process is saturated (${ingressCores.toFixed(2)} cores: one Node.js event loop plus helper threads); its ${i.cpuUsPerEvent.toFixed(0)} µs of CPU per event sets the ceiling`;
  else if (clientCores >= 0.9) verdict = 'autocannon (one event loop in this process) is saturated: the client is the ceiling, not the ingress';
  else if (brokerCores >= 0.9) verdict = 'the broker is saturated: the broker is the ceiling';
  else if (machineBusy >= CORES * 0.9) verdict = `the machine is CPU-bound (${machineBusy.toFixed(2)} of ${CORES} cores busy): client, ingress${ic.machine !== undefined && ic.machine - totalCores(ic) > 0.15 ? ', other processes' : ''} and broker compete for the same cores`;
  else verdict = `no process is CPU-saturated: latency (linger window + produce round-trip) with ${CONNECTIONS} connections in flight is the ceiling; more connections would raise requests/s`;
  console.log(`    → ${verdict}.`);
  console.log(`    the broker is one JVM node with its log on this machine's disk and no replication; a 3-node cluster adds a replication round-trip to every acks -1 produce.`);
  console.log(`    fixed ${fmt(RATE)} req/s: p50 ${i.fixed.p50} ms / p99 ${i.fixed.p99} ms; CPU ${formatCores(i.fixed.cores)}.`);

  // Worker
  const wAfter = perSecond(workerRecords, worker.totalMs - worker.joinMs);
  const bAfter = perSecond(workerRecords, base.totalMs - base.joinMs);
  console.log(`  worker vs plain kafkajs consumer: ${(worker.totalMs / base.totalMs).toFixed(2)}× the time overall, ${(wAfter / bAfter).toFixed(2)}× the records/s after the join.`);
  console.log(`    group join: baseline ${fmt(base.joinMs)} ms (${fmt((base.joinMs / base.totalMs) * 100)} % of its time), worker ${fmt(worker.joinMs)} ms from process start (${fmt((worker.joinMs / worker.totalMs) * 100)} %);` +
    ' a new group\'s first join waits for the broker\'s initial rebalance delay (0 ms here: group.initial.rebalance.delay.ms=0; 3 s by default on Kafka), so with few records the join dominates.');
  const afterJoin = (f: ConsumeFigures): string => (f.cpuUsPerRecordAfterJoin === undefined ? 'n/a' : `${fmt(f.cpuUsPerRecordAfterJoin)} µs`);
  console.log(`    CPU per record: baseline ${fmt(base.cpuUsPerRecord)} µs, worker ${fmt(worker.cpuUsPerRecord)} µs including its process start; counted from the join: baseline ${afterJoin(base)}, worker ${afterJoin(worker)}` +
    ' (the worker adds decoding into bus records, the sink handler and a commit per chunk of worker.max_batch_events).');
  const shortest = Math.min(base.totalMs - base.joinMs, worker.totalMs - worker.joinMs);
  console.log(`    the after-join windows are ${fmt(base.totalMs - base.joinMs)} ms (baseline) and ${fmt(worker.totalMs - worker.joinMs)} ms (worker): ${shortest < 2000 ? 'short, so the after-join rates are rough; more --records give steadier figures' : 'long enough for steady figures'}.`);
  const bj = base.coresAfterJoin;
  const wj = worker.coresAfterJoin;
  if (bj) console.log(`    CPU in cores after the join: baseline: ${formatCores(bj)}`);
  if (wj) console.log(`                                 worker:   ${formatCores(wj)}`);
  if (wj) {
    const wc = share(wj, 'worker');
    const wb = share(wj, 'broker');
    const wBusy = wj.machine ?? totalCores(wj);
    const consumeVerdict =
      wc >= 0.85
        ? `the worker process is CPU-bound (${wc.toFixed(2)} cores after the join): its per-record CPU is the ceiling`
        : wb >= 0.85
          ? 'the broker is the ceiling (≈1 core serving fetches)'
          : wBusy >= CORES * 0.9
            ? `the machine is CPU-bound (${wBusy.toFixed(2)} of ${CORES} cores busy)`
            : `neither the worker (${wc.toFixed(2)} cores) nor the broker is CPU-saturated after the join: fetch round-trips (kafkajs fetches, then hands partitions to eachBatch one at a time with partitions_consumed_concurrently 1) set the pace`;
    console.log(`    → ${consumeVerdict}.${busyElsewhere(wj)}`);
  }
}

// --- main ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'qssf-bench-kafka-'));
  let kafka: KafkaCluster | undefined;
  const onSignal = (): void => {
    for (const p of children) if (running(p)) p.child.kill('SIGKILL');
    void kafka?.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    kafka = await startKafka({
      jit: 'full',
      topics: [
        { name: T.ingress, partitions: PARTITIONS },
        { name: T.ingressDlq, partitions: 1 },
        { name: T.worker, partitions: WORKER_PARTITIONS },
        { name: T.workerDlq, partitions: 1 },
      ],
    });
    const brokerPid = kafka.pidOf(1);
    console.log(`Kafka: Apache Kafka ${peerVersion('kafka')}, one KRaft node at ${kafka.brokers.join(',')}; topics with ${PARTITIONS} partitions, acks -1; ${CORES} cores shared by client, servers and broker\n`);

    const ingress = await benchIngress(kafka, dir, brokerPid);

    console.log(`\n2. worker: ${fmt(RECORDS)} records asked, ${BODY_BYTES}-byte bodies, keys over ${MEETINGS} meetings (spread evenly over ${WORKER_PARTITIONS} partitions), read from the beginning by a new consumer group`);
    await prefill(kafka.brokers);
    const timeoutMs = Math.max(120000, workerRecords * 5);
    const base = await baselineConsumer(kafka.brokers, brokerPid, timeoutMs);
    const worker = await workerConsumer(kafka.brokers, dir, brokerPid, timeoutMs);
    console.log(consumeRow('plain kafkajs consumer (from run())', base));
    console.log(`    ${base.extra}; eachBatch resolves every offset, autoCommit default`);
    console.log(consumeRow('qss-forwarder worker → blackhole', worker));
    console.log(`    ${worker.extra}`);
    const wAfter = perSecond(workerRecords, worker.totalMs - worker.joinMs);
    const bAfter = perSecond(workerRecords, base.totalMs - base.joinMs);
    console.log(`  ratio worker / baseline (records/s): overall ${(perSecond(workerRecords, worker.totalMs) / perSecond(workerRecords, base.totalMs)).toFixed(2)}, after the join ${(wAfter / bAfter).toFixed(2)}`);
    console.log('  (baseline time starts at consumer.run() after connect+subscribe; worker time starts at process spawn)');

    limits(ingress, base, worker);
  } finally {
    await Promise.all(children.map((p) => stopProcess(p, 3000)));
    await kafka?.stop();
    rmSync(dir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

await main();
