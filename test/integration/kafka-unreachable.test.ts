// An ingress on the Kafka bus whose brokers cannot be reached (a closed port: no broker at all):
// it answers Zoom at once from its local spool, writes a few summarized lines instead of every
// kafkajs retry with its stack, owns its spool alone, says at shutdown what is still spooled and
// where, and `replay --from-spool` puts back what Kafka refused.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { kafkaForwarderYaml, testKafkaClient as client } from '../support/kafka-forwarder-yaml.ts';
import { closedPort, runCli, startForwarder, writeConfig, type Forwarder, type ForwarderFiles } from '../support/start-forwarder.ts';
import { eventually, postSigned } from '../support/signed-request.ts';

const SECRET = 'kafka-unreachable-secret';
const ENV = { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET };

async function unreachableKafka(): Promise<ForwarderFiles> {
  const files = writeConfig();
  const port = await closedPort();
  writeFileSync(files.config, kafkaForwarderYaml({ dir: files.dir, brokers: [`127.0.0.1:${port}`], topic: 'zoom.qss.events', dlqTopic: 'zoom.qss.dlq', groupPrefix: 'qssf' }));
  return files;
}

const parsed = (lines: string[]): Record<string, unknown>[] =>
  lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

describe('Kafka unreachable at start (real ingress process, no broker)', function () {
  this.timeout(60000);
  const running: Forwarder[] = [];
  const started = async (files: ForwarderFiles): Promise<Forwarder> => {
    const fwd = await startForwarder(files, ENV, 15000, 'ingress');
    running.push(fwd);
    return fwd;
  };
  afterEach(async () => {
    // A failed assertion must not leave an ingress behind (stop() twice is harmless).
    await Promise.all(running.splice(0).map((f) => (f.child.exitCode === null ? f.stop('SIGKILL') : undefined)));
  });

  it('answers at once from the spool; kafkajs retries become a few lines without stacks; shutdown says what is still spooled and where', async () => {
    const files = await unreachableKafka();
    const fwd = await started(files);
    const body = JSON.stringify({ event: 'meeting.participant_qos', payload: { account_id: 'a', object: { uuid: 'm-1' } } });
    const res = await postSigned(`${fwd.url}/webhooks/zoom`, body, { secret: SECRET });
    expect(res.status).to.equal(200);
    // kafkajs gives up its first connect after ~9 s of retries; the listener did not wait for that.
    await eventually(() => (fwd.logs.some((l) => l.includes('cannot connect to Kafka')) ? true : undefined), 30000, 200);
    const lines = parsed(fwd.logs);
    const listening = lines.findIndex((l) => l.msg === 'webhook listener started');
    const cannot = lines.findIndex((l) => String(l.msg).startsWith('cannot connect to Kafka'));
    // (@platformatic/kafka, with no retries inside the client, is refused at once: its failure can come
    // first without anything having waited for it.)
    if (client === 'kafkajs') expect(listening, 'the webhook listener opened before the first connect to Kafka had failed').to.be.lessThan(cannot);
    else expect(listening, 'the webhook listener opened').to.be.greaterThan(-1);
    const metrics = await (await fetch(`${fwd.adminUrl}/metrics`)).text();
    expect(metrics).to.match(/qss_forwarder_spool_writes_total\{reason="spooling"\} 1/);
    expect(fwd.logs.filter((l) => l.includes('"stack"')), 'no stack traces at the default log level').to.deep.equal([]);
    const kafkajs = lines.filter((l) => l.component === 'kafkajs' || l.component === 'platformatic-kafka');
    const kinds = new Set(kafkajs.map((l) => `${String(l.msg)}`));
    expect(kafkajs.length, 'each kind of kafkajs line once (then a count a minute)').to.equal(kinds.size);
    const code = await fwd.stop();
    expect(code).to.equal(0);
    const told = parsed(fwd.logs).find((l) => String(l.msg).startsWith('events are still in the local spool'));
    expect(told).to.include({ events: 1, spool: `${files.dir}/data/spool.sqlite` });
  });

  it('two ingress processes cannot share one spool', async () => {
    const files = await unreachableKafka();
    const first = await started(files);
    try {
      const second = await runCli(['ingress', '--config', files.config, '--sinks', files.sinks], ENV);
      expect(second.code).to.equal(1);
      const fatal = parsed(second.stderr.split('\n')).find((l) => l.level === 60);
      expect(fatal?.code).to.equal('ZQ_ERR_STORE_IN_USE');
      expect(String(fatal?.msg)).to.contain(`${files.dir}/data/spool.sqlite (bus.kafka.spool.path) is in use by another qss-forwarder: pid ${first.child.pid} (ingress)`);
    } finally {
      await first.stop();
    }
  });

  it('replay --from-spool puts what Kafka refused back into the spool, to be sent again', async () => {
    const files = await unreachableKafka();
    const fwd = await started(files);
    await fwd.stop();
    const spool = `${files.dir}/data/spool.sqlite`;
    const db = new Database(spool);
    db.prepare(
      `INSERT INTO dead_letters (consumer, reason, attempts, dead_at, seq, received_at, app, event, body)
       VALUES ('kafka-drain', 'kafka_refused:MESSAGE_TOO_LARGE', 1, ?, 7, ?, 'default', 'meeting.participant_qos', ?)`,
    ).run(Date.now(), Date.now(), Buffer.from('{"event":"meeting.participant_qos"}'));
    db.close();
    const replay = await runCli(['replay', '--from-spool', '--config', files.config, '--sinks', files.sinks]);
    expect(replay.code, replay.stderr).to.equal(0);
    expect(replay.stdout).to.contain(`replayed 1 of 1 dead letters of the spool ${spool}`);
    const after = new Database(spool, { readonly: true });
    const rows = after.prepare('SELECT (SELECT count(*) FROM dead_letters) AS dead, (SELECT count(*) FROM events WHERE target_sink IS NULL) AS spooled').get();
    after.close();
    expect(rows).to.deep.equal({ dead: 0, spooled: 1 });
    const wrong = await runCli(['replay', '--from-spool', '--sink', 'x', '--config', files.config, '--sinks', files.sinks]);
    expect(wrong.code).to.equal(2);
    expect(wrong.stderr).to.contain('--sink is for --from-dlq');
  });
});
