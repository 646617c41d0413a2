// The embedded store against a careless operator and a hostile world, on real `serve` processes:
// one owner per store; dead letters that cannot starve valid traffic; a filesystem that fills up
// (a real 4 MiB tmpfs) and is freed again; corrupt, unusable and read-only store paths.
import { expect } from 'chai';
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BIN, downSinkYaml, ROOT, startForwarder, writeConfig, type ForwarderFiles, type Forwarder } from '../support/start-forwarder.ts';
import { eventually, postSigned } from '../support/signed-request.ts';

const SECRET = 'store-hardening-secret';
const ENV = { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET };
const body = (i: number, pad = 0): string => JSON.stringify({ event: 'meeting.participant_qos', payload: { account_id: 'a', object: { uuid: `m-${i}`, pad: 'x'.repeat(pad) } } });

function forwarderYaml(dir: string, bus: string, extra = ''): string {
  return `data_dir: ${dir}/data\nserver:\n  host: 127.0.0.1\n  port: 0\nadmin:\n  host: 127.0.0.1\n  port: 0\nbus:\n  embedded:\n${bus}worker:\n  shutdown_grace_ms: 1000\n${extra}`;
}

/** Runs a forwarder command to its end (killed after `timeoutMs`: a hang is a failure, not a stuck suite). */
function runToExit(args: string[], env: Record<string, string> = {}, options: { timeoutMs?: number } = {}): Promise<{ code: number | null; stderr: string; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, PORT: '', ADMIN_PORT: '', KAFKA_BROKERS: '', ...ENV, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 15000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, killed });
    });
  });
}

const fatalLine = (stderr: string): { code?: string; msg?: string; err?: unknown } => {
  const line = stderr.split('\n').find((l) => l.includes('"level":60'));
  return line === undefined ? {} : (JSON.parse(line) as { code?: string; msg?: string });
};

async function metricsText(fwd: Forwarder): Promise<string> {
  return (await fetch(`${fwd.adminUrl}/metrics`)).text();
}

async function readiness(fwd: Forwarder): Promise<{ status: number; detail: string }> {
  const res = await fetch(`${fwd.adminUrl}/readyz`);
  return { status: res.status, detail: ((await res.json()) as { detail: string }).detail };
}

