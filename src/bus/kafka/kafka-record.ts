// Bus records ⇄ Kafka messages. Pure. The value is Zoom's body byte-for-byte (any other consumer of
// the topic can read it); our metadata travels in headers; the key keeps one meeting (webinar,
// session, call) on one partition, in order.
import type { BusRecord, BusRecordMeta, DeadLetterInfo, PublishRequest } from '../bus.ts';
import { kafkaHeadersToMeta, META_HEADERS, metaToKafkaHeaders } from '../record-meta.ts';

export const HEADER_SCHEMA_VERSION = '1';

export const H = {
  schema: 'qss-schema',
  ...META_HEADERS,
  dlqSink: 'qss-dlq-sink',
  dlqReason: 'qss-dlq-reason',
  dlqAttempts: 'qss-dlq-attempts',
  dlqTopic: 'qss-dlq-topic',
  dlqPartition: 'qss-dlq-partition',
  dlqOffset: 'qss-dlq-offset',
  dlqAt: 'qss-dlq-at',
} as const;

export interface OutgoingMessage {
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

export interface IncomingMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
  offset: string;
}

export type Decoded = { ok: true; record: BusRecord } | { ok: false; reason: string };

export function metaToHeaders(meta: BusRecordMeta): Record<string, string> {
  return metaToKafkaHeaders(meta, { [H.schema]: HEADER_SCHEMA_VERSION });
}

export function publishRequestToMessage(request: PublishRequest): OutgoingMessage {
  return { key: request.meta.instanceKey ?? null, value: request.body, headers: metaToHeaders(request.meta) };
}

function header(message: IncomingMessage, name: string): string | undefined {
  const v = message.headers?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : first.toString();
}

/** A Kafka message → a bus record, or why it cannot be one (it then goes to the dead-letter topic). */
export function messageToBusRecord(topic: string, partition: number, message: IncomingMessage): Decoded {
  const id = `${topic}/${partition}/${message.offset}`;
  if (message.value === null || message.value.length === 0) return { ok: false, reason: 'undecodable:empty_value' };
  const schema = header(message, H.schema);
  if (schema !== HEADER_SCHEMA_VERSION) return { ok: false, reason: `undecodable:schema_${schema ?? 'missing'}` };
  const meta = kafkaHeadersToMeta((name) => header(message, name), message.key === null ? undefined : message.key.toString());
  if (meta === undefined) return { ok: false, reason: 'undecodable:missing_headers' };
  return { ok: true, record: { id, body: message.value, meta } };
}

/** Where a dead-lettered record came from and why: headers added to the original ones. */
export function deadLetterHeaders(source: { topic: string; partition: number; offset: string }, info: DeadLetterInfo, nowMs: number): Record<string, string> {
  return {
    [H.dlqSink]: info.consumer,
    [H.dlqReason]: info.reason,
    [H.dlqAttempts]: String(info.attempts),
    [H.dlqTopic]: source.topic,
    [H.dlqPartition]: String(source.partition),
    [H.dlqOffset]: source.offset,
    [H.dlqAt]: new Date(nowMs).toISOString(),
  };
}

export function parseRecordId(id: string): { topic: string; partition: number; offset: string } | undefined {
  const m = /^(.+)\/([0-9]+)\/([0-9]+)$/.exec(id);
  return m ? { topic: m[1]!, partition: Number(m[2]), offset: m[3]! } : undefined;
}
