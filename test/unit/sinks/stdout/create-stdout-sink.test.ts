import { expect } from 'chai';
import { PassThrough, Writable } from 'node:stream';
import { createStdoutSink } from '../../../../src/sinks/stdout/create-stdout-sink.ts';
import type { BusRecord } from '../../../../src/bus/bus.ts';
import { sinkConfig } from '../../../support/pipeline-deps.ts';
import type { StdoutSinkConfig } from '../../../../src/sinks/stdout/stdout-sink-config.ts';

const events = (...records: BusRecord[]) => ({ events: records.map((record) => ({ record, body: record.body.toString('utf8'), pii_changed: 0 })), points: [], pointRecords: [] });

const record = (id: number): BusRecord => ({ id: String(id), body: Buffer.from(`{"event":"e${id}"}`), meta: { app: 'default', event: `e${id}`, receivedAt: 0 } });
const signal = { stop: new AbortController().signal, abort: new AbortController().signal };

describe('stdout sink', () => {
  it('writes one JSON line per event, in order', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const sink = createStdoutSink('console', sinkConfig<StdoutSinkConfig>({ type: 'stdout' }), out);
    expect(await sink.write(events(record(1), record(2)), signal)).to.deep.equal({ status: 'success' });
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; body: string });
    expect(lines.map((l) => [l.id, l.body])).to.deep.equal([['1', '{"event":"e1"}'], ['2', '{"event":"e2"}']]);
  });
  it('a failing stream is retryable', async () => {
    const broken = new Writable({ write: (_c, _e, cb) => cb(new Error('EPIPE')) });
    broken.on('error', () => undefined);
    const sink = createStdoutSink('console', sinkConfig<StdoutSinkConfig>({ type: 'stdout' }), broken);
    expect(await sink.write(events(record(1)), signal)).to.deep.equal({ status: 'retryable', reason: 'stdout_write_error' });
  });
});
