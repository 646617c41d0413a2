// The @platformatic/kafka side of the client seam, at its pure parts: the partitioner (records of
// one meeting must land on the partition kafkajs put them on, or a switch reorders them), the
// bootstrap rotation, and its nested error shapes read by the refusal and access checks.
import { expect } from 'chai';
import { AuthenticationError, MultipleErrors, NetworkError, ProtocolError, TimeoutError } from '@platformatic/kafka';
import { Partitioners } from 'kafkajs';
import { isKafkaRefusal, kafkaErrorType } from '../../../../src/bus/kafka/is-kafka-refusal.ts';
import { kafkaAccessProblem } from '../../../../src/bus/kafka/kafka-access-problem.ts';
import type { KafkaBusConfig } from '../../../../src/bus/kafka/kafka-bus-config.ts';
import { kafkajsPartitioner, platformaticBaseOptions } from '../../../../src/bus/kafka/platformatic-options.ts';

describe('platformatic client: partitioner', () => {
  it('puts every key on the partition kafkajs\'s default partitioner does', () => {
    const ours = kafkajsPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    let compared = 0;
    for (const count of [1, 3, 12, 50]) {
      const partitionMetadata = Array.from({ length: count }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
      for (let i = 0; i < 2000; i++) {
        const key = i % 2 === 0 ? `meeting-${i}==` : `${(i * 2654435761) % 1e9}/${i}`;
        const expected = theirs({ topic: 't', partitionMetadata, message: { key, value: null } });
        expect(ours({ topic: 't', key, value: Buffer.alloc(0) }, Buffer.from(key), { metadata: undefined }) % count, key).to.equal(expected);
        compared++;
      }
    }
    expect(compared).to.equal(8000);
  });

  it('spreads records without a key round-robin', () => {
    const ours = kafkajsPartitioner();
    const seen = Array.from({ length: 6 }, () => ours({ topic: 't', value: Buffer.alloc(0) }, undefined, { metadata: undefined }) % 3);
    expect(seen).to.deep.equal([0, 1, 2, 0, 1, 2]);
  });
});

describe('platformatic client: options', () => {
  const config = { brokers: ['a:9092', 'b:9092', 'c:9092'], client_id: 'x', connection_timeout_ms: 3000, request_timeout_ms: 10000, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } } as KafkaBusConfig;
  it('asks the next bootstrap broker first after each failure, and maps the SASL mechanism', () => {
    expect(platformaticBaseOptions(config, 0).bootstrapBrokers).to.deep.equal(['a:9092', 'b:9092', 'c:9092']);
    expect(platformaticBaseOptions(config, 1).bootstrapBrokers).to.deep.equal(['b:9092', 'c:9092', 'a:9092']);
    expect(platformaticBaseOptions(config, 5).bootstrapBrokers).to.deep.equal(['c:9092', 'a:9092', 'b:9092']);
    expect(platformaticBaseOptions(config).sasl).to.deep.equal({ mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' });
    expect(platformaticBaseOptions(config)).to.include({ retries: 0, autocreateTopics: false, requestTimeout: 10000 });
  });
});

describe('platformatic client: its errors', () => {
  const nested = (inner: Error): Error => new MultipleErrors('Producing messages failed.', [new MultipleErrors('Received response with error while executing API Produce(v11)', [inner])]);
  it('a broker\'s refusal inside nested MultipleErrors is a refusal, named by its type', () => {
    const err = nested(new ProtocolError('MESSAGE_TOO_LARGE'));
    expect(isKafkaRefusal(err)).to.equal(true);
    expect(kafkaErrorType(err)).to.equal('MESSAGE_TOO_LARGE');
  });
  it('a broker that cannot be reached, a timeout, or a retriable broker error is not', () => {
    expect(isKafkaRefusal(nested(new NetworkError('Connection to a:9092 failed.')))).to.equal(false);
    expect(isKafkaRefusal(new TimeoutError('Request timed out'))).to.equal(false);
    expect(isKafkaRefusal(nested(new ProtocolError('NOT_LEADER_OR_FOLLOWER')))).to.equal(false);
  });
  it('a refused password names bus.kafka.sasl; a certificate not trusted names bus.kafka.tls.ca_file', () => {
    const auth = new MultipleErrors('Cannot connect to any broker.', [new NetworkError('Connection to a:9092 failed.', { cause: new AuthenticationError('SASL authentication failed.') })]);
    expect(kafkaAccessProblem(auth, { sasl: { mechanism: 'scram-sha-512', username: 'qss', password: 'x' } })?.code).to.equal('ZQ_ERR_KAFKA_AUTH');
    const tls = new NetworkError('Connection to a:9092 failed.', { cause: Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }) });
    expect(kafkaAccessProblem(tls, { tls: { ca_file: '/ca.pem', reject_unauthorized: true } })?.message).to.include('bus.kafka.tls.ca_file (/ca.pem)');
    expect(kafkaAccessProblem(nested(new NetworkError('Connection closed')), {})).to.equal(undefined);
  });
});
