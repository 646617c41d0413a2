// Opens the SQLite file of an embedded store (the embedded bus, or the Kafka ingress's spool):
// its folder (created owner-only), the single-owner lock, the pragmas, the schema and its
// migrations, and the owner's name in the store for whoever is refused. Every way this can fail
// comes back as a problem naming the path, the setting and what to do — never a stack trace.
import { closeSync, existsSync, openSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateDirectory, errnoReason } from '../../files/ensure-private-directory.ts';
import { columnDefinition, columnDefinitions, metaColumnsOf } from '../record-meta.ts';
import { acquireStoreLock, type StoreLock } from './store-lock.ts';

export type StoreProblemCode = 'ZQ_ERR_STORE_PATH' | 'ZQ_ERR_STORE_IN_USE' | 'ZQ_ERR_STORE_CORRUPT';

export interface StoreProblem {
  code: StoreProblemCode;
  message: string;
}

export interface OpenStoreOptions {
  path: string;
  /** The config key the path comes from, named in every message (`bus.embedded.path`). */
  setting: string;
  /** Who opens it (`serve`, `ingress`, …), recorded for a process that is refused. */
  owner: string;
  /** Bytes the WAL file is cut back to after a checkpoint. */
  walLimitBytes: number;
}

export type OpenStoreOutcome = { ok: true; db: Database.Database; lock: StoreLock } | { ok: false; problem: StoreProblem };

/** What a stored row costs on top of its body, in the byte counts of events and dead letters. */
export const ROW_OVERHEAD_BYTES = 64;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
${columnDefinitions('events', '  ')}
);
CREATE TABLE IF NOT EXISTS consumers (
  name TEXT PRIMARY KEY,
  position INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  consumer TEXT NOT NULL,
  reason TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  dead_at INTEGER NOT NULL,
  seq INTEGER NOT NULL,
${columnDefinitions('dead_letters', '  ')}
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/**
 * Rows and bytes of events and of dead letters, kept by triggers in the same transactions as the
 * rows themselves — whichever process writes them (\`replay\` too) — so the size caps never need a
 * scan. Made (and counted once from the rows) in one transaction for a store that predates them.
 */
function tableStats(table: 'events' | 'dead_letters'): string {
  const cost = (row: string): string => `(length(${row}.body) + ${ROW_OVERHEAD_BYTES})`;
  return `
INSERT OR IGNORE INTO store_stats (name, rows, bytes) SELECT '${table}', count(*), coalesce(sum(${cost(table)}), 0) FROM ${table};
CREATE TRIGGER IF NOT EXISTS ${table}_added AFTER INSERT ON ${table} BEGIN
  UPDATE store_stats SET rows = rows + 1, bytes = bytes + ${cost('NEW')} WHERE name = '${table}';
END;
CREATE TRIGGER IF NOT EXISTS ${table}_removed AFTER DELETE ON ${table} BEGIN
  UPDATE store_stats SET rows = rows - 1, bytes = bytes - ${cost('OLD')} WHERE name = '${table}';
END;`;
}

function migrate(db: Database.Database): void {
  db.exec(SCHEMA);
  const columns = (table: string): string[] => db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[];
  db.transaction(() => {
    // Record fields newer than the store (target_sink: stores made before replay existed).
    for (const table of ['events', 'dead_letters'] as const) {
      const has = columns(table);
      for (const f of metaColumnsOf(table)) if (!has.includes(f.column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${columnDefinition(f, true)}`);
    }
    // When a process last consumed as this consumer: retention keeps a removed sink's events for a while.
    if (!columns('consumers').includes('seen_at')) {
      // Every consumer of a store made before this gets the whole retired_consumer_hours from now.
      db.exec('ALTER TABLE consumers ADD COLUMN seen_at INTEGER NOT NULL DEFAULT 0');
      db.prepare('UPDATE consumers SET seen_at = ?').run(Date.now());
    }
    db.exec('CREATE TABLE IF NOT EXISTS store_stats (name TEXT PRIMARY KEY, rows INTEGER NOT NULL, bytes INTEGER NOT NULL)');
    db.exec(tableStats('events'));
    db.exec(tableStats('dead_letters'));
  })();
}

interface OwnerRecord {
  pid: number;
  role: string;
  host: string;
  since: string;
}

/** The owner recorded in the store, for the message of a process that was refused. */
function describeOwner(path: string): string {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 1000 });
    try {
      const value = db.prepare("SELECT value FROM meta WHERE key = 'owner'").pluck().get() as string | undefined;
      if (value === undefined) return 'another process';
      const o = JSON.parse(value) as OwnerRecord;
      return `pid ${o.pid} (${o.role}) on host ${o.host}, since ${o.since}`;
    } finally {
      db.close();
    }
  } catch {
    return 'another process';
  }
}

const SQLITE_CORRUPT = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

function corrupt(path: string, setting: string, err: unknown): StoreProblem {
  return {
    code: 'ZQ_ERR_STORE_CORRUPT',
    message:
      `${path} (${setting}) is not a usable SQLite database (${errnoReason(err)}). To recover: stop every qss-forwarder that uses it; ` +
      `move it aside with its -wal and -shm files (mv ${path} ${path}.corrupt; mv ${path}-wal ${path}.corrupt-wal; mv ${path}-shm ${path}.corrupt-shm); ` +
      `start again, which creates a new, empty store. Events of the old file that were not yet delivered may be saved with \`sqlite3 ${path}.corrupt .recover\` ` +
      '(docs/errors.md, ZQ_ERR_STORE_CORRUPT).',
  };
}

export function openEmbeddedStore(options: OpenStoreOptions): OpenStoreOutcome {
  const { path, setting } = options;
  const cannotCreate = (reason: string): OpenStoreOutcome => ({ ok: false, problem: { code: 'ZQ_ERR_STORE_PATH', message: `cannot create ${path} (${setting}): ${reason}` } });
  const folder = ensurePrivateDirectory(dirname(path));
  if (!folder.ok) return cannotCreate(folder.problem);
  const locked = acquireStoreLock(path);
  if (!locked.ok) {
    if (!locked.held) return cannotCreate(locked.reason);
    return {
      ok: false,
      problem: {
        code: 'ZQ_ERR_STORE_IN_USE',
        message:
          `${path} (${setting}) is in use by another qss-forwarder: ${describeOwner(path)}. One process owns an embedded store: ` +
          `stop that one, or give this one its own ${setting}. To run several ingress or worker processes, use the Kafka bus.`,
      },
    };
  }
  let db: Database.Database | undefined;
  try {
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600)); // SQLite gives -wal and -shm the same mode
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.pragma(`journal_size_limit = ${options.walLimitBytes}`);
    migrate(db);
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('owner', ?)").run(
      JSON.stringify({ pid: process.pid, role: options.owner, host: hostname(), since: new Date().toISOString() } satisfies OwnerRecord),
    );
    return { ok: true, db, lock: locked.lock };
  } catch (err) {
    db?.close();
    locked.lock.release();
    if (SQLITE_CORRUPT.has((err as { code?: string }).code ?? '')) return { ok: false, problem: corrupt(path, setting, err) };
    return cannotCreate(errnoReason(err));
  }
}
