import { expect } from 'chai';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFileSink, createFileSink } from '../../../../src/sinks/file/create-file-sink.ts';
import { checkSinkStart } from '../../../../src/sinks/sink-registry.ts';
import type { StdoutSinkConfig } from '../../../../src/sinks/stdout/stdout-sink-config.ts';
import type { BusRecord } from '../../../../src/bus/bus.ts';
import { sinkConfig } from '../../../support/pipeline-deps.ts';
import type { FileSinkConfig } from '../../../../src/sinks/file/file-sink-config.ts';

const events = (...records: BusRecord[]) => ({ events: records.map((record) => ({ record, body: record.body.toString('utf8'), pii_changed: 0 })), points: [], pointRecords: [] });

const record = (id: number, body: string): BusRecord => ({
  id: String(id),
  body: Buffer.from(body),
  meta: { app: 'default', event: 'meeting.participant_qos', accountId: 'acc', instanceKey: 'u==', receivedAt: Date.UTC(2026, 10, 27, 12, 0, 0), requestId: 'req-1' },
});

describe('file sink', () => {
  const signal = { stop: new AbortController().signal, abort: new AbortController().signal };

  it('appends one JSON line per event with metadata and the verbatim body', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'qssf-file-')), 'nested/dir/events.jsonl');
    const sink = createFileSink('archive', sinkConfig<FileSinkConfig>({ type: 'file', path, fsync: true }));
    const pretty = '{\n  "event": "meeting.participant_qos",\n  "x": "é"\n}';
    expect(await sink.write(events(record(1, pretty), record(2, '{"event":"b"}')), signal)).to.deep.equal({ status: 'success' });
    await sink.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines).to.have.length(3);
    expect(lines[2]).to.equal('');
    expect(JSON.parse(lines[0]!)).to.deep.equal({
      id: '1', received_at: '2026-11-27T12:00:00.000Z', app: 'default', event: 'meeting.participant_qos', account_id: 'acc',
      instance_key: 'u==', request_id: 'req-1', tracking_id: null, body: pretty,
    });
  });

  it('starts on a fresh line after a partial last line left by a crash', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'qssf-file-')), 'events.jsonl');
    writeFileSync(path, '{"id":"1"}\n{"id":"2","trunc');
    const sink = createFileSink('archive', sinkConfig<FileSinkConfig>({ type: 'file', path, fsync: false }));
    await sink.write(events(record(3, '{}')), signal);
    await sink.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines[1]).to.equal('{"id":"2","trunc');
    expect(JSON.parse(lines[2]!).id).to.equal('3');
  });

  it('a path that is a directory is retryable (EISDIR)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qssf-file-'));
    const sink = createFileSink('archive', sinkConfig<FileSinkConfig>({ type: 'file', path: dir, fsync: true }));
    expect(await sink.write(events(record(1, '{}')), signal)).to.deep.equal({ status: 'retryable', reason: 'file_EISDIR' });
  });

  it('creates a new file owner-only (0600) and its missing folders owner-only (0700); an existing file keeps its mode', async () => {
    const base = mkdtempSync(join(tmpdir(), 'qssf-file-'));
    const path = join(base, 'new/nested/events.jsonl');
    const sink = createFileSink('archive', sinkConfig<FileSinkConfig>({ type: 'file', path, fsync: false }));
    await sink.write(events(record(1, '{}')), signal);
    await sink.close();
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    expect([statSync(join(base, 'new')).mode & 0o777, statSync(join(base, 'new/nested')).mode & 0o777]).to.deep.equal([0o700, 0o700]);
    const existing = join(base, 'existing.jsonl');
    writeFileSync(existing, '', { mode: 0o640 });
    expect(await checkFileSink(sinkConfig<FileSinkConfig>({ type: 'file', path: existing }))).to.equal(undefined);
    expect(statSync(existing).mode & 0o777).to.equal(0o640);
  });
});

describe('checkSinkStart (file sink)', () => {
  it('names the sink, the path and the reason when the file cannot be opened (a folder that is a file)', async () => {
    expect(await checkSinkStart('events_file', sinkConfig<FileSinkConfig>({ type: 'file', path: '/dev/null/events.jsonl' }))).to.deep.equal([
      'sinks.events_file.path: cannot open /dev/null/events.jsonl for appending: /dev/null is not a folder',
    ]);
  });
  it('answers for a folder that cannot be created under /proc (a recursive mkdir there never returns)', async () => {
    expect(await checkSinkStart('events_file', sinkConfig<FileSinkConfig>({ type: 'file', path: '/proc/qssf-no-such/dir/events.jsonl' }))).to.deep.equal([
      'sinks.events_file.path: cannot open /proc/qssf-no-such/dir/events.jsonl for appending: cannot create the folder /proc/qssf-no-such (ENOENT: no such file or directory)',
    ]);
  });
  it('creates the file (0600) when it can, and has nothing to say', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'qssf-file-')), 'sub/events.jsonl');
    expect(await checkSinkStart('events_file', sinkConfig<FileSinkConfig>({ type: 'file', path }))).to.deep.equal([]);
    expect(statSync(path).mode & 0o777).to.equal(0o600);
  });
  it('has nothing to check for sinks without local resources', async () => {
    expect(await checkSinkStart('console', sinkConfig<StdoutSinkConfig>({ type: 'stdout' }))).to.deep.equal([]);
  });
});

