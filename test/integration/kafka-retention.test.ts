// A sink further behind than the topic keeps (Kafka deleted records it had not consumed yet): the
// worker says so — ZQ_ERR_RECORDS_EXPIRED in the log, qss_forwarder_consumer_offset_resets_total in
// /metrics — and goes on from the oldest record kept. A real Kafka broker and worker process; the
// records go by the topic's retention.bytes (whole segments deleted by the broker's log cleaner)
// and by DeleteRecords (an operator's kafka-delete-records).
import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { metaToHeaders } from '../../src/bus/kafka/kafka-record.ts';
import { kafkaForwarderYaml } from '../support/kafka-forwarder-yaml.ts';
import { sharedKafka, type KafkaCluster } from '../support/start-kafka.ts';
import { eventually } from '../support/signed-request.ts';
import { startForwarder, writeConfig, type Forwarder } from '../support/start-forwarder.ts';

const stamp = Date.now().toString(36);


describe('Kafka: records expired by the broker before a sink consumed them', function () {
  this.timeout(180000);
  let kafka: KafkaCluster;
  let worker: Forwarder | undefined;
  before(async function () {
    this.timeout(180000);
    kafka = await sharedKafka();
  });
  afterEach(async () => {
    await worker?.stop('SIGKILL');
    worker = undefined;
  });

  /** 5 records consumed, then 3000 more while the sink is away, then `expire` removes the oldest. */
  async function expiredWhileAway(name: string, topicConfig: Record<string, string>, expire: (admin: Admin, topic: string, high: number) => Promise<void>): Promise<void> {
    const run = `ret-${name}-${stamp}`;
    const topic = `${run}.events`;
    await kafka.createTopics([{ name: topic, partitions: 1, config: topicConfig }, { name: `${run}.dlq`, partitions: 1 }]);
    const files = writeConfig();
    const out = join(files.dir, 'out.jsonl');
    writeFileSync(files.sinks, `sinks:\n  f:\n    type: file\n    path: ${out}\n`);
    writeFileSync(files.config, kafkaForwarderYaml({ dir: files.dir, brokers: kafka.brokers, topic, dlqTopic: `${run}.dlq`, groupPrefix: run }));
    const lines = (): number => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter((l) => l !== '').length : 0);
    const client = new Kafka({ clientId: 'retention-test', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    const producer = client.producer();
    const admin = client.admin();
    await producer.connect();
    await admin.connect();
    const headers = metaToHeaders({ app: 'default', event: 'meeting.participant_qos', receivedAt: Date.now() });
    const body = (n: number, pad = ''): string => JSON.stringify({ event: 'meeting.participant_qos', event_ts: Date.now(), payload: { account_id: 'a', object: { uuid: 'm==', participant: { user_id: '1', n, pad, qos: [] } } } });
    try {
      // The sink consumes the first 5 records and commits; then it is stopped.
      await producer.send({ topic, messages: [0, 1, 2, 3, 4].map((n) => ({ value: body(n), headers })) });
      worker = await startForwarder(files, {}, 60000, 'worker');
      await eventually(() => (lines() >= 5 ? true : undefined), 30000);
      expect(lines()).to.equal(5);
      await worker.stop('SIGTERM');
      worker = undefined;
      // 7 MB more while it is away, in 1 MB produce requests.
      const pad = 'x'.repeat(2400);
      for (let batch = 0; batch < 18; batch++) await producer.send({ topic, messages: Array.from({ length: 166 }, (_, i) => ({ value: body(5 + batch * 166 + i, pad), headers })) });
      const [before] = await admin.fetchTopicOffsets(topic);
      await expire(admin, topic, Number(before!.high));
      const [offsets] = await admin.fetchTopicOffsets(topic);
      const low = Number(offsets!.low);
      const high = Number(offsets!.high);
      expect(low, "the broker no longer holds the sink's position (5)").to.be.above(5);

      worker = await startForwarder(files, {}, 60000, 'worker');
      const w = worker;
      const resets = async (): Promise<string> => (await (await fetch(`${w.adminUrl}/metrics`)).text()).match(/^qss_forwarder_consumer_offset_resets_total\{sink="f"\} (\S+)/m)?.[1] ?? '0';
      await eventually(async () => (Number(await resets()) >= 1 ? true : undefined), 60000, 200);
      expect(Number(await resets())).to.be.at.least(1);
      // The log's JSON records: the process's stderr can hold other lines too (on Node 24, Node's
      // TimeoutNegativeWarning for kafkajs 2.2.4's request queue, kafkajs issue #1751).
      const records = w.logs.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      const expired = records.find((l) => l.code === 'ZQ_ERR_RECORDS_EXPIRED');
      expect(expired).to.include({ sink: 'f', topic, partition: 0, level: 50 });
      // It went on from the oldest record kept: everything from there arrives, nothing before it.
      await eventually(() => (lines() >= 5 + (high - low) ? true : undefined), 60000, 200);
      expect(lines()).to.equal(5 + (high - low));
      const ns = readFileSync(out, 'utf8').split('\n').filter((l) => l !== '').map((l) => (JSON.parse((JSON.parse(l) as { body: string }).body) as { payload: { object: { participant: { n: number } } } }).payload.object.participant.n);
      expect(ns.slice(0, 5)).to.deep.equal([0, 1, 2, 3, 4]);
      expect(ns[5]).to.equal(low);
      expect(ns.at(-1)).to.equal(high - 1);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  }

  it('retention.bytes: the broker deletes whole old segments; the worker logs ZQ_ERR_RECORDS_EXPIRED, counts the reset, and goes on from the oldest record kept', async () => {
    // 1 MiB segments (the smallest Kafka 4 allows), 2 MiB kept: of the 7 MB written, the broker's
    // log cleaner (every second here) deletes the oldest segments.
    await expiredWhileAway('bytes', { 'segment.bytes': '1048576', 'retention.bytes': '2097152' }, async (admin, topic) => {
      // Until the cleaner has deleted something and then nothing more for 3 of its passes.
      let last = -1;
      let sameSince = Date.now();
      await eventually(async () => {
        const low = Number((await admin.fetchTopicOffsets(topic))[0]!.low);
        if (low !== last) [last, sameSince] = [low, Date.now()];
        return low > 5 && Date.now() - sameSince >= 3000 ? true : undefined;
      }, 60000, 250);
    });
  });

  it('DeleteRecords: the same when an operator deletes the records the sink had not consumed', async () => {
    await expiredWhileAway('delete', {}, async (admin, topic, high) => {
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: String(high - 100) }] });
    });
  });
});
