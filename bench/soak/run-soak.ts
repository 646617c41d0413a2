// The whole system as separate processes — `serve` (embedded bus), or a real Apache Kafka cluster
// (3 nodes, replication factor 3, min.insync.replicas 2; test/support/start-kafka.ts) with an
// `ingress` and two `worker`s — sending to local conformance receivers (OTLP, Splunk HEC, Datadog,
// each behind a fault proxy) and a file sink, driven by `qss-forwarder simulate`; faults injected on
// a timeline; at the end every acknowledged event is accounted for at every sink (account-events.ts).
// Used by bench/soak/run.ts (long runs, figures) and by test/integration/soak.test.ts (short runs in
// npm test: zero lost, no timing assertions).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kafka, logLevel } from 'kafkajs';
import { datadogTag } from '../../src/sinks/datadog/sink-batch-to-datadog.ts';
import { eventIdentity } from '../../src/simulate/event-identity.ts';
import { startKafka, type KafkaCluster } from '../../test/support/start-kafka.ts';
import { kafkaForwarderYaml } from '../../test/support/kafka-forwarder-yaml.ts';
import { startDatadogReceiver, type DatadogReceiver } from '../../test/support/receivers/datadog-receiver.ts';
import { startHecReceiver, type HecReceiver } from '../../test/support/receivers/hec-receiver.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../../test/support/receivers/otlp-receiver.ts';
import { BIN, ROOT, startForwarder, writeConfig, type Forwarder, type ForwarderFiles } from '../../test/support/start-forwarder.ts';
import { accountEvents, tally, type SinkAccount, type SinkObservation } from './account-events.ts';
import { startFaultProxy, type FaultProxy, type ProxyMode } from './fault-proxy.ts';

export type FaultAction =
  | { kind: 'kill'; role: 'serve' | 'ingress' | 'worker'; restartAfterMs: number }
  | { kind: 'broker-down'; forMs: number }
  /** The node leading partition 0 of the events topic: SIGKILLed, started again after restartAfterMs. */
  | { kind: 'kill-leader'; restartAfterMs: number }
  /** The node leading partition 0 stalled with SIGSTOP for forMs, then SIGCONT. */
  | { kind: 'stall-leader'; forMs: number }
  | { kind: 'sink'; sink: 'otel' | 'hec' | 'dd'; mode: ProxyMode; forMs: number }
  | { kind: 'hec-reject-event-type'; event: string };

export interface Scenario {
  name: string;
  bus: 'embedded' | 'kafka';
  /** Kafka nodes (default 3: replication factor 3, min.insync.replicas 2). */
  kafkaNodes?: 1 | 3;
  /** Extra `simulate` arguments (traffic shape); --url, --secret, --result are added. */
  simulate: string[];
  faults: { atMs: number; action: FaultAction }[];
  /** How long to wait, after the simulator ends, for the sinks to catch up. */
  settleMs: number;
  /** false: no accounting at the end (the capacity probe); default true. */
  accounting?: boolean;
}

export interface ProcessSample {
  tMs: number;
  role: string;
  rssMb: number;
  cpuPercent: number;
}

/** Per process role: the largest RSS and the mean CPU over the run, e.g. "serve: max RSS 321 MB, mean CPU 68 % of a core". */
export function perProcessSummary(samples: readonly ProcessSample[]): string {
  const byRole = new Map<string, { rss: number; cpu: number[] }>();
  for (const p of samples) {
    const e = byRole.get(p.role) ?? { rss: 0, cpu: [] };
    e.rss = Math.max(e.rss, p.rssMb);
    e.cpu.push(p.cpuPercent);
    byRole.set(p.role, e);
  }
  const mean = (xs: number[]): number => xs.reduce((x, y) => x + y, 0) / Math.max(1, xs.length);
  return [...byRole].map(([role, e]) => `${role}: max RSS ${e.rss.toFixed(0)} MB, mean CPU ${mean(e.cpu).toFixed(0)} % of a core`).join('; ');
}

export interface SimulatedEvents {
  generated: number;
  acked: number;
  abandoned: number;
  byType: Record<string, number>;
}

/** A second of the simulator's run, placed on the harness's clock: answered, failed (≥ 500 or no answer), ack latency. */
export interface AckSecond {
  tMs: number;
  answered: number;
  failed: number;
  p50: number;
  p99: number;
  max: number;
}

