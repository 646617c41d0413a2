// Group commit on its own: a real store, a condition the test sets.
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { PublishRequest } from '../../../../src/bus/bus.ts';
import { createGroupCommit, eventCost } from '../../../../src/bus/embedded/group-commit.ts';
import { openEmbeddedStore } from '../../../../src/bus/embedded/open-embedded-store.ts';
import type { StoreCondition } from '../../../../src/bus/embedded/store-condition.ts';
import { freshMetrics, metricValue } from '../../../support/test-deps.ts';

const request = (i: number): PublishRequest => ({ body: Buffer.from(`{"i":${i}}`), meta: { app: 'default', event: 'x', receivedAt: 1000 + i, requestId: `r${i}` } });

function setup(maxCommitEvents = 64) {
  const opened = openEmbeddedStore({ path: join(mkdtempSync(join(tmpdir(), 'qssf-gc-')), 'bus.sqlite'), setting: 'bus.embedded.path', owner: 'test', walLimitBytes: 1 << 20 });
  if (!opened.ok) throw new Error(opened.problem.message);
  const db: Database.Database = opened.db;
  const flags = { diskLow: false, waitingForSpace: false };
  const failures: number[] = [];
  let written = 0;
  const condition = {
    checkDisk: () => undefined,
    diskLow: () => flags.diskLow,
    waitingForSpace: () => flags.waitingForSpace,
    writeFailed: (_err: unknown, bytes: number) => void failures.push(bytes),
    eventsWritten: () => void written++,
  } as unknown as StoreCondition;
  const metrics = freshMetrics();
  const bytes: number[] = [];
  let flushes = 0;
  const writer = createGroupCommit({ db, maxCommitEvents, metrics, condition, storeFreeBytes: () => 0, onWritten: (b) => void bytes.push(b), onFlushed: () => void flushes++ });
  const rows = () => db.prepare('SELECT seq, request_id FROM events ORDER BY seq').all() as { seq: number; request_id: string }[];
  return { db, writer, flags, failures, bytes, metrics, rows, written: () => written, flushes: () => flushes, close: () => (db.close(), opened.lock.release()) };
}

describe('group commit', () => {
  it('publishes of one tick share one transaction: one commit, their ids in order, the bytes counted once', async () => {
    const t = setup();
    const requests = [1, 2, 3, 4, 5].map(request);
    const outcomes = await Promise.all(requests.map((r) => t.writer.write(r)));
    expect(outcomes).to.deep.equal(['1', '2', '3', '4', '5'].map((id) => ({ ok: true, id })));
    expect(t.rows().map((r) => r.request_id)).to.deep.equal(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(t.bytes).to.deep.equal([requests.reduce((n, r) => n + eventCost(r), 0)]);
    expect(t.written()).to.equal(1);
    expect(t.flushes()).to.equal(1);
    expect(await metricValue(t.metrics, 'qss_forwarder_bus_writes_total')).to.equal(5);
    t.close();
  });

  it('max_commit_events: a full batch is committed at once, the rest in transactions of at most that many', async () => {
    const t = setup(2);
    const first = t.writer.write(request(1));
    const second = t.writer.write(request(2)); // the batch is full: written now, before the tick ends
    expect(t.rows()).to.have.length(2);
    const rest = [3, 4, 5].map((i) => t.writer.write(request(i)));
    await Promise.all([first, second, ...rest]);
    expect(t.rows()).to.have.length(5);
    expect(t.written()).to.equal(3); // [1,2], [3,4], [5]
    t.close();
  });

  it('refuses without writing while the disk is low (disk_low) or after a write found it full (storage_error)', async () => {
    const t = setup();
    t.flags.diskLow = true;
    expect(await Promise.all([t.writer.write(request(1)), t.writer.write(request(2))])).to.deep.equal([
      { ok: false, reason: 'disk_low' },
      { ok: false, reason: 'disk_low' },
    ]);
    t.flags.diskLow = false;
    t.flags.waitingForSpace = true;
    expect(await t.writer.write(request(3))).to.deep.equal({ ok: false, reason: 'storage_error' });
    expect(t.rows()).to.deep.equal([]);
    expect(await metricValue(t.metrics, 'qss_forwarder_bus_write_failures_total', { reason: 'disk_low' })).to.equal(2);
    expect(await metricValue(t.metrics, 'qss_forwarder_bus_write_failures_total', { reason: 'storage_error' })).to.equal(1);
    t.close();
  });

  it('a failed transaction stores none of its events, tells the condition how many bytes failed, and refuses them all', async () => {
    const t = setup();
    t.db.exec("CREATE TRIGGER fail_second BEFORE INSERT ON events WHEN NEW.request_id = 'r2' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
    const requests = [1, 2, 3].map(request);
    const outcomes = await Promise.all(requests.map((r) => t.writer.write(r)));
    expect(outcomes.every((o) => !o.ok && o.reason === 'storage_error')).to.equal(true);
    expect(t.rows()).to.deep.equal([]); // all or nothing: r1 was rolled back with r2
    expect(t.failures).to.deep.equal([requests.reduce((n, r) => n + eventCost(r), 0)]);
    expect(t.bytes).to.deep.equal([]);
    expect(t.flushes(), 'consumers are woken after every flush').to.equal(1);
    t.close();
  });
});
