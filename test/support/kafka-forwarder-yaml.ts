// forwarder.yaml for a process on the Kafka bus, on free local ports, with its data in `dir`.
// Shared by the Kafka integration tests and bench/kafka. QSS_TEST_KAFKA_CLIENT=platformatic runs
// them on bus.kafka.client platformatic (the client comparison in docs/deploy.md).

/** The Kafka client the tests run the bus on. */
export const testKafkaClient = process.env.QSS_TEST_KAFKA_CLIENT === 'platformatic' ? 'platformatic' : 'kafkajs';

export interface KafkaForwarderYamlOptions {
  dir: string;
  brokers: readonly string[];
  topic: string;
  dlqTopic: string;
  groupPrefix: string;
  /** bus.kafka.client (default: testKafkaClient). */
  client?: 'kafkajs' | 'platformatic';
  /** Extra keys under bus.kafka (each line indented by four spaces). */
  kafka?: string;
  /** Extra top-level YAML appended at the end. */
  extra?: string;
}

export function kafkaForwarderYaml(o: KafkaForwarderYamlOptions): string {
  return `data_dir: ${o.dir}/data
server:
  host: 127.0.0.1
  port: 0
admin:
  host: 127.0.0.1
  port: 0
bus:
  type: kafka
  kafka:
    brokers: [${o.brokers.join(', ')}]
    topic: ${o.topic}
    dlq_topic: ${o.dlqTopic}
    group_prefix: ${o.groupPrefix}
    client: ${o.client ?? testKafkaClient}
    spool:
      path: ${o.dir}/data/spool.sqlite
${o.kafka ?? ''}${o.extra ?? ''}`;
}