export interface SoakReport {
  scenario: string;
  bus: Scenario['bus'];
  simulate: { events: SimulatedEvents; requests: { sent: number; retries: number; byStatus: Record<string, number>; networkErrors: number }; ackLatencyMs: Record<string, number>; durationMs: number; options: Record<string, unknown> };
  /** Ack latency second by second (from the simulator's result file), on the same clock as `lag` and `samples`. */
  acks: AckSecond[];
  accounts: SinkAccount[];
  lost: number;
  samples: ProcessSample[];
  lag: { tMs: number; records: number }[];
  /** When each fault was in force, ms from the start of the traffic. */
  faultWindows: { label: string; startMs: number; endMs: number }[];
  /** From the start of the traffic until every acked event was accounted for (or the wait ended). */
  drainedMs: number;
  wallMs: number;
}

/** The faults on the run's time axis: their timeline starts `offsetMs` after the simulator was started. */
function faultWindows(scenario: Scenario, offsetMs: number): SoakReport['faultWindows'] {
  return scenario.faults.map(({ atMs: after, action }) => {
    const atMs = offsetMs + after;
    const length = action.kind === 'kill' || action.kind === 'kill-leader' ? action.restartAfterMs : action.kind === 'hec-reject-event-type' ? 0 : action.forMs;
    const label = action.kind === 'kill' ? `SIGKILL ${action.role}` : action.kind === 'broker-down' ? 'all brokers down' : action.kind === 'kill-leader' ? 'SIGKILL the leader broker' : action.kind === 'stall-leader' ? 'SIGSTOP the leader broker' : action.kind === 'sink' ? `${action.sink}: ${action.mode.kind === 'status' ? action.mode.status : action.mode.kind === 'slow' ? `slow ${action.mode.delayMs} ms` : 'pass'}` : `hec refuses ${action.event}`;
    return { label, startMs: atMs, endMs: atMs + length };
  });
}

export const SECRET = 'soak-secret';
/** Partitions of the soak topic: two workers share them, as a small production topic would. */
const SOAK_PARTITIONS = 12;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function sinksYaml(archive: string, otel: FaultProxy, hec: FaultProxy, dd: FaultProxy): string {
  return `sinks:
  archive:
    type: file
    path: ${archive}
    fsync: false
  otel:
    type: otlp
    endpoint: ${otel.url}
    timeout_ms: 3000
    batch: { max_wait_ms: 200 }
  hec:
    type: splunk_hec
    url: ${hec.url}
    token: hec-token
    data: events
    pii: { mode: keep }
    timeout_ms: 3000
    batch: { max_wait_ms: 200 }
  dd:
    type: datadog
    api_key: dd-key
    url: ${dd.url}
    attributes: { deny: [] }
    cardinality: { max_series_per_metric: 0 }
    timeout_ms: 3000
    batch: { max_wait_ms: 200 }
routes:
  - { name: everything, sinks: [archive, hec] }
  - { name: qos, events: ["*.participant_qos", "*.participant_qos_summary", "session.user_qos*", "phone.call_qos*"], sinks: [otel, dd] }
`;
}

/** CPU and RSS of a process from /proc (Linux). */
function procSample(pid: number, last: Map<number, { ticks: number; t: number }>): { rssMb: number; cpuPercent: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ticks = Number(stat[11]) + Number(stat[12]);
    const rssMb = (Number(stat[21]) * 4096) / 1e6;
    const now = performance.now();
    const prev = last.get(pid);
    last.set(pid, { ticks, t: now });
    const cpuPercent = prev === undefined ? 0 : ((ticks - prev.ticks) / 100 / ((now - prev.t) / 1000)) * 100;
    return { rssMb, cpuPercent };
  } catch {
    return undefined;
  }
}

/** Acknowledgements the entry must have given before the faults' timeline starts. */
const FIRST_ACKS = 20;

