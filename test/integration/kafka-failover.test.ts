// The Kafka bus on a 3-node Apache Kafka cluster (replication factor 3, min.insync.replicas 2), as
// production runs it: the leader of the partitions in use SIGKILLed, stalled with SIGSTOP, or
// restarted politely, while a real ingress accepts events and a real worker delivers them. Every
// event Zoom got a 200 for arrives at the sink.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaForwarderYaml } from '../support/kafka-forwarder-yaml.ts';
import { startKafka, type KafkaCluster } from '../support/start-kafka.ts';
import { eventually, postSigned } from '../support/signed-request.ts';
import { fileSinkBodies, startForwarder, writeConfig, type Forwarder, type ForwarderFiles } from '../support/start-forwarder.ts';

const SECRET = 'kafka-failover-secret';
const PARTITIONS = 3;
const stamp = Date.now().toString(36);

const delivered = (files: ForwarderFiles): string[] => fileSinkBodies(files.eventsFile);

describe('Kafka bus on a 3-node cluster: broker faults under traffic (real processes)', function () {
  this.timeout(240000);
  let kafka: KafkaCluster;
  const running: Forwarder[] = [];
  before(async function () {
    this.timeout(240000);
    kafka = await startKafka({ nodes: 3 });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((f) => (f.child.exitCode === null ? f.stop('SIGKILL') : undefined)));
    await kafka.allUp(); // a test that failed half-way leaves no node down for the next
  });
  after(async () => {
    await kafka?.stop();
  });

  /** An ingress and a worker on fresh topics; `send` posts events until `until` resolves. */
  async function pipeline(name: string): Promise<{ files: ForwarderFiles; topic: string; ingress: Forwarder; sendWhile: (during: Promise<unknown>) => Promise<{ acked: string[]; statuses: number[] }> }> {
    const run = `fo-${name}-${stamp}`;
    const topic = `${run}.events`;
    await kafka.createTopics([{ name: topic, partitions: PARTITIONS }, { name: `${run}.dlq`, partitions: 1 }]);
    const files = writeConfig();
    writeFileSync(
      files.config,
      kafkaForwarderYaml({
        dir: files.dir,
        brokers: kafka.brokers,
        topic,
        dlqTopic: `${run}.dlq`,
        groupPrefix: run,
        kafka: '    ack_timeout_ms: 800\n    consumer:\n      session_timeout_ms: 10000\n      heartbeat_interval_ms: 1000\n',
        extra: 'worker:\n  max_batch_events: 50\n',
      }),
    );
    const worker = await startForwarder(files, {}, 60000, 'worker');
    running.push(worker);
    await eventually(() => (worker.logs.some((l) => l.includes('joined consumer group')) ? true : undefined), 60000, 100);
    const ingress = await startForwarder(files, { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET }, 60000, 'ingress');
    running.push(ingress);
    let seq = 0;
    const sendWhile = async (during: Promise<unknown>): Promise<{ acked: string[]; statuses: number[] }> => {
      const acked: string[] = [];
      const statuses: number[] = [];
      let done = false;
      void during.finally(() => (done = true));
      // Four meetings in parallel, one event after another each, as Zoom sends them.
      await Promise.all(
        [0, 1, 2, 3].map(async (m) => {
          while (!done) {
            const body = JSON.stringify({ event: 'meeting.participant_qos', event_ts: Date.now(), payload: { account_id: 'acc', object: { uuid: `${name}-${m}==`, participant: { user_id: '1', seq: seq++, qos: [] } } } });
            const res = await postSigned(`${ingress.url}/webhooks/zoom`, body, { secret: SECRET }).catch(() => ({ status: 0 }));
            statuses.push(res.status);
            if (res.status === 200) acked.push(body);
            await new Promise((r) => setTimeout(r, 20));
          }
        }),
      );
      await during;
      return { acked, statuses };
    };
    return { files, topic, ingress, sendWhile };
  }

  /** Every value on the topic (a fresh consumer reads it all), to tell a record Kafka never got from one the worker skipped. */
  async function topicValues(topic: string, expected: number): Promise<Set<string>> {
    const consumer = new Kafka({ clientId: 'failover-audit', brokers: kafka.brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: `audit-${topic}-${Date.now()}`, maxWaitTimeInMs: 500 });
    const seen = new Set<string>();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.add(message.value?.toString() ?? '') });
    await eventually(() => (seen.size >= expected ? true : undefined), 30000, 250).catch(() => undefined);
    await consumer.disconnect();
    return seen;
  }

  async function allArrive(files: ForwarderFiles, acked: string[], topic: string, logs: Forwarder[]): Promise<void> {
    await eventually(() => {
      const got = new Set(delivered(files));
      return acked.every((b) => got.has(b)) ? true : undefined;
    }, 120000, 250).catch(async () => {
      const got = new Set(delivered(files));
      const missing = acked.filter((b) => !got.has(b));
      const inKafka = await topicValues(topic, acked.length);
      const never = missing.filter((b) => !inKafka.has(b));
      throw new Error(
        `${missing.length} of ${acked.length} acknowledged events never arrived: ${never.length} of them were never in the topic, ${missing.length - never.length} are in it but were not delivered\n` +
          `${missing.map((b) => (JSON.parse(b) as { payload: { object: { uuid: string; participant: { seq: number } } } }).payload.object).map((o) => `${o.uuid}#${o.participant.seq}`).join(' ')}\n` +
          logs.map((f) => f.logs.filter((l) => /"level":(40|50|60)/.test(l)).slice(-15).join('\n')).join('\n---\n'),
      );
    });
  }

  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('the leader of partition 0 SIGKILLed under traffic, started again later: every acknowledged event arrives', async () => {
    const { files, topic, sendWhile } = await pipeline('kill');
    const leader = await kafka.leaderOf(topic, 0);
    const { acked, statuses } = await sendWhile(
      (async () => {
        await sleep(2000);
        await kafka.kill(leader, 'SIGKILL');
        await sleep(8000);
        await kafka.restart(leader);
        await sleep(2000);
      })(),
    );
    expect(statuses.filter((s) => s !== 200), 'every request answered 200 (direct, or from the spool)').to.deep.equal([]);
    expect(acked.length).to.be.greaterThan(50);
    expect(await kafka.leaderOf(topic, 0)).to.be.a('number');
    await allArrive(files, acked, topic, running);
  });

  it('the leader stalled with SIGSTOP for 15 s (no RST, no answers) and resumed: every acknowledged event arrives', async () => {
    const { files, topic, sendWhile } = await pipeline('stall');
    const leader = await kafka.leaderOf(topic, 0);
    const { acked, statuses } = await sendWhile(
      (async () => {
        await sleep(2000);
        kafka.pause(leader);
        await sleep(15000);
        kafka.resume(leader);
        await sleep(3000);
      })(),
    );
    expect(statuses.filter((s) => s !== 200)).to.deep.equal([]);
    await allArrive(files, acked, topic, running);
  });

  it('each node restarted politely in turn (SIGTERM, controlled shutdown), as in a rolling upgrade: every acknowledged event arrives', async () => {
    const { files, topic, sendWhile } = await pipeline('rolling');
    const { acked, statuses } = await sendWhile(
      (async () => {
        for (const id of kafka.nodeIds) {
          await kafka.kill(id, 'SIGTERM');
          await kafka.restart(id);
          await sleep(3000);
        }
      })(),
    );
    expect(statuses.filter((s) => s !== 200)).to.deep.equal([]);
    await allArrive(files, acked, topic, running);
  });
});
