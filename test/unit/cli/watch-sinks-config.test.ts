import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { watchSinksConfig } from '../../../src/cli/watch-sinks-config.ts';
import type { ApplyOutcome } from '../../../src/worker/start-sink-workers.ts';
import type { SinksConfig } from '../../../src/sinks/sinks-config.ts';
import { freshMetrics, metricValue } from '../../support/test-deps.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/config/invalid');
const VALID = 'sinks:\n  console:\n    type: stdout\n';
const APPLIED: ApplyOutcome = { ok: true, report: { started: [], restarted: [], stopped: [], kept: ['console'] } };

function setUp(apply: (config: SinksConfig) => Promise<ApplyOutcome>, env: Record<string, string | undefined> = {}) {
  const file = join(mkdtempSync(join(tmpdir(), 'qssf-watch-')), 'sinks.yaml');
  writeFileSync(file, VALID);
  const logs: Record<string, unknown>[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) });
  const metrics = freshMetrics();
  const applied: SinksConfig[] = [];
  const watcher = watchSinksConfig({ file, initialText: VALID, env, intervalMs: 0, apply: (c) => (applied.push(c), apply(c)), logger: pino(stream), metrics });
  const rejected = (): Promise<number> => metricValue(metrics, 'qss_forwarder_config_reloads_total', { result: 'rejected' });
  return { file, logs, metrics, applied, watcher, rejected };
}

describe('watchSinksConfig', () => {
  for (const fixture of ['sinks-alias-bomb', 'sinks-anchor-119-uses']) {
    it(`refuses a changed file with an alias-count problem (${fixture}) at its file:line:col, and keeps running`, async () => {
      const t = setUp(async () => APPLIED);
      try {
        writeFileSync(t.file, readFileSync(join(FIXTURES, `${fixture}.yaml`)));
        await t.watcher.check();
        expect(t.applied).to.have.length(0);
        const expected = readFileSync(join(FIXTURES, `${fixture}.errors.txt`), 'utf8').trim().replace(`${fixture}.yaml:`, `${t.file}:`);
        const line = t.logs.find((l) => l.msg === 'changed sinks.yaml is invalid: refused, the running config is kept');
        expect(line?.code).to.equal('ZQ_ERR_CONFIG_INVALID');
        expect(line?.problems).to.deep.equal([expected]);
        expect(await t.rejected()).to.equal(1);
      } finally {
        t.watcher.stop();
      }
    });
  }

  it('a sink that cannot start refuses the change with its problems (the running config is kept)', async () => {
    const t = setUp(async () => ({ ok: false, problems: ['sinks.console.path: cannot open /dev/null/x for appending (ENOTDIR: not a directory)'] }));
    try {
      writeFileSync(t.file, `${VALID}    data: events\n`);
      await t.watcher.check();
      const line = t.logs.find((l) => l.msg === 'changed sinks.yaml cannot be applied: refused, the running config is kept');
      expect(line).to.deep.include({ code: 'ZQ_ERR_CONFIG_INVALID', problems: ['sinks.console.path: cannot open /dev/null/x for appending (ENOTDIR: not a directory)'] });
      expect(await t.rejected()).to.equal(1);
      expect(await metricValue(t.metrics, 'qss_forwarder_config_last_reload_ok')).to.equal(0);
      await t.watcher.check({ retry: true });
      expect(t.applied).to.have.length(2);
    } finally {
      t.watcher.stop();
    }
  });

  it('an apply that throws is a refused reload, logged and counted; the poll tries that file once, SIGHUP (retry) again', async () => {
    const t = setUp(() => Promise.reject(new Error('boom')));
    try {
      writeFileSync(t.file, `${VALID}    data: events\n`);
      await t.watcher.check();
      expect(t.logs.some((l) => l.msg === 'could not apply the changed sinks.yaml')).to.equal(true);
      await t.watcher.check();
      expect(t.applied).to.have.length(1);
      await t.watcher.check({ retry: true });
      expect(t.applied).to.have.length(2);
      expect(await t.rejected()).to.equal(2);
    } finally {
      t.watcher.stop();
    }
  });

  it('whatever the loader throws while checking a changed file (a bug) is a refused reload, not an exception out of check()', async () => {
    const env = Object.defineProperty({}, 'QSSF_BOOM', { enumerable: true, get: () => { throw new RangeError('loader bug'); } });
    const t = setUp(async () => APPLIED, env);
    try {
      writeFileSync(t.file, `${VALID}    data: \${QSSF_BOOM}\n`);
      await t.watcher.check();
      expect(t.applied).to.have.length(0);
      const line = t.logs.find((l) => l.msg === 'changed sinks.yaml could not be checked: refused, the running config is kept');
      expect((line?.err as { message?: string } | undefined)?.message).to.equal('loader bug');
      expect(await t.rejected()).to.equal(1);
    } finally {
      t.watcher.stop();
    }
  });

  it('a retry of the running file does nothing; an applied file becomes the running one', async () => {
    const t = setUp(async () => APPLIED);
    try {
      await t.watcher.check({ retry: true });
      expect(t.applied).to.have.length(0);
      writeFileSync(t.file, `${VALID}    data: events\n`);
      await t.watcher.check();
      await t.watcher.check({ retry: true });
      expect(t.applied).to.have.length(1);
      expect(await metricValue(t.metrics, 'qss_forwarder_config_reloads_total', { result: 'applied' })).to.equal(1);
    } finally {
      t.watcher.stop();
    }
  });
});
