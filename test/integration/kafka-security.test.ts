// bus.kafka.tls and bus.kafka.sasl against a real Kafka's SASL_SSL listener (SCRAM-SHA-512, a
// certificate signed by a CA made for the test): real ingress and worker processes deliver through
// it; a wrong password or an untrusted certificate stops them at start-up with an error naming the
// setting, and what the ingress had accepted before (in its spool) is still delivered afterwards.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaForwarderYaml } from '../support/kafka-forwarder-yaml.ts';
import { startKafka, type KafkaCluster } from '../support/start-kafka.ts';
import { eventually, postSigned } from '../support/signed-request.ts';
import { closedPort, fileSinkBodies, runCli, startForwarder, writeConfig, type Forwarder, type ForwarderFiles } from '../support/start-forwarder.ts';

const SECRET = 'kafka-security-secret';
const run = `sec${Date.now().toString(36)}`;

function event(n: number): string {
  return JSON.stringify({ event: 'meeting.participant_qos', event_ts: Date.now(), payload: { account_id: 'acc', object: { uuid: `m-${n}==`, participant: { user_id: '1', n, qos: [] } } } });
}

const delivered = (files: ForwarderFiles): string[] => fileSinkBodies(files.eventsFile);

describe('Kafka over SASL_SSL (real broker: SCRAM-SHA-512 and TLS with a test CA)', function () {
  this.timeout(180000);
  let kafka: KafkaCluster;
  const running: Forwarder[] = [];
  before(async function () {
    this.timeout(180000);
    kafka = await startKafka({ secure: true, topics: [{ name: `${run}.events`, partitions: 3 }, { name: `${run}.dlq`, partitions: 1 }] });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((f) => (f.child.exitCode === null ? f.stop('SIGKILL') : undefined)));
  });
  after(async () => {
    await kafka?.stop();
  });

  /** forwarder.yaml on the SASL_SSL listener; `brokers` and `password` replace the right ones. */
  function secureConfig(files: ForwarderFiles, o: { brokers?: string[]; caFile?: string } = {}): void {
    const secure = kafka.secure!;
    const tls = `    tls:\n      ca_file: ${o.caFile ?? secure.caFile}\n`;
    const sasl = `    sasl:\n      mechanism: scram-sha-512\n      username: ${secure.user.username}\n      password: \${KAFKA_PASSWORD}\n`;
    writeFileSync(
      files.config,
      kafkaForwarderYaml({
        dir: files.dir,
        brokers: o.brokers ?? secure.brokers,
        topic: `${run}.events`,
        dlqTopic: `${run}.dlq`,
        groupPrefix: run,
        kafka: `${tls}${sasl}    connection_timeout_ms: 10000\n    consumer:\n      session_timeout_ms: 6000\n      heartbeat_interval_ms: 500\n`,
        extra: 'worker:\n  max_batch_events: 20\n',
      }),
    );
  }

  async function start(files: ForwarderFiles, role: 'ingress' | 'worker', password: string): Promise<Forwarder> {
    const f = await startForwarder(files, { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET, KAFKA_PASSWORD: password }, 60000, role);
    running.push(f);
    return f;
  }

  async function send(ingress: Forwarder, from: number, count: number): Promise<string[]> {
    const acked: string[] = [];
    for (let n = from; n < from + count; n++) {
      const body = event(n);
      const res = await postSigned(`${ingress.url}/webhooks/zoom`, body, { secret: SECRET });
      expect(res.status, `event ${n}`).to.equal(200);
      acked.push(body);
    }
    return acked;
  }

  it('ingress and worker deliver every accepted event through the SASL_SSL listener', async () => {
    const files = writeConfig();
    secureConfig(files);
    await start(files, 'worker', kafka.secure!.user.password);
    const ingress = await start(files, 'ingress', kafka.secure!.user.password);
    const acked = await send(ingress, 0, 30);
    await eventually(() => (acked.every((b) => delivered(files).includes(b)) ? true : undefined), 60000, 200);
    const metrics = await (await fetch(`${ingress.adminUrl}/metrics`)).text();
    expect(metrics, 'sent to Kafka directly, not spooled').to.not.match(/qss_forwarder_spool_writes_total\{[^}]*\} [1-9]/);
  });

  it('a wrong password: ingress and worker exit 1 at start-up naming bus.kafka.sasl; the events spooled before are delivered once it is right', async () => {
    const files = writeConfig();
    // First Kafka cannot be reached at all: the ingress accepts into its spool.
    secureConfig(files, { brokers: [`127.0.0.1:${await closedPort()}`] });
    const away = await start(files, 'ingress', kafka.secure!.user.password);
    const acked = await send(away, 100, 10);
    expect(await away.stop('SIGTERM')).to.equal(0);

    // Then the right brokers with the wrong password: both roles refuse to start, naming the setting.
    secureConfig(files);
    for (const role of ['ingress', 'worker'] as const) {
      const refused = await runCli([role, '--config', files.config, '--sinks', files.sinks], { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET, KAFKA_PASSWORD: 'not-the-password' }, 60000);
      expect(refused.code, `${role}: ${refused.stderr}`).to.equal(1);
      if (process.env.SHOW) console.log(refused.stderr);
      expect(refused.stderr).to.include('ZQ_ERR_KAFKA_AUTH');
      expect(refused.stderr).to.include('bus.kafka.sasl');
      expect(refused.stderr, 'never the password').to.not.include('not-the-password');
    }

    // The right password: the spool drains to Kafka, the worker delivers all of it.
    await start(files, 'worker', kafka.secure!.user.password);
    await start(files, 'ingress', kafka.secure!.user.password);
    await eventually(() => (acked.every((b) => delivered(files).includes(b)) ? true : undefined), 60000, 200);
  });

  it('a CA that did not sign the brokers\' certificate: exit 1 at start-up naming bus.kafka.tls.ca_file', async () => {
    const files = writeConfig();
    const otherCa = join(files.dir, 'other-ca.pem');
    // A valid CA certificate, but not the one that signed the brokers' certificate.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=another CA', '-keyout', join(files.dir, 'other-ca.key'), '-out', otherCa], { stdio: 'ignore' });
    secureConfig(files, { caFile: otherCa });
    const refused = await runCli(['ingress', '--config', files.config, '--sinks', files.sinks], { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET, KAFKA_PASSWORD: kafka.secure!.user.password }, 60000);
    expect(refused.code, refused.stderr).to.equal(1);
    if (process.env.SHOW) console.log(refused.stderr);
    expect(refused.stderr).to.include('ZQ_ERR_KAFKA_TLS');
    expect(refused.stderr).to.include('bus.kafka.tls.ca_file');
  });
});
