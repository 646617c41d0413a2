// The Kafka bus end to end, with real processes against a real Apache Kafka (one KRaft node,
// test/support/start-kafka.ts): ingress → broker → workers in one consumer group → file sinks.
// The broker killed and restarted, SIGKILL and SIGTERM of workers, poison records, replay.
import { expect } from 'chai';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaForwarderYaml } from '../support/kafka-forwarder-yaml.ts';
import { startKafka, type KafkaCluster } from '../support/start-kafka.ts';
import { fileSinkBodies, runCli, startForwarder, writeConfig, type Forwarder, type ForwarderFiles } from '../support/start-forwarder.ts';
import { eventually, postSigned } from '../support/signed-request.ts';

const SECRET = 'kafka-secret';
const PARTITIONS = 6;
const SUITES = ['e2e', 'outage', 'kill', 'poison', 'drain', 'switch'] as const;
type Suite = (typeof SUITES)[number];
const run = `r${Date.now().toString(36)}`; // each suite has its own topics and groups on the one broker

const sinkLines = fileSinkBodies;

function event(meeting: number, seq: number): string {
  return JSON.stringify({ event: 'meeting.participant_qos', event_ts: Date.now(), payload: { account_id: 'acc', object: { uuid: `meeting-${meeting}==`, participant: { user_id: '1', seq, qos: [] } } } });
}

const seqOf = (body: string): [string, number] => {
  const b = JSON.parse(body) as { payload: { object: { uuid: string; participant: { seq: number } } } };
  return [b.payload.object.uuid, b.payload.object.participant.seq];
};

