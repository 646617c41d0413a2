import { expect } from 'chai';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireStoreLock, storeLockPath } from '../../../../src/bus/embedded/store-lock.ts';

describe('store lock', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'qssf-lock-'))));

  it('one holder at a time; released, it can be taken again', () => {
    const path = join(dir, 'bus.sqlite');
    const first = acquireStoreLock(path);
    expect(first.ok).to.equal(true);
    const second = acquireStoreLock(path);
    expect(second).to.deep.equal({ ok: false, held: true, reason: 'held by another process' });
    if (first.ok) first.lock.release();
    const third = acquireStoreLock(path);
    expect(third.ok).to.equal(true);
    if (third.ok) third.lock.release();
  });

  it('the lock file is owner-only, and the only file it adds while held', () => {
    const path = join(dir, 'bus.sqlite');
    const lock = acquireStoreLock(path);
    expect(readdirSync(dir)).to.deep.equal(['bus.sqlite.lock']);
    if (lock.ok) lock.lock.release();
    expect(statSync(storeLockPath(path)).mode & 0o777).to.equal(0o600);
  });

  it('a folder that cannot hold the lock file is not "held": the reason is said', () => {
    const outcome = acquireStoreLock('/dev/null/bus.sqlite');
    expect(outcome.ok).to.equal(false);
    if (!outcome.ok) {
      expect(outcome.held).to.equal(false);
      expect(outcome.reason).to.match(/ENOTDIR/);
    }
  });
});
