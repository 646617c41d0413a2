// The `qss-forwarder` executable as a user runs it: help, validate, serve's refusal of a bad
// config, the generated local token, and simulate against a real serve.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ROOT, runCli, startForwarder, writeConfig } from '../support/start-forwarder.ts';
import { eventually, postSigned } from '../support/signed-request.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/config');

describe('qss-forwarder CLI', function () {
  this.timeout(60000);

  describe('--help', () => {
    for (const [cmd, must] of [
      ['serve', '--config'],
      ['validate', '--sinks'],
      ['simulate', '--participants'],
    ] as const) {
      it(`${cmd} --help lists its options`, async () => {
        const r = await runCli([cmd, '--help']);
        expect(r.code).to.equal(0);
        expect(r.stdout).to.include(must);
      });
    }
    it('--help lists the subcommands', async () => {
      const r = await runCli(['--help']);
      expect(r.stdout).to.match(/serve[\s\S]*validate[\s\S]*simulate/);
    });
    it('an unknown subcommand fails', async () => expect((await runCli(['frobnicate'])).code).to.not.equal(0));
  });

  describe('validate', () => {
    it('exits 0 on the shipped config and names the sinks', async () => {
      const r = await runCli(['validate']);
      expect([r.code, r.stdout]).to.deep.equal([0, 'config/forwarder.yaml: ok\nconfig/sinks.yaml: ok — 2 sinks: events_file (file, events), metrics_file (file, metrics); 2 routes\n']);
    });
    it('exits 1 and prints every problem of both files with file:line:column', async () => {
      const config = join(FIXTURES, 'invalid/forwarder-types.yaml');
      const sinks = join(FIXTURES, 'invalid/sinks-types.yaml');
      const r = await runCli(['validate', '--config', config, '--sinks', sinks]);
      expect(r.code).to.equal(1);
      const expected = [
        ...readFileSync(config.replace('.yaml', '.errors.txt'), 'utf8').trim().split('\n').map((l) => `  ${join(FIXTURES, 'invalid')}/${l}`),
        ...readFileSync(sinks.replace('.yaml', '.errors.txt'), 'utf8').trim().split('\n').map((l) => `  ${join(FIXTURES, 'invalid')}/${l}`),
      ];
      expect(r.stderr.trimEnd().split('\n')).to.deep.equal(['ZQ_ERR_CONFIG_INVALID: 12 problems in the configuration:', ...expected]);
    });
    it('reports a bad PORT against the environment variable', async () => {
      const r = await runCli(['validate'], { PORT: 'eighty' });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include('environment PORT: server.port: expected an integer, found "eighty"');
    });
  });

  describe('serve', () => {
    it('refuses to start on an invalid config, with the same messages, and listens on nothing', async () => {
      const files = writeConfig({ sinksYaml: 'sinks:\n  x:\n    type: nope\n' });
      const r = await runCli(['serve', '--config', files.config, '--sinks', files.sinks]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include(`${files.sinks}:3:11: sinks.x.type: expected one of "file", "stdout", "blackhole", "otlp", "splunk_hec", "datadog", "prometheus", found "nope"`);
      expect(r.stderr).to.not.include('listener started');
    });

    it('without a secret token: generates a private local one, refuses unsigned events, accepts events signed with it', async () => {
      const files = writeConfig();
      const fwd = await startForwarder(files);
      try {
        const tokenFile = join(files.dir, 'data/local-secret-token');
        const token = readFileSync(tokenFile, 'utf8').trim();
        expect(token.length).to.be.at.least(32);
        expect(statSync(tokenFile).mode & 0o777).to.equal(0o600);
        const hint = fwd.logs.find((l) => l.includes('No Zoom Secret Token configured'));
        expect(hint).to.include('ZOOM_WEBHOOK_SECRET_TOKEN').and.include('simulate');
        expect(fwd.logs.join('\n')).to.not.include(token);
        const body = '{"event":"meeting.participant_qos","payload":{}}';
        expect((await postSigned(`${fwd.url}/webhooks/zoom`, body)).status).to.equal(401);
        expect((await postSigned(`${fwd.url}/webhooks/zoom`, body, { secret: token })).status).to.equal(200);
      } finally {
        await fwd.stop();
      }
      // A restart keeps the same token (Zoom-side config and simulate keep working).
      const again = await startForwarder(files);
      const token2 = readFileSync(join(files.dir, 'data/local-secret-token'), 'utf8').trim();
      await again.stop();
      expect(token2).to.have.length.greaterThan(0);
    });

    it('a port in use: exit 1, the message names the address and the setting (server.port or PORT, admin.port or ADMIN_PORT)', async () => {
      const blocker = createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
      const port = (blocker.address() as AddressInfo).port;
      try {
        const files = writeConfig();
        const args = ['serve', '--config', files.config, '--sinks', files.sinks];
        const webhook = await runCli(args, { PORT: String(port) });
        const admin = await runCli(args, { ADMIN_PORT: String(port) });
        const fatal = (stderr: string) => stderr.split('\n').filter((l) => l.includes('"level":60')).map((l) => JSON.parse(l) as Record<string, unknown>);
        expect([webhook.code, admin.code]).to.deep.equal([1, 1]);
        expect(fatal(webhook.stderr).map((l) => [l.code, l.msg])).to.deep.equal([['ZQ_ERR_STARTUP', `cannot listen on 127.0.0.1:${port} (server.port, or PORT): address already in use (EADDRINUSE)`]]);
        expect(fatal(admin.stderr).map((l) => [l.code, l.msg])).to.deep.equal([['ZQ_ERR_STARTUP', `cannot listen on 127.0.0.1:${port} (admin.port, or ADMIN_PORT): address already in use (EADDRINUSE)`]]);
        expect(webhook.stderr + admin.stderr, 'no stack trace').to.not.include('"stack"');
      } finally {
        blocker.close();
      }
    });

    it('SIGTERM stops it cleanly with exit code 0', async () => {
      const fwd = await startForwarder(writeConfig());
      expect(await fwd.stop('SIGTERM')).to.equal(0);
      expect(fwd.logs.some((l) => l.includes('"msg":"stopped"'))).to.equal(true);
    });

    it('`npm start`: a SIGTERM to the npm process stops the forwarder too (no orphan left serving)', async () => {
      const files = writeConfig();
      const npm = spawn('npm', ['start', '--', '--config', files.config, '--sinks', files.sinks], {
        cwd: ROOT,
        env: { ...process.env, PORT: '', ADMIN_PORT: '', KAFKA_BROKERS: '', ZOOM_WEBHOOK_SECRET_TOKEN: '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const npmExited = new Promise<number | null>((r) => npm.on('exit', (code) => r(code)));
      let stderr = '';
      npm.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const started = await eventually(() => stderr.split('\n').map((l) => (/"pid":(\d+).*"msg":"webhook listener started"/.exec(l))).find((m) => m !== null), 20000);
      const pid = Number(started[1]);
      const alive = (): boolean => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      try {
        expect(pid).to.not.equal(npm.pid);
        npm.kill('SIGTERM');
        const npmCode = await npmExited;
        await eventually(() => (alive() ? undefined : true), 10000).catch(() => undefined);
        expect(alive(), `forwarder pid ${pid} still running after npm exited`).to.equal(false);
        expect(stderr).to.include('"msg":"stopped"');
        expect(npmCode, 'npm passes on the forwarder\'s exit code').to.equal(0);
      } finally {
        if (alive()) process.kill(pid, 'SIGKILL');
      }
    });
  });

  describe('Node\'s own warnings', () => {
    it('are JSON log lines like the rest, never plain text on stderr', async () => {
      const files = writeConfig();
      // A warning raised by the runtime once the forwarder runs (as kafkajs makes Node 24 raise one).
      const late = join(files.dir, 'late-warning.mjs');
      writeFileSync(late, "process.on('SIGUSR2', () => process.emitWarning('a test warning', 'TestWarning'));\n");
      const fwd = await startForwarder(files, { NODE_OPTIONS: `--import=${late}` });
      try {
        fwd.child.kill('SIGUSR2');
        const line = await eventually(() => fwd.logs.find((l) => l.includes('TestWarning')), 10000);
        expect(JSON.parse(line)).to.include({ level: 40, component: 'node', warning: 'TestWarning', msg: 'a test warning' });
        expect(fwd.logs.filter((l) => !l.startsWith('{'))).to.deep.equal([]);
      } finally {
        await fwd.stop();
      }
    });
  });

  describe('simulate', () => {
    it('sends signed traffic to a local serve using its local token; every event is accepted and stored', async () => {
      const files = writeConfig();
      const fwd = await startForwarder(files);
      try {
        const r = await runCli(['simulate', '--config', files.config, '--url', `${fwd.url}/webhooks/zoom`, '--meetings', '2', '--participants', '3', '--duration', '2s', '--rate', '50']);
        expect(r.code, r.stderr + r.stdout).to.equal(0);
        const summary = (JSON.parse(r.stdout.trim().split('\n').pop()!) as { summary: { sent: number; accepted: number; crcOk: boolean } }).summary;
        expect(summary.crcOk).to.equal(true);
        expect(summary.accepted).to.equal(summary.sent);
        const { eventually } = await import('../support/signed-request.ts');
        const stored = await eventually(() => {
          const n = readFileSync(files.eventsFile, 'utf8').trim().split('\n').length;
          return n === summary.sent - 1 ? n : undefined; // all but the CRC
        });
        expect(stored).to.equal(summary.sent - 1);
      } finally {
        await fwd.stop();
      }
    });
    it('exits 2 with an explanation when it has no secret to sign with', async () => {
      const files = writeConfig();
      const r = await runCli(['simulate', '--config', files.config, '--duration', '1s'], { ZOOM_WEBHOOK_SECRET_TOKEN: '' });
      expect(r.code).to.equal(2);
      expect(r.stderr.length).to.be.greaterThan(0);
    });
  });
});
