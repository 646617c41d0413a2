// A sink further behind than the topic keeps (Kafka's retention deleted records it had not consumed
// yet): the worker says so — ZQ_ERR_RECORDS_EXPIRED in the log, qss_forwarder_consumer_offset_resets_total
// in /metrics — and goes on from the oldest record kept. Real broker, real worker process. The mock
// cluster keeps ~5 MB per partition; on a real Kafka (KAFKA_BROKERS) DeleteRecords expires them.
import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { metaToHeaders } from '../../src/bus/kafka-record.ts';
import { kafkaForwarderYaml } from '../support/kafka-forwarder-yaml.ts';
import { startKafka, type KafkaFixture } from '../support/kafka-mock-cluster.ts';
import { eventually } from '../support/signed-request.ts';
import { startForwarder, writeConfig, type Forwarder } from '../support/start-forwarder.ts';

const run = `ret${Date.now().toString(36)}`;
const topic = `${run}.events`;


describe('Kafka: records expired by retention before a sink consumed them', function () {
  this.timeout(120000);
  let kafka: KafkaFixture | undefined;
  let worker: Forwarder | undefined;
  after(async () => {
    await worker?.stop('SIGKILL');
    await kafka?.stop();
  });

  it('logs ZQ_ERR_RECORDS_EXPIRED, counts the reset, and goes on from the oldest record kept', async () => {
    kafka = await startKafka({ topics: [{ name: topic, partitions: 1 }, { name: `${run}.dlq`, partitions: 1 }] });
    const files = writeConfig();
    const out = join(files.dir, 'out.jsonl');
    writeFileSync(files.sinks, `sinks:\n  f:\n    type: file\n    path: ${out}\n`);
    writeFileSync(files.config, kafkaForwarderYaml({ dir: files.dir, brokers: kafka.brokers, topic, dlqTopic: `${run}.dlq`, groupPrefix: run }));
    const lines = (): number => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter((l) => l !== '').length : 0);
    const client = new Kafka({ clientId: 'retention-test', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    const producer = client.producer();
    await producer.connect();
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
      // 7 MB more while it is away: more than the mock keeps; on a real Kafka, delete them.
      const pad = 'x'.repeat(2400);
      for (let batch = 0; batch < 6; batch++) await producer.send({ topic, messages: Array.from({ length: 500 }, (_, i) => ({ value: body(5 + batch * 500 + i, pad), headers })) });
      const admin = client.admin();
      await admin.connect();
      const [before] = await admin.fetchTopicOffsets(topic);
      if (kafka.external) await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: String(Number(before!.high) - 100) }] });
      const [offsets] = await admin.fetchTopicOffsets(topic);
      await admin.disconnect();
      const low = Number(offsets!.low);
      const high = Number(offsets!.high);
      expect(low, 'the broker no longer holds the sink\'s position (5)').to.be.above(5);

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
    }
  });
});
