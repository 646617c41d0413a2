// Starts a real `qss-forwarder serve` child process on free ports, with its own temp folder,
// and reads the bound ports from its JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/qss-forwarder.js');

export interface Forwarder {
  child: ChildProcess;
  dir: string;
  port: number;
  adminPort: number;
  url: string;
  adminUrl: string;
  logs: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface ForwarderFiles {
  dir: string;
  config: string;
  sinks: string;
  eventsFile: string;
}

/** Writes a forwarder.yaml and sinks.yaml into a fresh temp dir (or the given one). */
export function writeConfig(options: { dir?: string; forwarderYaml?: string; sinksYaml?: string } = {}): ForwarderFiles {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'qssf-'));
  const eventsFile = join(dir, 'events.jsonl');
  const config = join(dir, 'forwarder.yaml');
  const sinks = join(dir, 'sinks.yaml');
  writeFileSync(
    config,
    options.forwarderYaml ??
      `data_dir: ${dir}/data\nserver:\n  host: 127.0.0.1\n  port: 0\n  shutdown_drain_ms: 200\nadmin:\n  host: 127.0.0.1\n  port: 0\nbus:\n  embedded:\n    path: ${dir}/data/bus.sqlite\n    poll_interval_ms: 50\n    retention:\n      interval_ms: 200\nworker:\n  shutdown_grace_ms: 2000\n`,
  );
  writeFileSync(sinks, options.sinksYaml ?? `sinks:\n  events_file:\n    type: file\n    path: ${eventsFile}\n`);
  return { dir, config, sinks, eventsFile };
}

/** `killAfterMs`: a command expected to exit is killed (code null) if it is still running then, e.g. a `serve` that should have refused to start. */
export function runCli(args: string[], env: Record<string, string> = {}, killAfterMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, KAFKA_BROKERS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // 'close', not 'exit': at 'exit' the pipes may still hold the tail of a large output
    // (`explain --format json` of a few hundred KB came back cut under load).
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

export interface SpawnOptions {
  /** Start it under `ulimit -n` of this many descriptors (soft and hard). */
  openFileLimit?: number;
}

export function startForwarder(files: ForwarderFiles, env: Record<string, string> = {}, timeoutMs = 15000, role: 'serve' | 'ingress' | 'worker' = 'serve', options: SpawnOptions = {}): Promise<Forwarder> {
  const args = [BIN, role, '--config', files.config, '--sinks', files.sinks];
  const [command, argv] = options.openFileLimit === undefined ? [process.execPath, args] : ['sh', ['-c', `ulimit -n ${options.openFileLimit} && exec "$0" "$@"`, process.execPath, ...args]];
  const child = spawn(command, argv, {
    cwd: ROOT,
    env: { ...process.env, PORT: '', ADMIN_PORT: '', ZOOM_WEBHOOK_SECRET_TOKEN: '', KAFKA_BROKERS: '', ...env }, // each test's config says which bus
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let buffered = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code, sig) => r(code ?? (sig ? -1 : null))));
  return new Promise((resolvePromise, reject) => {
    let port = role === 'worker' ? -2 : 0; // a worker has no webhook listener
    let workersStarted = role === 'ingress';
    let adminPort = 0;
    const timer = setTimeout(() => reject(new Error(`forwarder did not start:\n${logs.join('\n')}`)), timeoutMs);
    const onEarlyExit = (): void => {
      clearTimeout(timer);
      reject(new Error(`forwarder exited before starting:\n${logs.join('\n')}${buffered}`));
    };
    child.on('exit', onEarlyExit);
    child.stderr.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        try {
          const rec = JSON.parse(line) as { msg?: string; port?: number };
          if (rec.msg === 'webhook listener started') port = rec.port ?? 0;
          if (rec.msg === 'admin listener started') adminPort = rec.port ?? 0;
          if (rec.msg === 'sink workers started') workersStarted = true;
        } catch {
          // not JSON: keep it in logs
        }
        if ((port > 0 || port === -2) && adminPort > 0 && workersStarted) {
          clearTimeout(timer);
          child.off('exit', onEarlyExit);
          resolvePromise({
            child,
            dir: files.dir,
            port,
            adminPort,
            url: `http://127.0.0.1:${port}`,
            adminUrl: `http://127.0.0.1:${adminPort}`,
            logs,
            stop: (signal = 'SIGTERM') => {
              child.kill(signal);
              return exited;
            },
          });
          port = -1;
          adminPort = -1;
        }
      }
    });
  });
}

/** The Zoom bodies a `file` sink wrote to `path`, in order (none when it does not exist yet; a line still being written is skipped). */
export function fileSinkBodies(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.endsWith('}'))
    .map((l) => (JSON.parse(l) as { body: string }).body);
}

/** A local port nothing listens on (bound, then closed): connections to it are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** A local port to give a server that starts later (closedPort's port: nothing listens on it yet). */
export const freePort = closedPort;

/** sinks.yaml with one sink that stays down while the process runs (Splunk HEC at a closed port: retried, nothing committed). */
export async function downSinkYaml(name = 'down'): Promise<string> {
  return `sinks:\n  ${name}:\n    type: splunk_hec\n    url: http://127.0.0.1:${await closedPort()}\n    token: t\n    data: events\n`;
}