describe('embedded store hardening (real serve processes)', function () {
  this.timeout(60000);
  const running: Forwarder[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((f) => f.stop('SIGKILL')));
  });

  describe('one process owns a store', () => {
    it('a second serve on the same data directory refuses to start, naming the path and the holder; the first goes on alone', async () => {
      const files = writeConfig();
      const first = await startForwarder(files, ENV);
      running.push(first);
      const second = await runToExit(['serve', '--config', files.config, '--sinks', files.sinks]);
      expect(second.code).to.equal(1);
      const fatal = fatalLine(second.stderr);
      expect(fatal.code).to.equal('ZQ_ERR_STORE_IN_USE');
      expect(fatal.msg).to.contain(`${files.dir}/data/bus.sqlite (bus.embedded.path) is in use by another qss-forwarder: pid ${first.child.pid} (serve)`);
      expect(fatal.err).to.equal(undefined); // no stack
      for (let i = 0; i < 20; i++) expect((await postSigned(`${first.url}/webhooks/zoom`, body(i), { secret: SECRET })).status).to.equal(200);
      await first.stop();
      running.pop();
      const { readFileSync } = await import('node:fs');
      expect(readFileSync(files.eventsFile, 'utf8').trim().split('\n')).to.have.length(20); // once each, not twice
    });

    it('ingress and worker refuse the embedded bus: they would share one store', async () => {
      const files = writeConfig();
      for (const role of ['worker', 'ingress']) {
        const run = await runToExit([role, '--config', files.config, '--sinks', files.sinks]);
        expect(run.code, role).to.equal(1);
        const fatal = fatalLine(run.stderr);
        expect(fatal.code).to.equal('ZQ_ERR_ROLE_NEEDS_KAFKA');
        expect(fatal.msg).to.contain(`\`qss-forwarder ${role}\` needs the Kafka bus`);
      }
    });
  });

  describe('a store path that cannot be used: exit 1 with the path, the setting and the reason', () => {
    it('under /proc: no endless mkdir loop', async () => {
      const files = writeConfig();
      writeFileSync(files.config, forwarderYaml(files.dir, '    path: /proc/qssf-test/data/bus.sqlite\n'));
      const run = await runToExit(['serve', '--config', files.config, '--sinks', files.sinks]);
      expect(run.killed, 'serve hung instead of exiting').to.equal(false);
      expect(run.code).to.equal(1);
      const fatal = fatalLine(run.stderr);
      expect(fatal.code).to.equal('ZQ_ERR_STORE_PATH');
      expect(fatal.msg).to.equal('cannot create /proc/qssf-test/data/bus.sqlite (bus.embedded.path): cannot create the folder /proc/qssf-test (ENOENT: no such file or directory)');
    });

    it('a read-only folder', async () => {
      const files = writeConfig();
      const ro = join(files.dir, 'ro');
      mkdirSync(ro);
      // Root writes anywhere a mode forbids: as root, a read-only filesystem (as in a pod with a
      // read-only root filesystem); else the folder's mode.
      const root = process.getuid?.() === 0;
      if (root) execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro], { stdio: 'pipe' });
      else chmodSync(ro, 0o555);
      try {
        writeFileSync(files.config, forwarderYaml(files.dir, `    path: ${ro}/bus.sqlite\n`));
        const run = await runToExit(['serve', '--config', files.config, '--sinks', files.sinks]);
        expect(run.code, run.stderr).to.equal(1);
        const fatal = fatalLine(run.stderr);
        expect(fatal.code).to.equal('ZQ_ERR_STORE_PATH');
        expect(fatal.msg).to.match(new RegExp(`^cannot create ${ro}/bus\\.sqlite \\(bus\\.embedded\\.path\\): the folder ${ro} is not writable \\((EROFS: read-only file system|EACCES: permission denied)\\)$`));
      } finally {
        if (root) execFileSync('umount', ['-l', ro]);
      }
    });

    it('a corrupt store: the path and the recovery steps, no stack', async () => {
      const files = writeConfig();
      mkdirSync(join(files.dir, 'data'), { recursive: true });
      writeFileSync(join(files.dir, 'data', 'bus.sqlite'), 'not a database '.repeat(500));
      const run = await runToExit(['serve', '--config', files.config, '--sinks', files.sinks]);
      expect(run.code).to.equal(1);
      const fatal = fatalLine(run.stderr);
      expect(fatal.code).to.equal('ZQ_ERR_STORE_CORRUPT');
      const path = `${files.dir}/data/bus.sqlite`;
      expect(fatal.msg).to.contain(`${path} (bus.embedded.path) is not a usable SQLite database (file is not a database)`);
      expect(fatal.msg).to.contain(`mv ${path} ${path}.corrupt`);
      expect(run.stderr).to.not.match(/\n\s+at /);
    });
  });

  describe('dead letters cannot starve valid traffic', () => {
    let refuser: Server;
    let refuserUrl: string;
    before(async () => {
      refuser = createServer((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(403, { 'content-type': 'application/json' }).end('{"text":"Invalid token","code":4}'));
      });
      await new Promise<void>((r) => refuser.listen(0, '127.0.0.1', r));
      refuserUrl = `http://127.0.0.1:${(refuser.address() as AddressInfo).port}`;
    });
    after(() => refuser.close());

    it('24 dead-lettered 60 KB events under max_size_mb: 1 leave the store ready and accepting', async () => {
      const files = writeConfig();
      writeFileSync(files.config, forwarderYaml(files.dir, `    path: ${files.dir}/data/bus.sqlite\n    poll_interval_ms: 50\n    retention:\n      interval_ms: 100\n      max_size_mb: 1\n`));
      writeFileSync(files.sinks, `sinks:\n  hec:\n    type: splunk_hec\n    url: ${refuserUrl}\n    token: t\n    data: events\n    batch:\n      max_wait_ms: 0\n`);
      const fwd = await startForwarder(files, ENV);
      running.push(fwd);
      for (let i = 0; i < 24; i++) expect((await postSigned(`${fwd.url}/webhooks/zoom`, body(i, 60_000), { secret: SECRET })).status).to.equal(200);
      await eventually(async () => (/qss_forwarder_bus_dead_letters 24/.test(await metricsText(fwd)) ? true : undefined), 20000);
      await new Promise((r) => setTimeout(r, 300)); // a retention pass or two
      expect(await readiness(fwd)).to.deep.equal({ status: 200, detail: 'ok' });
      const res = await postSigned(`${fwd.url}/webhooks/zoom`, body(99), { secret: SECRET });
      expect(res.status, JSON.stringify(res.json)).to.equal(200);
    });
  });

  describe('a filesystem that fills up (a real 4 MiB tmpfs)', () => {
    let mountPoint: string;
    beforeEach(() => {
      mountPoint = mkdtempSync(join(tmpdir(), 'qssf-tmpfs-'));
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', mountPoint], { stdio: 'pipe' });
      } catch (err) {
        throw new Error(`this test mounts a 4 MiB tmpfs and needs root (or CAP_SYS_ADMIN); CI runs as root: ${(err as Error).message}`, { cause: err });
      }
    });
    afterEach(async () => {
      await Promise.all(running.splice(0).map((f) => f.stop('SIGKILL')));
      execFileSync('umount', ['-l', mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    });

    /** A serve whose store is on the tmpfs and whose only sink is down, so events stay in the store. */
    async function fillingServe(minFreeMb: number): Promise<{ fwd: Forwarder; files: ForwarderFiles; filler: string; store: string }> {
      const files = writeConfig();
      const store = join(mountPoint, 'bus.sqlite');
      writeFileSync(files.config, forwarderYaml(files.dir, `    path: ${store}\n    min_free_disk_mb: ${minFreeMb}\n    retention:\n      interval_ms: 100\n`));
      writeFileSync(files.sinks, await downSinkYaml());
      // The store gets what the filler leaves (~1.9 MiB, less min_free_disk_mb). Freed again, the
      // filesystem must have room to spare above the way back (min_free_disk_mb + 1 MiB): with a
      // store of ~0.9 MiB, ~3 MiB is free; a store that overshoots the refusal by a few events
      // (the free space is read every 100 ms) must not be able to keep it below.
      const filler = join(mountPoint, 'filler');
      writeFileSync(filler, Buffer.alloc(2_200_000));
      const fwd = await startForwarder(files, ENV);
      running.push(fwd);
      return { fwd, files, filler, store };
    }

    async function sendUntilRefused(fwd: Forwarder): Promise<{ accepted: number; refused: { status: number; json: Record<string, unknown>; headers: Headers } }> {
      let accepted = 0;
      for (let i = 0; i < 2000; i++) {
        const res = await postSigned(`${fwd.url}/webhooks/zoom`, body(i, 8000), { secret: SECRET });
        if (res.status === 200) accepted++;
        else return { accepted, refused: res };
      }
      throw new Error('never refused');
    }

    /**
     * After a refusal the store gives back what it can (a WAL checkpoint): once that has happened,
     * take the rest of the filesystem but `leaveBytes`, so the disk stays short of room however often
     * the store checks again.
     */
    async function takeTheRest(leaveBytes: number): Promise<string> {
      await new Promise((r) => setTimeout(r, 400)); // a few retention passes (every 100 ms)
      const { bavail, bsize } = statfsSync(mountPoint);
      const rest = join(mountPoint, 'rest');
      writeFileSync(rest, Buffer.alloc(Math.max(0, bavail * bsize - leaveBytes)));
      await new Promise((r) => setTimeout(r, 400));
      return rest;
    }

    const storedEvents = (store: string): number => {
      const db = new Database(store, { readonly: true });
      try {
        return db.prepare('SELECT count(*) FROM events').pluck().get() as number;
      } finally {
        db.close();
      }
    };

    it('refuses with 503 + Retry-After and turns not ready before the disk is full (min_free_disk_mb), and accepts again by itself once space is freed', async () => {
      const { fwd, filler, store } = await fillingServe(1);
      const { accepted, refused } = await sendUntilRefused(fwd);
      expect(accepted).to.be.greaterThan(0);
      expect(refused.status).to.equal(503);
      expect(refused.json.code).to.equal('ZQ_ERR_BUS_DISK_LOW');
      expect(refused.headers.get('retry-after')).to.equal('60');
      const rest = await takeTheRest(300_000);
      const ready = await readiness(fwd);
      expect(ready.status).to.equal(503);
      expect(ready.detail).to.match(/^disk almost full: /);
      expect((await postSigned(`${fwd.url}/webhooks/zoom`, body(4999), { secret: SECRET })).json.code).to.equal('ZQ_ERR_BUS_DISK_LOW');
      expect(fwd.logs.some((l) => l.includes('disk almost full'))).to.equal(true);
      rmSync(filler);
      rmSync(rest);
      await eventually(async () => ((await readiness(fwd)).status === 200 ? true : undefined), 10000);
      expect((await postSigned(`${fwd.url}/webhooks/zoom`, body(5000), { secret: SECRET })).status).to.equal(200);
      await fwd.stop();
      running.pop();
      expect(storedEvents(store)).to.equal(accepted + 1); // every acknowledged event is in the store
    });

    it('a storage error (SQLITE_FULL) turns not ready; once space is freed the store is written again with no request needed', async () => {
      const { fwd, filler, store } = await fillingServe(0);
      const { accepted, refused } = await sendUntilRefused(fwd);
      expect(refused.status).to.equal(503);
      expect(refused.json.code).to.equal('ZQ_ERR_BUS_WRITE_FAILED');
      // Retention passes (every 100 ms) write a little: a small write that fits is not recovery.
      const rest = await takeTheRest(300_000);
      expect((await postSigned(`${fwd.url}/webhooks/zoom`, body(4999, 8000), { secret: SECRET })).status).to.equal(503);
      const ready = await readiness(fwd);
      expect(ready.status).to.equal(503);
      expect(ready.detail).to.match(/^storage error since .*: database or disk is full/);
      rmSync(filler);
      rmSync(rest);
      await eventually(async () => ((await readiness(fwd)).status === 200 ? true : undefined), 10000);
      expect((await postSigned(`${fwd.url}/webhooks/zoom`, body(5000), { secret: SECRET })).status).to.equal(200);
      expect(await metricsText(fwd)).to.match(/qss_forwarder_bus_write_failures_total\{reason="storage_error"\} [1-9]/);
      await fwd.stop();
      running.pop();
      expect(storedEvents(store)).to.equal(accepted + 1);
    });
  });
});
