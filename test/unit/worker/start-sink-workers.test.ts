import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestBus, testBusConfig } from '../../support/embedded-bus.ts';
import { SUCCESS } from '../../../src/delivery/delivery-result.ts';
import { startSinkWorkers } from '../../../src/worker/start-sink-workers.ts';
import type { SinkConfig } from '../../../src/sinks/sink-registry.ts';
import type { Sink } from '../../../src/sinks/sink.ts';
import { freshCache, sinksConfig } from '../../support/pipeline-deps.ts';
import { eventually } from '../../support/signed-request.ts';
import { freshMetrics, silentLogger } from '../../support/test-deps.ts';

const worker = { max_batch_events: 10, retry: { initial_backoff_ms: 1, max_backoff_ms: 2, max_attempts: 0 }, shutdown_grace_ms: 500, sinks_reload_interval_ms: 0, max_attribute_value_chars: 256 };

function freshBus() {
  const path = join(mkdtempSync(join(tmpdir(), 'qssf-workers-')), 'bus.sqlite');
  const metrics = freshMetrics();
  const bus = openTestBus({ config: testBusConfig(path, { poll_interval_ms: 10, retention: { max_age_hours: 1, max_size_mb: 100 } }), logger: silentLogger, metrics });
  return { bus, metrics };
}

describe('startSinkWorkers', () => {
  it('apply: keeps unchanged sinks (new routes take effect), restarts changed ones at their position, starts new ones, stops removed ones', async () => {
    const { bus, metrics } = freshBus();
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
    const workers = startSinkWorkers({ bus, worker, cache: freshCache(), createSink, checkSink: async () => [], logger: silentLogger, metrics });

    const v1 = { sinks: { a: { type: 'file', path: 'a' }, b: { type: 'file', path: 'b' }, c: { type: 'file', path: 'c' } }, routes: [{ events: ['meeting.*'], sinks: ['a'] }, { sinks: ['b', 'c'] }] };
    expect(await workers.apply(sinksConfig(v1))).to.deep.equal({ ok: true, report: { started: ['a', 'b', 'c'], restarted: [], stopped: [], kept: [] } });
    await publish('meeting.participant_qos');
    await publish('phone.call_qos');
    await eventually(() => (got.get('b')?.length === 2 && got.get('c')?.length === 2 && got.get('a')?.length === 1 ? true : undefined));

    // a: same settings, new route (phone now); b: changed settings; c: removed; d: new.
    const v2 = { sinks: { a: { type: 'file', path: 'a' }, b: { type: 'file', path: 'b', fsync: false }, d: { type: 'file', path: 'd' } }, routes: [{ events: ['phone.*'], sinks: ['a'] }, { sinks: ['b', 'd'] }] };
    expect(await workers.apply(sinksConfig(v2))).to.deep.equal({ ok: true, report: { started: ['d'], restarted: ['b'], stopped: ['c'], kept: ['a'] } });
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

  it('apply: refuses the whole change, touching nothing running, when a new or changed sink cannot start', async () => {
    const { bus, metrics } = freshBus();
    const got = new Map<string, string[]>();
    const events: string[] = [];
    const createSink = (name: string): Sink => {
      events.push(`create ${name}`);
      got.set(name, got.get(name) ?? []);
      return { name, type: 'test', write: async (batch) => (got.get(name)?.push(...batch.events.map((e) => e.record.id)), SUCCESS), close: async () => void events.push(`close ${name}`) };
    };
    const checked: string[] = [];
    const checkSink = async (name: string, config: SinkConfig): Promise<string[]> => {
      checked.push(name);
      return config.type === 'file' && config.path.startsWith('/dev/null/') ? [`sinks.${name}.path: cannot open ${config.path} for appending (ENOTDIR: not a directory)`] : [];
    };
    const publish = async (): Promise<void> => void (await bus.publish({ body: Buffer.from('{"event":"meeting.participant_qos"}'), meta: { app: 'default', event: 'meeting.participant_qos', receivedAt: Date.now() } }));
    const workers = startSinkWorkers({ bus, worker, cache: freshCache(), createSink, checkSink, logger: silentLogger, metrics });

    expect(await workers.apply(sinksConfig({ sinks: { a: { type: 'file', path: 'a' }, b: { type: 'file', path: 'b' } } }))).to.deep.include({ ok: true });
    expect(checked).to.deep.equal(['a', 'b']);
    checked.length = 0;
    // a: unchanged, b: changed to an unwritable path, c: new and fine.
    const refused = await workers.apply(sinksConfig({ sinks: { a: { type: 'file', path: 'a' }, b: { type: 'file', path: '/dev/null/b' }, c: { type: 'file', path: 'c' } }, routes: [{ events: ['phone.*'], sinks: ['a'] }, { sinks: ['b', 'c'] }] }));
    expect(refused).to.deep.equal({ ok: false, problems: ['sinks.b.path: cannot open /dev/null/b for appending (ENOTDIR: not a directory)'] });
    expect(checked.sort()).to.deep.equal(['b', 'c']); // the unchanged sink is not checked again
    expect(events).to.deep.equal(['create a', 'create b']); // nothing stopped, nothing started
    expect(workers.running()).to.deep.equal(['a(test)', 'b(test)']);
    await publish(); // a's old route (every event) still holds: its new route (phone only) was refused with the rest
    await eventually(() => (got.get('a')?.length === 1 && got.get('b')?.length === 1 ? true : undefined));
    await workers.stop(100);
    await bus.close();
  });
});

