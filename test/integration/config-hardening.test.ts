// Configuration never stops a running process, through a real `serve`: a sinks.yaml with YAML
// alias problems is refused on hot reload (poll and SIGHUP) and reported by `validate`; a file
// sink whose path cannot be opened stops start-up with a clear message and refuses a reload; a
// route's `matches` on a signed event crafted against it does not stall the process.
import { expect } from 'chai';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, postSigned } from '../support/signed-request.ts';
import { runCli, startForwarder, writeConfig, type Forwarder, type ForwarderFiles } from '../support/start-forwarder.ts';

const SECRET = 'config-hardening-secret';
const FIXTURES = join(import.meta.dirname, '../fixtures/config/invalid');
const QOS = readFileSync(join(import.meta.dirname, '../fixtures/zoom/meeting.participant_qos.json'), 'utf8');
const lines = (file: string): Record<string, unknown>[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) : []);
/** The meeting.participant_qos example with its participant's user_name set. */
const qosNamed = (userName: string): string => {
  const body = JSON.parse(QOS) as { payload: { object: { participant: Record<string, unknown> } } };
  body.payload.object.participant.user_name = userName;
  return JSON.stringify(body);
};
/** The one expected problem of a fixture, pointing at `file` instead of the fixture's name. */
const expectedProblem = (fixture: string, file: string): string => readFileSync(join(FIXTURES, `${fixture}.errors.txt`), 'utf8').trim().replace(`${fixture}.yaml:`, `${file}:`);