/** Resolves once `fwd` has accepted `n` events (its /metrics), or after `timeoutMs` whatever happened. */
async function acceptedAtLeast(fwd: Forwarder, n: number, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    try {
      const text = await (await fetch(`${fwd.adminUrl}/metrics`)).text();
      const accepted = [...text.matchAll(/^qss_forwarder_ingress_requests_total\{[^}]*outcome="accepted"[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      if (accepted >= n) return;
    } catch {
      // not answering yet
    }
    await sleep(100);
  }
}

async function lagOf(fwds: Forwarder[]): Promise<number> {
  let total = 0;
  for (const f of fwds) {
    const text = await fetch(`${f.adminUrl}/metrics`).then((r) => r.text(), () => '');
    for (const line of text.split('\n')) {
      if (line.startsWith('qss_forwarder_consumer_lag_records{') || line.startsWith('qss_forwarder_bus_pending_events{')) total += Number(line.split(' ').pop());
    }
  }
  return total;
}

export async function runSoak(scenario: Scenario): Promise<SoakReport> {
  const wall0 = performance.now();
  const [otlpRx, hecRx, ddRx] = await Promise.all([startOtlpReceiver(), startHecReceiver({ tokens: { 'hec-token': {} } }), startDatadogReceiver({ apiKeys: ['dd-key'] })]);
  const proxies = { otel: await startFaultProxy(otlpRx.url), hec: await startFaultProxy(hecRx.url), dd: await startFaultProxy(ddRx.url) };
  const files: ForwarderFiles = writeConfig();
  const archive = join(files.dir, 'archive.jsonl');
  writeFileSync(files.sinks, sinksYaml(archive, proxies.otel, proxies.hec, proxies.dd));
  const arrivals = createArrivals(archive, otlpRx, hecRx, ddRx);
  const worker = 'worker:\n  max_batch_events: 500\n  shutdown_grace_ms: 3000\n  retry:\n    initial_backoff_ms: 100\n    max_backoff_ms: 2000\n';
  const zoom = `zoom:\n  apps:\n    default:\n      secret_token: ${SECRET}\n`;
  let kafka: KafkaCluster | undefined;
  const running = new Map<string, Forwarder[]>();
  /** Processes killed and replaced by a fault, kept for their logs. */
  const retired: [string, Forwarder][] = [];
  const samples: ProcessSample[] = [];
  const lag: { tMs: number; records: number }[] = [];
  // Fresh topics and consumer groups per run, so a long-lived KAFKA_BROKERS cluster never mixes runs.
  const run = `soak-${scenario.name}-${Date.now().toString(36)}`;
  const topics = { topic: `${run}.events`, dlqTopic: `${run}.dlq` };
  try {
    if (scenario.bus === 'kafka') {
      kafka = await startKafka({ nodes: scenario.kafkaNodes ?? 3, topics: [{ name: topics.topic, partitions: SOAK_PARTITIONS }, { name: topics.dlqTopic, partitions: 1 }] });
      writeFileSync(files.config, kafkaForwarderYaml({ dir: files.dir, brokers: kafka.brokers, ...topics, groupPrefix: run, extra: `${zoom}${worker}` }));
      running.set('ingress', [await startForwarder(files, {}, 30000, 'ingress')]);
      // One worker after the other, the second joining a group that already has a member.
      running.set('worker', [await startForwarder(files, {}, 60000, 'worker')]);
      running.get('worker')!.push(await startForwarder(files, {}, 60000, 'worker'));
      await sleep(3000);
    } else {
      writeFileSync(files.config, `data_dir: ${files.dir}/data\nserver:\n  host: 127.0.0.1\n  port: 0\nadmin:\n  host: 127.0.0.1\n  port: 0\n${zoom}bus:\n  embedded:\n    path: ${files.dir}/data/bus.sqlite\n    poll_interval_ms: 50\n${worker}`);
      running.set('serve', [await startForwarder(files)]);
    }
    const entry = (running.get('serve') ?? running.get('ingress'))![0]!;
    const url = `${entry.url}/webhooks/zoom`;
    const resultFile = join(files.dir, 'simulate-result.json');
    const sim: ChildProcess = spawn(process.execPath, [BIN, 'simulate', '--url', url, '--secret', SECRET, '--result', resultFile, ...scenario.simulate], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    const simDone = new Promise<number | null>((r) => sim.on('exit', (code) => r(code)));
    const t0 = performance.now();
    const t0Wall = Date.now();
    const procLast = new Map<number, { ticks: number; t: number }>();
    const sampler = setInterval(() => {
      void (async () => {
        const tMs = performance.now() - t0;
        for (const [role, list] of running) for (const f of list) if (f.child.pid !== undefined) {
          const s = procSample(f.child.pid, procLast);
          if (s !== undefined) samples.push({ tMs, role, ...s });
        }
        lag.push({ tMs, records: await lagOf([...running.values()].flat()) });
        arrivals.collect();
      })();
    }, 1000);
    // Faults on the timeline (the entry URL survives restarts: a restarted serve/ingress gets a new port, so the simulator's retries go to the old one — see restart()).
    const restart = async (role: 'serve' | 'ingress' | 'worker', f: Forwarder, afterMs: number): Promise<void> => {
      f.child.kill('SIGKILL');
      await sleep(afterMs);
      const files2 = role === 'worker' ? files : { ...files, config: pinPort(files.config, new URL(f.url).port) };
      const again = await startForwarder(files2, {}, 60000, role);
      const list = running.get(role)!;
      list[list.indexOf(f)] = again;
      retired.push([role, f]);
    };
    // The timeline starts at the entry's first acknowledgements, not at the simulator's spawn: on a
    // busy machine the simulator takes seconds to start, and a kill before any traffic tests nothing.
    let faultsOffsetMs = 0;
    const trafficStarted = (scenario.faults.length === 0 ? Promise.resolve() : acceptedAtLeast(entry, FIRST_ACKS, 60_000)).then(() => void (faultsOffsetMs = performance.now() - t0));
    const timers = scenario.faults.map(({ atMs, action }) =>
      trafficStarted.then(() => sleep(atMs)).then(async () => {
        if (action.kind === 'kill') {
          const f = running.get(action.role)?.[0];
          if (f !== undefined) await restart(action.role, f, action.restartAfterMs);
        } else if (action.kind === 'broker-down') {
          await kafka?.allDown();
          await sleep(action.forMs);
          await kafka?.allUp();
        } else if (action.kind === 'kill-leader') {
          if (!kafka) throw new Error(`${scenario.name}: kill-leader needs the Kafka bus`);
          const leader = await kafka.leaderOf(topics.topic, 0);
          await kafka.kill(leader, 'SIGKILL');
          await sleep(action.restartAfterMs);
          await kafka.restart(leader);
        } else if (action.kind === 'stall-leader') {
          if (!kafka) throw new Error(`${scenario.name}: stall-leader needs the Kafka bus`);
          const leader = await kafka.leaderOf(topics.topic, 0);
          kafka.pause(leader);
          await sleep(action.forMs);
          kafka.resume(leader);
        } else if (action.kind === 'sink') {
          proxies[action.sink].set(action.mode);
          await sleep(action.forMs);
          proxies[action.sink].set({ kind: 'pass' });
        } else hecRx.rejectEvents((e) => typeof e.event === 'object' && e.event !== null && (e.event as { event?: string }).event === action.event);
      }),
    );
    await simDone;
    await Promise.all(timers);
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as {
      events: SimulatedEvents;
      requests: { sent: number; retries: number; byStatus: Record<string, number>; networkErrors: number };
      ackLatencyMs: Record<string, number>;
      ackLatencyBySecond: [number, number, number, number, number, number][];
      durationMs: number;
      startedAt: string;
      options: Record<string, unknown>;
      acked: [string, string, number][];
    };
    const simOffsetMs = Date.parse(result.startedAt) - t0Wall;
    const acks = result.ackLatencyBySecond.map(([second, answered, failed, p50, p99, max]) => ({ tMs: simOffsetMs + second * 1000, answered, failed, p50, p99, max }));
    const acked = result.acked.map((row) => row[1]);
    // Wait for the sinks to catch up: every acked event delivered or dead-lettered, or settleMs.
    const observe = async (): Promise<SinkObservation[]> => observations(files, arrivals, scenario.bus === 'kafka' ? kafka : undefined, topics.dlqTopic);
    let accounts = scenario.accounting === false ? [] : accountEvents(acked, await observe());
    // Settle: until every acked event is accounted for; past settleMs keep waiting while the bus
    // still holds a backlog or deliveries still arrive (an overloaded run drains late — that is
    // lag, not loss), up to 30 min.
    const deadline = performance.now() + scenario.settleMs;
    const hardDeadline = deadline + 1_800_000;
    const missing = (): number => accounts.reduce((n, a) => n + a.missing, 0);
    let backlog = await lagOf([...running.values()].flat());
    let before = Infinity;
    while (missing() > 0 && (performance.now() < deadline || ((backlog > 0 || missing() < before) && performance.now() < hardDeadline))) {
      before = missing();
      await sleep(2000);
      accounts = accountEvents(acked, await observe());
      backlog = await lagOf([...running.values()].flat());
    }
    clearInterval(sampler);
    return {
      scenario: scenario.name,
      bus: scenario.bus,
      simulate: { events: result.events, requests: result.requests, ackLatencyMs: result.ackLatencyMs, durationMs: result.durationMs, options: result.options },
      acks,
      accounts,
      lost: accounts.reduce((n, a) => n + a.missing, 0),
      drainedMs: performance.now() - t0,
      samples,
      lag,
      faultWindows: faultWindows(scenario, faultsOffsetMs),
      wallMs: performance.now() - wall0,
    };
  } finally {
    for (const list of running.values()) await Promise.all(list.map((f) => f.stop('SIGTERM').catch(() => undefined)));
    // SOAK_LOG_DIR: every process's log lines, one file each (LOG_LEVEL=debug adds the Kafka consumer's chunk lines).
    const logDir = process.env.SOAK_LOG_DIR;
    if (logDir !== undefined && logDir !== '') {
      mkdirSync(logDir, { recursive: true });
      const all = [...retired.map(([role, f]) => [`${role}-killed`, f] as const), ...[...running].flatMap(([role, list]) => list.map((f) => [role, f] as const))];
      all.forEach(([role, f], i) => writeFileSync(join(logDir, `${scenario.name}-${i}-${role}.log`), `${f.logs.join('\n')}\n`));
    }
    await kafka?.stop();
    await Promise.all([otlpRx.close(), hecRx.close(), ddRx.close(), ...Object.values(proxies).map((p) => p.close())]);
  }
}

/** The forwarder.yaml with the webhook port fixed (a restarted serve/ingress comes back on the same port). */
function pinPort(config: string, port: string): string {
  const pinned = `${config}.pinned-${port}.yaml`;
  writeFileSync(pinned, readFileSync(config, 'utf8').replace(/server:\n {2}host: 127.0.0.1\n {2}port: 0/, `server:\n  host: 127.0.0.1\n  port: ${port}`));
  return pinned;
}

const keyOfBody = (text: string): string | undefined => {
  try {
    return eventIdentity(JSON.parse(text))?.key;
  } catch {
    return undefined;
  }
};

async function deadLetters(files: ForwarderFiles, kafka: KafkaCluster | undefined, dlqTopic: string): Promise<Map<string, { key: string; reason: string }[]>> {
  const bySink = new Map<string, { key: string; reason: string }[]>();
  const add = (sink: string, body: string, reason: string): void => {
    const key = keyOfBody(body);
    if (key !== undefined) bySink.set(sink, [...(bySink.get(sink) ?? []), { key, reason }]);
  };
  if (kafka === undefined) {
    const path = join(files.dir, 'data/bus.sqlite');
    if (existsSync(path)) {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        for (const row of db.prepare('SELECT consumer, reason, body FROM dead_letters').all() as { consumer: string; reason: string; body: Buffer }[]) add(row.consumer, row.body.toString('utf8'), row.reason);
      } finally {
        db.close();
      }
    }
    return bySink;
  }
  const client = new Kafka({ clientId: 'soak-dlq', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(dlqTopic);
  await admin.disconnect();
  const total = offsets.reduce((n, o) => n + Number(o.high), 0);
  if (total === 0) return bySink;
  const consumer = client.consumer({ groupId: `soak-dlq-reader-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: dlqTopic, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 20000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        const h = message.headers ?? {};
        add(String(h['qss-dlq-sink'] ?? ''), message.value?.toString('utf8') ?? '', String(h['qss-dlq-reason'] ?? ''));
        if (++seen >= total) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return bySink;
}

/**
 * What arrived at each sink, as key tallies. The receivers' arrays are emptied on every collect and
 * the archive file is read on from where the last collect stopped, so a run of hundreds of
 * thousands of events keeps the harness's memory and time per collect flat.
 */
function createArrivals(archive: string, otlp: OtlpReceiver, hec: HecReceiver, dd: DatadogReceiver): { collect(): void; archive: Map<string, number>; hec: Map<string, number>; otel: Map<string, number>; dd: Map<string, number> } {
  const got = { archive: new Map<string, number>(), hec: new Map<string, number>(), otel: new Map<string, number>(), dd: new Map<string, number>() };
  let archiveOffset = 0;
  let otlpRequestsSeen = 0;
  const pointKey = (event: unknown, instance: unknown, participant: unknown, second: number): string => `${String(event)}|${String(instance)}|${event === 'phone.call_qos_summary' ? '' : String(participant ?? '')}|${second}`;
  const instanceOf = (a: Record<string, unknown>): unknown => a['zoom.meeting.uuid'] ?? a['zoom.webinar.uuid'] ?? a['zoom.session.id'] ?? a['zoom.call.id'];
  // Datadog tags are lower-cased and sanitised: compare the sanitised forms.
  const tag = (p: { tags: string[] }, k: string): string | undefined => p.tags.find((t) => t.startsWith(`${k}:`))?.slice(k.length + 1);
  const readArchive = (): void => {
    if (!existsSync(archive)) return;
    const fd = openSync(archive, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size <= archiveOffset) return;
      const chunk = Buffer.alloc(size - archiveOffset);
      readSync(fd, chunk, 0, chunk.length, archiveOffset);
      const complete = chunk.lastIndexOf(0x0a) + 1; // a line still being written waits for the next collect
      archiveOffset += complete;
      for (const line of chunk.subarray(0, complete).toString('utf8').split('\n')) {
        if (line === '') continue;
        const k = keyOfBody((JSON.parse(line) as { body: string }).body);
        if (k !== undefined) tally(got.archive, k);
      }
    } finally {
      closeSync(fd);
    }
  };
  return {
    ...got,
    collect() {
      readArchive();
      for (const e of hec.events.splice(0)) {
        const k = typeof e.event === 'object' ? eventIdentity(e.event)?.key : undefined;
        if (k !== undefined) tally(got.hec, k);
      }
      hec.measurements.splice(0);
      for (const p of otlp.points.splice(0)) tally(got.otel, pointKey(p.attributes['zoom.event'], instanceOf(p.attributes), p.attributes['zoom.participant.id'], Number(p.timeUnixNano / 1_000_000_000n)));
      for (; otlpRequestsSeen < otlp.requests.length; otlpRequestsSeen++) otlp.requests[otlpRequestsSeen]!.json = undefined; // the parsed bodies
      for (const p of dd.points.splice(0)) {
        const instance = tag(p, 'zoom.meeting.uuid') ?? tag(p, 'zoom.webinar.uuid') ?? tag(p, 'zoom.session.id') ?? tag(p, 'zoom.call.id');
        tally(got.dd, pointKey(tag(p, 'zoom.event'), instance, tag(p, 'zoom.participant.id'), p.timestamp));
      }
      dd.logs.splice(0);
    },
  };
}

async function observations(files: ForwarderFiles, arrivals: ReturnType<typeof createArrivals>, kafka: KafkaCluster | undefined, dlqTopic: string): Promise<SinkObservation[]> {
  const dead = await deadLetters(files, kafka, dlqTopic);
  arrivals.collect();
  return [
    { name: 'archive', kind: 'events', received: arrivals.archive, deadLettered: dead.get('archive') ?? [] },
    { name: 'hec', kind: 'events', received: arrivals.hec, deadLettered: dead.get('hec') ?? [] },
    { name: 'otel', kind: 'metrics', received: arrivals.otel, deadLettered: dead.get('otel') ?? [] },
    { name: 'dd', kind: 'metrics', received: arrivals.dd, deadLettered: dead.get('dd') ?? [], spell: sanitisedKey },
  ];
}

/** A key as the Datadog sink's tags spell it (instance and participant lower-cased and sanitised). */
export function sanitisedKey(key: string): string {
  const [event, instance, participant, ts] = key.split('|');
  const clean = (k: string, v: string | undefined): string => (v === undefined || v === '' ? '' : datadogTag(k, v).slice(k.length + 1));
  return [clean('zoom.event', event), clean('zoom.meeting.uuid', instance), event === 'phone.call_qos_summary' ? '' : clean('zoom.participant.id', participant), ts].join('|');
}
