// One process owns an embedded store. The owner holds a write lock on `<store>.lock` (a second,
// empty SQLite file: an open `BEGIN IMMEDIATE`) for as long as it runs. The lock is the kernel's
// (POSIX record locks, through SQLite), so it goes with the process however it ends — kill -9
// included — and a stale lock file never blocks a restart. Another process cannot take it and is
// refused at once. Short-lived tools (`replay`) do not take it: they use SQLite's own locking.
import { closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { errnoReason } from '../../files/ensure-private-directory.ts';

export interface StoreLock {
  readonly path: string;
  release(): void;
}

export type StoreLockOutcome = { ok: true; lock: StoreLock } | { ok: false; held: boolean; reason: string };

export function storeLockPath(storePath: string): string {
  return `${storePath}.lock`;
}

export function acquireStoreLock(storePath: string): StoreLockOutcome {
  const path = storeLockPath(storePath);
  let db: Database.Database | undefined;
  try {
    // Created owner-only before SQLite opens it. Only when missing: closing a descriptor of a file
    // this process holds a POSIX lock on would release that lock.
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
    db = new Database(path, { timeout: 0 });
    db.pragma('journal_mode = MEMORY'); // nothing is ever written: no <path>.lock-journal beside it
    db.exec('BEGIN IMMEDIATE');
  } catch (err) {
    db?.close();
    const held = (err as { code?: string }).code === 'SQLITE_BUSY';
    return { ok: false, held, reason: held ? 'held by another process' : errnoReason(err) };
  }
  const handle = db;
  let released = false;
  return {
    ok: true,
    lock: {
      path,
      release() {
        if (released) return;
        released = true;
        handle.exec('ROLLBACK');
        handle.close();
      },
    },
  };
}
