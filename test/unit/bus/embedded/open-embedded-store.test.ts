import { expect } from 'chai';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openEmbeddedStore } from '../../../../src/bus/embedded/open-embedded-store.ts';

const open = (path: string) => openEmbeddedStore({ path, setting: 'bus.embedded.path', owner: 'serve', walLimitBytes: 1 << 20 });

describe('openEmbeddedStore', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'qssf-store-'))));

  it('creates missing folders 0700 and the store 0600 (WAL files too)', () => {
    const path = join(dir, 'a', 'b', 'bus.sqlite');
    const opened = open(path);
    expect(opened.ok).to.equal(true);
    if (!opened.ok) return;
    opened.db.prepare("INSERT INTO meta (key, value) VALUES ('x', 'y')").run();
    expect(statSync(join(dir, 'a')).mode & 0o777).to.equal(0o700);
    expect(statSync(join(dir, 'a', 'b')).mode & 0o777).to.equal(0o700);
    for (const f of [path, `${path}-wal`, `${path}-shm`]) expect(statSync(f).mode & 0o777, f).to.equal(0o600);
    opened.db.close();
    opened.lock.release();
  });

  it('a second opener is refused, naming the path, the setting and the holder', () => {
    const path = join(dir, 'bus.sqlite');
    const first = open(path);
    expect(first.ok).to.equal(true);
    const second = open(path);
    expect(second.ok).to.equal(false);
    if (!second.ok) {
      expect(second.problem.code).to.equal('ZQ_ERR_STORE_IN_USE');
      expect(second.problem.message).to.contain(`${path} (bus.embedded.path) is in use by another qss-forwarder: pid ${process.pid} (serve) on host`);
      expect(second.problem.message).to.contain('use the Kafka bus');
    }
    if (first.ok) {
      first.db.close();
      first.lock.release();
    }
  });

  it('a corrupt file: the path and how to recover, no stack', () => {
    const path = join(dir, 'bus.sqlite');
    writeFileSync(path, 'this is not a database, but it is long enough to have a header'.repeat(100));
    const opened = open(path);
    expect(opened.ok).to.equal(false);
    if (!opened.ok) {
      expect(opened.problem.code).to.equal('ZQ_ERR_STORE_CORRUPT');
      expect(opened.problem.message).to.contain(`${path} (bus.embedded.path) is not a usable SQLite database (file is not a database)`);
      expect(opened.problem.message).to.contain(`mv ${path} ${path}.corrupt`);
      expect(opened.problem.message).to.not.contain('    at ');
    }
    // Refused, it let go of the lock: once moved aside, a new store opens.
    expect(open(join(dir, 'other.sqlite')).ok).to.equal(true);
  });

  it('an unusable folder: "cannot create <path> (<setting>): <reason>", and no endless mkdir under /proc', () => {
    for (const [path, reason] of [
      ['/proc/qssf-test/data/bus.sqlite', /cannot create the folder \/proc\/qssf-test \(ENOENT: no such file or directory\)/],
      ['/dev/null/bus.sqlite', /\/dev\/null is not a folder/],
    ] as const) {
      const opened = open(path);
      expect(opened.ok, path).to.equal(false);
      if (!opened.ok) {
        expect(opened.problem.code).to.equal('ZQ_ERR_STORE_PATH');
        expect(opened.problem.message).to.match(new RegExp(`^cannot create ${path.replace(/[/.]/g, '\\$&')} \\(bus\\.embedded\\.path\\): `));
        expect(opened.problem.message).to.match(reason);
      }
    }
  });

  it('an older store gets the new tables, columns and counts of what it already holds', () => {
    const path = join(dir, 'bus.sqlite');
    const old = new Database(path);
    old.exec(`CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, received_at INTEGER NOT NULL, app TEXT NOT NULL, event TEXT NOT NULL,
      account_id TEXT, instance_key TEXT, request_id TEXT, tracking_id TEXT, body BLOB NOT NULL);
      CREATE TABLE consumers (name TEXT PRIMARY KEY, position INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      INSERT INTO events (received_at, app, event, body) VALUES (1, 'default', 'x', zeroblob(1000)), (2, 'default', 'x', zeroblob(500));
      INSERT INTO consumers VALUES ('a', 1, 1);`);
    old.close();
    const opened = open(path);
    expect(opened.ok).to.equal(true);
    if (!opened.ok) return;
    const stats = opened.db.prepare("SELECT rows, bytes FROM store_stats WHERE name = 'events'").get();
    expect(stats).to.deep.equal({ rows: 2, bytes: 1500 + 2 * 64 });
    expect(opened.db.prepare("SELECT seen_at FROM consumers WHERE name = 'a'").pluck().get()).to.be.closeTo(Date.now(), 60_000); // a full retired_consumer_hours from the upgrade
    opened.db.prepare("DELETE FROM events WHERE seq = 1").run();
    expect(opened.db.prepare("SELECT rows, bytes FROM store_stats WHERE name = 'events'").get()).to.deep.equal({ rows: 1, bytes: 564 });
    opened.db.close();
    opened.lock.release();
  });

  it('an older store gets every record column it lacks, in events and in dead_letters', () => {
    const path = join(dir, 'bus.sqlite');
    const old = new Database(path);
    old.exec(`CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, received_at INTEGER NOT NULL, app TEXT NOT NULL, event TEXT NOT NULL, body BLOB NOT NULL);
      CREATE TABLE dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT, consumer TEXT NOT NULL, reason TEXT NOT NULL, attempts INTEGER NOT NULL, dead_at INTEGER NOT NULL,
        seq INTEGER NOT NULL, received_at INTEGER NOT NULL, event TEXT NOT NULL, body BLOB NOT NULL);
      INSERT INTO dead_letters (consumer, reason, attempts, dead_at, seq, received_at, event, body) VALUES ('file', 'x', 1, 1, 1, 1, 'e', x'00');`);
    old.close();
    const opened = open(path);
    expect(opened.ok).to.equal(true);
    if (!opened.ok) return;
    const columns = (table: string) => opened.db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all();
    expect(columns('events')).to.deep.equal(['seq', 'received_at', 'app', 'event', 'body', 'account_id', 'instance_key', 'request_id', 'tracking_id', 'target_sink']);
    expect(columns('dead_letters')).to.include.members(['app', 'account_id', 'instance_key', 'request_id', 'tracking_id']).and.not.include('target_sink');
    // A required column added to rows already there gets an empty value, not a failed migration.
    expect(opened.db.prepare('SELECT app, request_id FROM dead_letters').get()).to.deep.equal({ app: '', request_id: null });
    opened.db.close();
    opened.lock.release();
  });
});
