import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestBus, testBusConfig } from '../../support/embedded-bus.ts';
import { SUCCESS } from '../../../src/delivery/delivery-result.ts';
import { startSinkWorkers } from '../../../src/pipeline/start-sink-workers.ts';
import type { Sink } from '../../../src/sinks/sink.ts';
import { freshCache, sinksConfig } from '../../support/pipeline-deps.ts';
import { eventually } from '../../support/signed-request.ts';
import { freshMetrics, silentLogger } from '../../support/test-deps.ts';

const worker = { max_batch_events: 10, retry: { initial_backoff_ms: 1, max_backoff_ms: 2, max_attempts: 0 }, shutdown_grace_ms: 500, sinks_reload_interval_ms: 0, max_attribute_value_chars: 256 };

describe('startSinkWorkers', () => {
  it('apply: keeps unchanged sinks (new routes take effect), restarts changed ones at their position, starts new ones, stops removed ones', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'qssf-workers-')), 'bus.sqlite');
    const metrics = freshMetrics();
    const bus = openTestBus({ config: testBusConfig(path, { poll_interval_ms: 10, retention: { max_age_hours: 1, max_size_mb: 100 } }), logger: silentLogger, metrics });
    const got = new Map<string, string[]>();
    const created: string[] = [];
    const closed: string[] = [];
    const createSink = (name: string): Sink => {
      created.push(name);
      got.set(name, got.get(name) ?? []);
      return {
        name,
        type: 'test',
        write: async ({ events }) => (got.get(name)?.push(...events.map((e) => `${e.record.meta.event}#${e.record.id}`)), SUCCESS),
        close: async () => void closed.push(name),
      };
    };
    const publish = async (event: string): Promise<void> => void (await bus.publish({ body: Buffer.from(`{"event":"${event}"}`), meta: { app: 'default', event, receivedAt: Date.now() } }));
    const workers = startSinkWorkers({ bus, worker, cache: freshCache(), createSink, logger: silentLogger, metrics });

    const v1 = { sinks: { a: { type: 'file', path: 'a' }, b: { type: 'file', path: 'b' }, c: { type: 'file', path: 'c' } }, routes: [{ events: ['meeting.*'], sinks: ['a'] }, { sinks: ['b', 'c'] }] };
    expect(await workers.apply(sinksConfig(v1))).to.deep.equal({ started: ['a', 'b', 'c'], restarted: [], stopped: [], kept: [] });
    await publish('meeting.participant_qos');
    await publish('phone.call_qos');
    await eventually(() => (got.get('b')?.length === 2 && got.get('c')?.length === 2 && got.get('a')?.length === 1 ? true : undefined));

    // a: same settings, new route (phone now); b: changed settings; c: removed; d: new.
    const v2 = { sinks: { a: { type: 'file', path: 'a' }, b: { type: 'file', path: 'b', fsync: false }, d: { type: 'file', path: 'd' } }, routes: [{ events: ['phone.*'], sinks: ['a'] }, { sinks: ['b', 'd'] }] };
    expect(await workers.apply(sinksConfig(v2))).to.deep.equal({ started: ['d'], restarted: ['b'], stopped: ['c'], kept: ['a'] });
    expect(closed.sort()).to.deep.equal(['b', 'c']);
    expect(workers.running()).to.deep.equal(['a(test)', 'b(test)', 'd(test)']);
    await publish('meeting.participant_qos');
    await publish('phone.call_qos');
    await eventually(() => (got.get('b')?.length === 4 && got.get('d')?.length === 4 && got.get('a')?.length === 2 ? true : undefined));
    await workers.stop(100);
    await bus.close();
    expect(got.get('a')).to.deep.equal(['meeting.participant_qos#1', 'phone.call_qos#4']);
    expect(got.get('b')).to.deep.equal(['meeting.participant_qos#1', 'phone.call_qos#2', 'meeting.participant_qos#3', 'phone.call_qos#4']); // no loss, no repeat across the restart
    expect(got.get('c')).to.deep.equal(['meeting.participant_qos#1', 'phone.call_qos#2']);
    expect(got.get('d')).to.have.length(4); // a new sink starts at the oldest event still on the bus
    expect(closed.sort()).to.deep.equal(['a', 'b', 'b', 'c', 'd']);
  });
});
