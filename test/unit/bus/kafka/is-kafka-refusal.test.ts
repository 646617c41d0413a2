// What the spool drain may set aside: only Kafka refusing the records themselves — never a broker
// it cannot reach, whatever kafkajs calls it (found by the broker-down soak run: a connection error
// wrapped in KafkaJSNonRetriableError set an acknowledged event aside).
import { expect } from 'chai';
import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSRequestTimeoutError } from 'kafkajs';
import { isKafkaRefusal, kafkaErrorType } from '../../../../src/bus/kafka/is-kafka-refusal.ts';

// kafkajs's JS constructors take options its type declarations leave out.
const Protocol = KafkaJSProtocolError as unknown as new (e: object, options: { retriable: boolean }) => Error;
const NonRetriable = KafkaJSNonRetriableError as unknown as new (e: Error, options: { cause: Error }) => Error;
const RetriesExceeded = KafkaJSNumberOfRetriesExceeded as unknown as new (e: Error, options: { retryCount: number; retryTime: number }) => Error;
const protocol = (type: string, retriable: boolean): Error => new Protocol({ message: type, type, code: 10, retriable }, { retriable });
const wrapped = (e: Error): Error => new NonRetriable(e, { cause: e });

describe('isKafkaRefusal', () => {
  it('is true for a broker refusing the records (also when kafkajs wraps it)', () => {
    for (const type of ['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'TOPIC_AUTHORIZATION_FAILED']) {
      expect(isKafkaRefusal(protocol(type, false)), type).to.equal(true);
      expect(isKafkaRefusal(wrapped(protocol(type, false))), `wrapped ${type}`).to.equal(true);
    }
    expect(kafkaErrorType(wrapped(protocol('MESSAGE_TOO_LARGE', false)))).to.equal('MESSAGE_TOO_LARGE');
  });

  it('is false for a broker that cannot be reached, however kafkajs reports it', () => {
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    expect(isKafkaRefusal(refused)).to.equal(false);
    expect(isKafkaRefusal(wrapped(refused))).to.equal(false); // what the soak run met
    expect(isKafkaRefusal(new RetriesExceeded(refused, { retryCount: 5, retryTime: 1000 }))).to.equal(false);
    expect(isKafkaRefusal(new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out'))).to.equal(false);
    expect(kafkaErrorType(wrapped(refused))).to.equal('KafkaJSConnectionError');
  });

  it('is false for broker errors that are about the cluster, not the records, and for anything unknown', () => {
    for (const type of ['NOT_LEADER_FOR_PARTITION', 'REQUEST_TIMED_OUT', 'NOT_ENOUGH_REPLICAS', 'UNKNOWN_TOPIC_OR_PARTITION']) expect(isKafkaRefusal(protocol(type, true)), type).to.equal(false);
    expect(isKafkaRefusal(new Error('boom'))).to.equal(false);
    expect(isKafkaRefusal(undefined)).to.equal(false);
  });
});
