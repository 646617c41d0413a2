import { expect } from 'chai';
import { kafkaAccessProblem } from '../../../../src/bus/kafka/kafka-access-problem.ts';

const sasl = { mechanism: 'scram-sha-512' as const, username: 'qss', password: 'secret-password' };

describe('kafkaAccessProblem', () => {
  it('a SASL failure (kafkajs wraps it once its retries are spent) names bus.kafka.sasl and the user, never the password', () => {
    const root = Object.assign(new Error('SASL SCRAM SHA512 authentication failed: invalid credentials'), { name: 'KafkaJSSASLAuthenticationError' });
    const wrapped = Object.assign(new Error('Connection failed'), { name: 'KafkaJSNonRetriableError', cause: root });
    const p = kafkaAccessProblem(wrapped, { sasl });
    expect(p?.code).to.equal('ZQ_ERR_KAFKA_AUTH');
    expect(p?.message).to.include('bus.kafka.sasl').and.include('username qss').and.include('invalid credentials');
    expect(p?.message).to.not.include('secret-password');
  });

  it('a broker answering SASL_AUTHENTICATION_FAILED counts too', () => {
    const err = Object.assign(new Error('auth failed'), { name: 'KafkaJSProtocolError', type: 'SASL_AUTHENTICATION_FAILED' });
    expect(kafkaAccessProblem(err, {})?.message).to.include('no bus.kafka.sasl is set');
  });

  it('an untrusted certificate names bus.kafka.tls.ca_file, or the system CAs when none is set', () => {
    const err = Object.assign(new Error('Connection error: unable to verify the first certificate'), { name: 'KafkaJSConnectionError', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(kafkaAccessProblem(err, { tls: { ca_file: '/etc/ca.pem', reject_unauthorized: true } })).to.deep.include({ code: 'ZQ_ERR_KAFKA_TLS' });
    expect(kafkaAccessProblem(err, { tls: { ca_file: '/etc/ca.pem', reject_unauthorized: true } })?.message).to.include('bus.kafka.tls.ca_file (/etc/ca.pem)');
    expect(kafkaAccessProblem(err, {})?.message).to.include('the system CAs');
  });

  it('a broker that cannot be reached is not an access problem (the ingress spools, the worker waits)', () => {
    for (const code of ['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', undefined]) {
      const err = Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError', code });
      expect(kafkaAccessProblem(Object.assign(new Error('retries'), { name: 'KafkaJSNumberOfRetriesExceeded', cause: err }), { sasl }), String(code)).to.equal(undefined);
    }
    expect(kafkaAccessProblem('a string', {})).to.equal(undefined);
    expect(kafkaAccessProblem(undefined, {})).to.equal(undefined);
  });
});
