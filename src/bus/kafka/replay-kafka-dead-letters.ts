// `replay --from-dlq` on the Kafka bus (replay-filter.ts): reads the dead-letter topic up to its
// current end, re-produces matching records to the events topic with their original key and
// headers (the DLQ is a log: records stay there).
import type { Logger } from 'pino';
import { createKafkaClient } from './create-kafka-client.ts';
import type { KafkaBusConfig } from './kafka-bus-config.ts';
import { H } from './kafka-record.ts';
import type { ReplayFilter, ReplayResult } from '../replay-filter.ts';
import { createWholeBatchProducer, sendWholeBatch } from './send-whole-batch.ts';

function text(v: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  const first = Array.isArray(v) ? v[0] : v;
  return first?.toString();
}

export async function replayKafkaDeadLetters(config: KafkaBusConfig, filter: ReplayFilter, logger: Logger): Promise<ReplayResult> {
  const kafka = createKafkaClient(config, logger);
  const admin = kafka.admin();
  const producer = createWholeBatchProducer(kafka, { allowAutoTopicCreation: false });
  const groupId = `${config.group_prefix}.replay.${Date.now()}`;
  // No restart after a crash: a restarted consumer would read the topic again from the start.
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, retry: { retries: 5, restartOnFailure: async () => false } });
  const result: ReplayResult = { scanned: 0, replayed: 0, skipped: { filtered: 0, undecodable: 0 } };
  await admin.connect();
  try {
    const ends = (await admin.fetchTopicOffsets(config.dlq_topic)).filter((p) => BigInt(p.high) > BigInt(p.low));
    if (ends.length === 0) return result;
    const remaining = new Map(ends.map((p) => [p.partition, BigInt(p.high) - 1n]));
    await Promise.all([producer.connect(), consumer.connect()]);
    await consumer.subscribe({ topic: config.dlq_topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
      consumer
        .run({
          autoCommit: false,
          eachBatchAutoResolve: true,
          eachBatch: async ({ batch }) => {
            const out = [];
            for (const m of batch.messages) {
              const last = remaining.get(batch.partition);
              if (last === undefined || BigInt(m.offset) > last) continue; // arrived after the replay started
              result.scanned++;
              const headers = m.headers ?? {};
              const sink = text(headers[H.dlqSink]);
              const at = Date.parse(text(headers[H.dlqAt]) ?? '');
              if ((filter.sink !== undefined && sink !== filter.sink) || (filter.sinceMs !== undefined && !(at >= filter.sinceMs))) {
                result.skipped.filtered++;
              } else if (text(headers[H.schema]) === undefined) {
                result.skipped.undecodable++; // not ours to begin with: replaying would only dead-letter it again
              } else {
                const kept = Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith('qss-dlq-') && k !== H.targetSink));
                out.push({ key: m.key, value: m.value, headers: { ...kept, [H.targetSink]: sink ?? '' } });
              }
            }
            if (out.length > 0) await sendWholeBatch(producer, { acks: -1, topicMessages: [{ topic: config.topic, messages: out }] });
            result.replayed += out.length;
            const lastOffset = batch.messages.at(-1)?.offset;
            const last = remaining.get(batch.partition);
            if (lastOffset !== undefined && last !== undefined && BigInt(lastOffset) >= last) remaining.delete(batch.partition);
            if (remaining.size === 0) resolve();
          },
        })
        .catch(reject);
    });
    return result;
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await Promise.all([producer.disconnect(), admin.disconnect()]).catch(() => undefined);
  }
}