describe('Kafka bus (real broker, real processes)', function () {
  this.timeout(120000);
  let kafka: KafkaCluster;
  const started: Forwarder[] = [];

  // One broker for the file, each suite on its own topics and groups; the outage test kills it and
  // waits until it is back before the next test.
  before(async function () {
    this.timeout(180000);
    kafka = await startKafka({ topics: SUITES.flatMap((s) => [{ name: `${run}.${s}.events`, partitions: PARTITIONS }, { name: `${run}.${s}.dlq`, partitions: 1 }]) });
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((f) => f.stop('SIGKILL')));
  });
  after(async () => {
    await kafka?.stop();
  });

  /** forwarder.yaml for a suite; every process of the suite shares topics and groups. */
  function config(suite: Suite, dir?: string, extra = '', client?: 'kafkajs' | 'platformatic'): ForwarderFiles {
    const files = writeConfig(dir === undefined ? {} : { dir });
    writeFileSync(
      files.config,
      kafkaForwarderYaml({
        dir: files.dir,
        brokers: kafka.brokers,
        topic: `${run}.${suite}.events`,
        dlqTopic: `${run}.${suite}.dlq`,
        groupPrefix: `${run}.${suite}`,
        ...(client === undefined ? {} : { client }),
        kafka: '    ack_timeout_ms: 800\n    linger_ms: 2\n    consumer:\n      session_timeout_ms: 6000\n      heartbeat_interval_ms: 500\n',
        extra: `worker:\n  max_batch_events: 20\n  shutdown_grace_ms: 5000\n${extra}`,
      }),
    );
    return files;
  }

  async function start(files: ForwarderFiles, role: 'ingress' | 'worker'): Promise<Forwarder> {
    const f = await startForwarder(files, { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET }, 30000, role);
    started.push(f);
    return f;
  }

  /** Two workers of one group, each writing its own file; resolves when both are in the group. */
  async function twoWorkers(suite: Suite, clients: ('kafkajs' | 'platformatic' | undefined)[] = [undefined, undefined]): Promise<{ files: ForwarderFiles[]; workers: Forwarder[] }> {
    const files = clients.map((client) => config(suite, undefined, '', client));
    const workers: Forwarder[] = [];
    // One after the other, so that the test knows when the group holds both members.
    for (const f of files) {
      const w = await start(f, 'worker');
      workers.push(w);
      await eventually(() => (w.logs.some((l) => l.includes('joined consumer group')) ? true : undefined), 60000, 100).catch((err: Error) => {
        throw new Error(`${err.message}: worker did not join the group\n${w.logs.join('\n')}`);
      });
    }
    // The first member learns of the second at its next heartbeat and rejoins: wait for the split.
    await eventually(() => (workers[0]!.logs.filter((l) => l.includes('joined consumer group')).length >= 2 ? true : undefined), 60000, 100);
    return { files, workers };
  }

  /** Sends `perMeeting` events for each of `meetings` meetings; one meeting's events are sent one after another. */
  async function send(ingress: Forwarder, meetings: number, perMeeting: number, from = 0): Promise<{ acked: string[]; statuses: number[] }> {
    const acked: string[] = [];
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: meetings }, async (_, m) => {
        for (let i = from; i < from + perMeeting; i++) {
          const body = event(m, i);
          const res = await postSigned(`${ingress.url}/webhooks/zoom`, body, { secret: SECRET }).catch(() => ({ status: 0 }));
          statuses.push(res.status);
          if (res.status === 200) acked.push(body);
        }
      }),
    );
    return { acked, statuses };
  }

  function delivered(files: ForwarderFiles[]): string[] {
    return files.flatMap((f) => sinkLines(f.eventsFile));
  }

  async function allArrive(files: ForwarderFiles[], acked: string[], timeoutMs = 60000): Promise<string[]> {
    return eventually(() => {
      const got = delivered(files);
      const set = new Set(got);
      return acked.every((b) => set.has(b)) ? got : undefined;
    }, timeoutMs, 200);
  }

  it('ingress → broker → two workers in one group: every accepted event arrives, each meeting in order', async () => {
    const { files } = await twoWorkers('e2e');
    const ingress = await start(config('e2e'), 'ingress');
    const { acked, statuses } = await send(ingress, 12, 15);
    expect(statuses.every((s) => s === 200)).to.equal(true);
    await allArrive(files, acked);
    const perFile = files.map((f) => sinkLines(f.eventsFile));
    expect(perFile.every((lines) => lines.length > 0), 'both workers got partitions').to.equal(true);
    for (const lines of perFile) {
      const last = new Map<string, number>();
      for (const body of lines) {
        const [meeting, seq] = seqOf(body);
        expect(seq, `${meeting} in order`).to.be.greaterThan(last.get(meeting) ?? -1);
        last.set(meeting, seq);
      }
    }
    const meetingsIn = perFile.map((lines) => new Set(lines.map((b) => seqOf(b)[0])));
    expect([...meetingsIn[0]!].filter((m) => meetingsIn[1]!.has(m)), 'a meeting stays on one partition, one worker').to.deep.equal([]);
    const text = await (await fetch(`${ingress.adminUrl}/metrics`)).text();
    expect(text).to.match(/qss_forwarder_kafka_produce_seconds_count [1-9]/);
  });

  it('the broker SIGKILLed for 10 s and started again: acks keep coming through the spool, readiness degrades and recovers, nothing is lost', async () => {
    const { files } = await twoWorkers('outage');
    const ingress = await start(config('outage'), 'ingress');
    const before = await send(ingress, 4, 5);
    await kafka.allDown();
    const downSince = Date.now();
    const during = { acked: [] as string[], statuses: [] as number[] };
    let seq = 100;
    let sawDegraded = false;
    while (Date.now() - downSince < 10000) {
      const r = await send(ingress, 4, 1, seq++);
      during.acked.push(...r.acked);
      during.statuses.push(...r.statuses);
      const ready = (await (await fetch(`${ingress.adminUrl}/readyz`)).json()) as { status: string };
      if (ready.status === 'degraded') sawDegraded = true;
    }
    await kafka.allUp();
    const after = await send(ingress, 4, 5, 1000);
    expect(during.statuses.every((s) => s === 200), `statuses while down: ${[...new Set(during.statuses)].join(',')}`).to.equal(true);
    expect(sawDegraded, 'readiness said degraded while spooling').to.equal(true);
    await allArrive(files, [...before.acked, ...during.acked, ...after.acked], 90000);
    const ready = await eventually(async () => {
      const r = (await (await fetch(`${ingress.adminUrl}/readyz`)).json()) as { status: string };
      return r.status === 'ready' ? r : undefined;
    }, 60000, 200);
    expect(ready.status).to.equal('ready');
    const metrics = await (await fetch(`${ingress.adminUrl}/metrics`)).text();
    expect(metrics).to.match(/qss_forwarder_spool_writes_total\{reason="[a-z_]+"\} [1-9]/);
  });

  it('a worker SIGKILLed in the middle: the other member takes over, every event arrives (duplicates counted)', async () => {
    const { files, workers } = await twoWorkers('kill');
    const ingress = await start(config('kill'), 'ingress');
    const first = await send(ingress, 8, 10);
    const sending = send(ingress, 8, 30, 10);
    await new Promise((r) => setTimeout(r, 300));
    await workers[0]!.stop('SIGKILL');
    const rest = await sending;
    const acked = [...first.acked, ...rest.acked];
    const got = await allArrive(files, acked, 90000);
    const duplicates = got.length - new Set(got).size;
    console.log(`      acked ${acked.length}, delivered ${got.length}, duplicates ${duplicates}`);
    expect(new Set(got).size).to.be.at.least(acked.length);
  });

  it('a poison record goes to the DLQ with its headers, the records after it are delivered; replay brings refused ones back', async () => {
    const client = new Kafka({ clientId: 'poison-test', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    const producer = client.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    // A record that is not ours (no qss headers) on the events topic, then good ones with the same key.
    await producer.send({ topic: `${run}.poison.events`, acks: -1, messages: [{ key: 'meeting-0==', value: 'not json at all' }] });
    await producer.disconnect();
    const broken = config('poison', undefined, '');
    // The sink's file becomes a folder once the worker has started (its start check saw a file):
    // every write fails; with max_attempts 2 the batch is dead-lettered.
    writeFileSync(broken.config, readFileSync(broken.config, 'utf8').replace('worker:\n', 'worker:\n  retry:\n    initial_backoff_ms: 10\n    max_backoff_ms: 20\n    max_attempts: 2\n'));
    const worker = await start(broken, 'worker');
    rmSync(broken.eventsFile);
    mkdirSync(broken.eventsFile);
    const ingress = await start(config('poison'), 'ingress');
    const { acked } = await send(ingress, 1, 5);
    const dlq = await readDlq(`${run}.poison.dlq`, 6);
    const undecodable = dlq.filter((m) => m.headers['qss-dlq-reason']?.startsWith('undecodable'));
    const refused = dlq.filter((m) => m.headers['qss-dlq-reason'] === 'retries_exhausted:file_EISDIR');
    expect(undecodable).to.have.length(1);
    expect(undecodable[0]!.value).to.equal('not json at all');
    expect(undecodable[0]!.headers).to.include({ 'qss-dlq-sink': 'events_file', 'qss-dlq-topic': `${run}.poison.events` });
    expect(refused.map((m) => m.value).sort()).to.deep.equal([...acked].sort());
    expect(refused[0]!.headers).to.include({ 'qss-dlq-sink': 'events_file', 'qss-dlq-attempts': '2', 'qss-event': 'meeting.participant_qos' });
    await worker.stop('SIGTERM');

    // The sink is fixed; replay puts the refused records back for it (the undecodable one is reported, not replayed).
    rmSync(broken.eventsFile, { recursive: true });
    const fixed = config('poison', broken.dir);
    const replay = await runCli(['replay', '--from-dlq', '--sink', 'events_file', '--config', fixed.config, '--sinks', fixed.sinks]);
    expect(replay.code, replay.stderr).to.equal(0);
    expect(replay.stdout).to.include(`replayed ${acked.length} of ${acked.length + 1} dead letters (kafka bus); skipped 0 by filter, 1 undecodable`);
    await start(fixed, 'worker');
    const got = await allArrive([fixed], acked);
    expect(got.filter((b) => acked.includes(b))).to.have.length(acked.length);
  });

  it('SIGTERM drain: a worker stopped politely delivers nothing twice', async () => {
    const { files, workers } = await twoWorkers('drain');
    const ingress = await start(config('drain'), 'ingress');
    const sending = send(ingress, 8, 30);
    await new Promise((r) => setTimeout(r, 500));
    expect(await workers[0]!.stop('SIGTERM')).to.equal(0);
    const { acked } = await sending;
    const got = await allArrive(files, acked, 90000);
    expect(workers[0]!.logs.some((l) => l.includes('left consumer group'))).to.equal(true);
    expect(got.length - new Set(got).size, 'duplicates').to.equal(0);
  });

  it('a rolling switch of bus.kafka.client: a kafkajs worker and a platformatic worker share one group; the kafkajs one stopped, the other takes over; nothing lost', async () => {
    const { files, workers } = await twoWorkers('switch', ['kafkajs', 'platformatic']);
    const ingress = await start(config('switch'), 'ingress');
    const first = await send(ingress, 8, 10);
    await allArrive(files, first.acked);
    expect(files.map((f) => sinkLines(f.eventsFile).length > 0), 'both workers got partitions').to.deep.equal([true, true]);
    expect(await workers[0]!.stop('SIGTERM')).to.equal(0);
    const second = await send(ingress, 8, 10, 10);
    const got = await allArrive(files, [...first.acked, ...second.acked], 90000);
    expect(got.length - new Set(got).size, 'duplicates').to.equal(0);
  });

  async function readDlq(topic: string, atLeast: number): Promise<{ value: string; headers: Record<string, string> }[]> {
    const client = new Kafka({ clientId: 'dlq-reader', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    const consumer = client.consumer({ groupId: `${run}.dlq-reader.${Date.now()}` });
    const out: { value: string; headers: Record<string, string> }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        out.push({ value: message.value?.toString() ?? '', headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])) });
      },
    });
    try {
      return await eventually(() => (out.length >= atLeast ? out : undefined), 60000, 200);
    } finally {
      await consumer.disconnect();
    }
  }
});
