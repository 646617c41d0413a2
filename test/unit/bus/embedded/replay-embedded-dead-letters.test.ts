import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestBus, testBusConfig } from '../../../support/embedded-bus.ts';
import { replayEmbeddedDeadLetters } from '../../../../src/bus/embedded/replay-embedded-dead-letters.ts';
import { SUCCESS } from '../../../../src/delivery/delivery-result.ts';
import { startSinkConsumer } from '../../../../src/worker/start-sink-consumer.ts';
import type { Sink } from '../../../../src/sinks/sink.ts';
import { passThroughDeps } from '../../../support/pipeline-deps.ts';
import { eventually } from '../../../support/signed-request.ts';
import { freshMetrics, silentLogger } from '../../../support/test-deps.ts';

function recordingSink(name: string): Sink & { got: string[] } {
  const got: string[] = [];
  return { name, type: 'test', got, write: async ({ events }) => (got.push(...events.map((e) => e.body)), SUCCESS), close: async () => {} };
}

describe('replay of embedded dead letters', () => {
  it('moves matching dead letters back, for the sink that refused them only', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'qssf-replay-')), 'bus.sqlite');
    const config = testBusConfig(path, { retention: { max_age_hours: 1, max_size_mb: 10 } });
    let bus = openTestBus({ config, logger: silentLogger, metrics: freshMetrics() });
    const meta = { app: 'default', event: 'e', receivedAt: Date.now() };
    await bus.deadLetter({ id: '1', body: Buffer.from('{"n":1}'), meta }, { consumer: 'a', reason: 'http_400', attempts: 1 });
    await bus.deadLetter({ id: '2', body: Buffer.from('{"n":2}'), meta }, { consumer: 'b', reason: 'http_400', attempts: 1 });
    await bus.deadLetter({ id: '3', body: Buffer.from('{"n":3}'), meta }, { consumer: 'a', reason: 'http_413', attempts: 1 });
    await bus.close();

    expect(replayEmbeddedDeadLetters(path, { sink: 'a', sinceMs: Date.now() + 3600_000 })).to.deep.equal({ scanned: 3, replayed: 0, skipped: { filtered: 3, undecodable: 0 } });
    expect(replayEmbeddedDeadLetters(path, { sink: 'a' })).to.deep.equal({ scanned: 3, replayed: 2, skipped: { filtered: 1, undecodable: 0 } });

    bus = openTestBus({ config, logger: silentLogger, metrics: freshMetrics() });
    await bus.publish({ body: Buffer.from('{"n":"after"}'), meta });
    const a = recordingSink('a');
    const b = recordingSink('b');
    const worker = { max_batch_events: 10, retry: { initial_backoff_ms: 1, max_backoff_ms: 2, max_attempts: 0 }, shutdown_grace_ms: 10, sinks_reload_interval_ms: 0, max_attribute_value_chars: 256 };
    const ha = startSinkConsumer({ ...passThroughDeps('a'), bus, sink: a, config: worker, logger: silentLogger, metrics: freshMetrics() });
    const hb = startSinkConsumer({ ...passThroughDeps('b'), bus, sink: b, config: worker, logger: silentLogger, metrics: freshMetrics() });
    await eventually(() => (a.got.length === 3 && b.got.length === 1 ? true : undefined));
    await Promise.all([ha.stop(10), hb.stop(10)]);
    await bus.close();
    expect(a.got).to.deep.equal(['{"n":1}', '{"n":3}', '{"n":"after"}']);
    expect(b.got).to.deep.equal(['{"n":"after"}']);
  });

  it('the Kafka ingress spool: what Kafka refused goes back to the drain, while the spool\'s owner runs', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'qssf-replay-')), 'spool.sqlite');
    const spool = openTestBus({ config: testBusConfig(path, { poll_interval_ms: 20 }), logger: silentLogger, metrics: freshMetrics(), setting: 'bus.kafka.spool.path' });
    const meta = { app: 'default', event: 'e', receivedAt: Date.now() };
    await spool.deadLetter({ id: '1', body: Buffer.from('{"n":1}'), meta }, { consumer: 'kafka-drain', reason: 'kafka_refused:MESSAGE_TOO_LARGE', attempts: 1 });
    const drained: { body: string; target: string | undefined }[] = [];
    const drain = spool.consume('kafka-drain', async (batch) => (drained.push(...batch.map((r) => ({ body: r.body.toString(), target: r.meta.targetSink }))), batch.length), { maxBatchEvents: 10 });
    expect(replayEmbeddedDeadLetters(path, {}, 'all')).to.deep.equal({ scanned: 1, replayed: 1, skipped: { filtered: 0, undecodable: 0 } });
    await eventually(() => (drained.length === 1 ? true : undefined));
    await drain.stop(0);
    await spool.close();
    expect(drained).to.deep.equal([{ body: '{"n":1}', target: undefined }]);
  });
});
