// Whether an embedded store can take new events, apart from its size cap: enough free disk (the
// headroom that lets deletes and checkpoints run), and no storage error since the last write that
// worked. Each change is logged once, in words an operator can act on; recovery is by itself (the
// bus checks again on every retention pass and after every write).
import { statfsSync } from 'node:fs';
import type { Logger } from 'pino';
import { errnoReason } from '../../files/ensure-private-directory.ts';

export interface StoreCondition {
  /** Free bytes on the store's filesystem plus the store's own free pages; checks at most every `everyMs`. */
  checkDisk(storeFreeBytes: () => number, force?: boolean): void;
  diskLow(): boolean;
  /**
   * A write of `bytes` failed (SQLITE_FULL, SQLITE_IOERR, …): not ready until one succeeds. After
   * SQLITE_FULL the disk must also show room for twice that (at least 1 MiB) again first: a tiny
   * probe can fit in a disk that has no room for events.
   */
  writeFailed(err: unknown, bytes: number): void;
  /** Events were written: the store works. */
  eventsWritten(): void;
  /** A small write (a probe, retention) worked: the store works, if the disk has room again. */
  probeWritten(): void;
  writeFailing(): boolean;
  /** After SQLITE_FULL, until the disk has room again: do not even try to write events. */
  waitingForSpace(): boolean;
  /** Undefined when all is well, else why new events are refused or may fail. */
  problem(): string | undefined;
  freeBytes(): number | undefined;
}

export interface StoreConditionOptions {
  /** The folder of the store (its filesystem is the one checked). */
  dir: string;
  setting: string;
  minFreeBytes: number;
  log: Logger;
  now: () => number;
  everyMs?: number;
  /** Free bytes of the filesystem holding `dir` (a seam for tests). */
  freeDiskBytes?: (dir: string) => number;
}

const MB = 1024 * 1024;

export function statfsFreeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

export function createStoreCondition(options: StoreConditionOptions): StoreCondition {
  const { dir, log, now, minFreeBytes } = options;
  const everyMs = options.everyMs ?? 100;
  const freeDisk = options.freeDiskBytes ?? statfsFreeBytes;
  let checkedAt = -Infinity;
  let free: number | undefined;
  let low = false;
  let failure: { reason: string; since: number; needFreeBytes?: number } | undefined;
  const clear = (): void => {
    if (failure === undefined) return;
    log.info({ dir, failing_for_ms: now() - failure.since }, 'the store can be written again');
    failure = undefined;
  };
  const roomAgain = (): boolean => failure?.needFreeBytes === undefined || (free !== undefined && free >= failure.needFreeBytes);

  return {
    checkDisk(storeFreeBytes, force = false) {
      if (minFreeBytes <= 0 && failure?.needFreeBytes === undefined) return;
      const t = now();
      if (!force && t - checkedAt < everyMs) return;
      checkedAt = t;
      try {
        free = freeDisk(dir) + storeFreeBytes();
      } catch (err) {
        free = undefined;
        if (!low) log.warn({ dir, reason: errnoReason(err) }, 'cannot read the free space of the store\'s filesystem');
        return;
      }
      // Back only with 10 % (at least 1 MiB) more than the headroom: a checkpoint that gives a few
      // pages back must not flip readiness every retention pass.
      const nowLow = minFreeBytes > 0 && free < (low ? minFreeBytes + Math.max(minFreeBytes / 10, MB) : minFreeBytes);
      if (nowLow && !low) {
        log.error(
          { dir, free_mb: Math.floor(free / MB), min_free_disk_mb: minFreeBytes / MB, setting: options.setting },
          'disk almost full: new events are refused with 503 (Zoom retries later) until more than min_free_disk_mb is free; free space on that filesystem, or lower the retention caps',
        );
      } else if (!nowLow && low) {
        log.info({ dir, free_mb: Math.floor(free / MB) }, 'disk space is back above min_free_disk_mb (and 10 % more): accepting events again');
      }
      low = nowLow;
    },
    diskLow: () => low,
    writeFailed(err, bytes) {
      const code = (err as { code?: string }).code;
      if (failure === undefined) {
        log.error({ dir, reason: errnoReason(err), code }, 'storage error: the store could not be written; /readyz is 503 until a write works again');
        failure = { reason: errnoReason(err), since: now() };
      }
      if (code === 'SQLITE_FULL') failure.needFreeBytes = Math.max(failure.needFreeBytes ?? 0, MB, 2 * bytes);
    },
    eventsWritten: clear,
    probeWritten() {
      if (roomAgain()) clear();
    },
    writeFailing: () => failure !== undefined,
    waitingForSpace: () => failure !== undefined && !roomAgain(),
    problem() {
      if (failure !== undefined) return `storage error since ${new Date(failure.since).toISOString()}: ${failure.reason}`;
      if (low) return `disk almost full: ${Math.floor((free ?? 0) / MB)} MiB free on the filesystem of ${dir}, less than ${options.setting.replace(/\.path$/, '')}.min_free_disk_mb (${minFreeBytes / MB})`;
      return undefined;
    },
    freeBytes: () => free,
  };
}