describe('configuration never stops a running process (real serve)', function () {
  this.timeout(60000);
  const running: Forwarder[] = [];
  // A stalled event loop ignores SIGTERM: a failed test must not leave a process behind.
  afterEach(() => {
    for (const fwd of running.splice(0)) if (fwd.child.exitCode === null && fwd.child.signalCode === null) fwd.child.kill('SIGKILL');
  });
  const start = async (files: ForwarderFiles, reloadMs: number): Promise<Forwarder> => {
    appendFileSync(files.config, `  sinks_reload_interval_ms: ${reloadMs}\n`);
    const fwd = await startForwarder(files, { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET });
    running.push(fwd);
    return fwd;
  };
  const send = async (fwd: Forwarder, body: string): Promise<void> => {
    expect((await postSigned(`${fwd.url}/webhooks/zoom`, body, { secret: SECRET })).status).to.equal(200);
  };
  const metrics = async (fwd: Forwarder): Promise<string> => (await fetch(`${fwd.adminUrl}/metrics`)).text();
  const logLine = (fwd: Forwarder, msg: string): Promise<Record<string, unknown>> =>
    eventually(() => fwd.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === msg));

  describe('YAML alias problems in a changed sinks.yaml', () => {
    for (const [fixture, how] of [
      ['sinks-alias-bomb', 'poll'],
      ['sinks-anchor-119-uses', 'SIGHUP'],
    ] as const) {
      it(`${fixture} (${how}): refused with file:line:col, the process stays up and delivers with the old config`, async () => {
        const files = writeConfig();
        const fwd = await start(files, how === 'poll' ? 200 : 0);
        try {
          await send(fwd, qosNamed('one'));
          await eventually(() => (lines(files.eventsFile).length === 1 ? true : undefined));
          writeFileSync(files.sinks, readFileSync(join(FIXTURES, `${fixture}.yaml`)));
          if (how === 'SIGHUP') fwd.child.kill('SIGHUP');
          const refused = await logLine(fwd, 'changed sinks.yaml is invalid: refused, the running config is kept');
          expect(refused).to.deep.include({ code: 'ZQ_ERR_CONFIG_INVALID', problems: [expectedProblem(fixture, files.sinks)] });
          expect(await metrics(fwd)).to.include('qss_forwarder_config_reloads_total{result="rejected"} 1').and.include('qss_forwarder_config_last_reload_ok 0');
          await send(fwd, qosNamed('two'));
          await eventually(() => (lines(files.eventsFile).length === 2 ? true : undefined));
          expect(fwd.child.exitCode).to.equal(null);
        } finally {
          expect(await fwd.stop()).to.equal(0);
        }
      });
    }

    it('validate prints an alias problem of either file with file:line:col and exits 1, without a stack', async () => {
      const files = writeConfig();
      writeFileSync(files.sinks, readFileSync(join(FIXTURES, 'sinks-alias-bomb.yaml')));
      writeFileSync(files.config, readFileSync(join(FIXTURES, 'forwarder-alias-bomb.yaml')));
      const r = await runCli(['validate', '--config', files.config, '--sinks', files.sinks]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal(
        `ZQ_ERR_CONFIG_INVALID: 2 problems in the configuration:\n  ${expectedProblem('forwarder-alias-bomb', files.config)}\n  ${expectedProblem('sinks-alias-bomb', files.sinks)}\n`,
      );
    });
  });

  describe('a route\'s matches', () => {
    it('validate rejects a pattern RE2 cannot run, saying RE2 syntax is used and what it lacks', async () => {
      const files = writeConfig();
      appendFileSync(files.sinks, 'routes:\n  - where: [{ field: payload.object.participant.user_name, matches: "^(?!Test )" }]\n    sinks: [events_file]\n');
      const r = await runCli(['validate', '--config', files.config, '--sinks', files.sinks]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include(`${files.sinks}:6:69: routes.0.where.0.matches: not a regular expression RE2 can run (invalid or unsupported Perl syntax: \`(?!\`): \`matches\` uses RE2 syntax (https://github.com/google/re2/wiki/Syntax): no backreferences (\\1), lookahead or lookbehind`);
      expect(r.stderr).to.not.include('    at ');
    });

    // ^([A-Za-z]+\s?)*$ against 60 letters and "!" backtracks for centuries in JavaScript's RegExp
    // (30 letters: 5 s). The worker shares the event loop with the listeners, so while it routes the
    // event nothing else is answered. Every /healthz below is sent after the event was acknowledged
    // and before it is seen delivered; with a backtracking matcher one of them is sent while the
    // loop is held and never answered (the test then fails at its timeout), and the event is never
    // delivered. No duration is measured.
    it('a signed event crafted against a catastrophic pattern is routed while /healthz and other webhooks keep being answered', async () => {
      const files = writeConfig();
      const named = join(files.dir, 'named.jsonl');
      writeFileSync(
        files.sinks,
        `sinks:\n  events_file:\n    type: file\n    path: ${files.eventsFile}\n  named:\n    type: file\n    path: ${named}\nroutes:\n  - sinks: [events_file]\n  - where: [{ field: payload.object.participant.user_name, matches: '^([A-Za-z]+\\s?)*$' }]\n    sinks: [named]\n`,
      );
      const fwd = await start(files, 0);
      try {
        await send(fwd, qosNamed(`${'a'.repeat(60)}!`));
        let answered = 0;
        await eventually(async () => {
          expect((await fetch(`${fwd.adminUrl}/healthz`)).status).to.equal(200);
          answered++;
          return lines(files.eventsFile).length === 1 ? true : undefined;
        });
        expect(answered).to.be.greaterThan(0);
        await send(fwd, qosNamed('Ada Lovelace'));
        await eventually(() => (lines(files.eventsFile).length === 2 && lines(named).length === 1 ? true : undefined));
        const userName = (l: Record<string, unknown>): unknown => (JSON.parse(l.body as string) as { payload: { object: { participant: { user_name: string } } } }).payload.object.participant.user_name;
        expect(lines(files.eventsFile).map(userName)).to.deep.equal([`${'a'.repeat(60)}!`, 'Ada Lovelace']);
        expect(lines(named).map(userName)).to.deep.equal(['Ada Lovelace']);
      } finally {
        expect(await fwd.stop()).to.equal(0);
      }
    });
  });

  describe('a file sink\'s path', () => {
    it('serve exits 1 naming the sink, the path and the reason when the file cannot be opened (no stack)', async () => {
      const files = writeConfig({ sinksYaml: 'sinks:\n  events_file:\n    type: file\n    path: /dev/null/events.jsonl\n' });
      const r = await runCli(['serve', '--config', files.config, '--sinks', files.sinks], { PORT: '', ADMIN_PORT: '', ZOOM_WEBHOOK_SECRET_TOKEN: SECRET }, 30000);
      expect(r.code).to.equal(1);
      const fatal = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.level === 60);
      expect(fatal).to.deep.include({ msg: 'sinks.events_file.path: cannot open /dev/null/events.jsonl for appending: /dev/null is not a folder', code: 'ZQ_ERR_STARTUP' });
      expect(r.stderr).to.not.include('    at ');
    });

    it('a reload to a path that cannot be opened is refused: the old config keeps delivering; new files are 0600 in 0700 folders', async () => {
      const files = writeConfig();
      const eventsFile = join(files.dir, 'out/sub/events.jsonl');
      const other = join(files.dir, 'other.jsonl');
      writeFileSync(files.sinks, `sinks:\n  events_file:\n    type: file\n    path: ${eventsFile}\n`);
      const fwd = await start(files, 0);
      try {
        expect([statSync(eventsFile).mode & 0o777, statSync(join(files.dir, 'out')).mode & 0o777, statSync(join(files.dir, 'out/sub')).mode & 0o777]).to.deep.equal([0o600, 0o700, 0o700]);
        await send(fwd, qosNamed('one'));
        await eventually(() => (lines(eventsFile).length === 1 ? true : undefined));

        writeFileSync(files.sinks, `sinks:\n  events_file:\n    type: file\n    path: /proc/qssf-no-such/events.jsonl\n  other:\n    type: file\n    path: ${other}\n`);
        fwd.child.kill('SIGHUP');
        const refused = await logLine(fwd, 'changed sinks.yaml cannot be applied: refused, the running config is kept');
        expect(refused).to.deep.include({
          code: 'ZQ_ERR_CONFIG_INVALID',
          problems: ['sinks.events_file.path: cannot open /proc/qssf-no-such/events.jsonl for appending: cannot create the folder /proc/qssf-no-such (ENOENT: no such file or directory)'],
        });
        expect(await metrics(fwd)).to.include('qss_forwarder_config_reloads_total{result="rejected"} 1').and.include('qss_forwarder_config_last_reload_ok 0');
        await send(fwd, qosNamed('two'));
        await eventually(() => (lines(eventsFile).length === 2 ? true : undefined));
        expect(lines(other)).to.deep.equal([]); // not started: a new sink would have been given both events
      } finally {
        expect(await fwd.stop()).to.equal(0);
      }
    });
  });
});
