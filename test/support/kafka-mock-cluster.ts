// A real Kafka-protocol broker for integration tests, without Docker: librdkafka's mock cluster,
// started through the small C launcher next to this file (see ../shared/TESTING.md, "Kafka").
//
// When KAFKA_BROKERS is set (comma-separated host:port list), nothing is started: the tests run
// against that Kafka instead, so the mock never becomes the only truth.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCE = join(ROOT, 'test/support/kafka-mock-cluster.c');
const BINARY = join(ROOT, 'build/kafka-mock-cluster');
const INSTALL_HINT = 'install the Debian packages `librdkafka-dev gcc` (apt-get install -y librdkafka-dev gcc; macOS: brew install librdkafka), or set KAFKA_BROKERS to use a running Kafka';
const BOOTSTRAP_TIMEOUT_MS = 10_000;
const COMMAND_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 2_000;

export interface KafkaTopic {
  name: string;
  partitions: number;
}

export interface KafkaFixture {
  /** Bootstrap list as host:port strings, ready for `new Kafka({ brokers })`. */
  brokers: string[];
  /** True when the brokers come from KAFKA_BROKERS: broker control (down/up) is then unavailable. */
  external: boolean;
  /** Disconnects broker `id` (1-based) and refuses new connections until `up(id)`. */
  down(id: number): Promise<void>;
  up(id: number): Promise<void>;
  allDown(): Promise<void>;
  allUp(): Promise<void>;
  /** Ends the cluster; never throws, safe to call twice. */
  stop(): Promise<void>;
}

/** Starts a mock Kafka cluster with the given topics pre-created (or uses KAFKA_BROKERS). */
export async function startKafka(options: { topics: KafkaTopic[]; brokers?: number }): Promise<KafkaFixture> {
  const external = process.env.KAFKA_BROKERS?.trim();
  if (external) return useExternalKafka(external, options.topics);
  await compileLauncherOnce();
  return spawnMockCluster(options.brokers ?? 3, options.topics);
}

async function useExternalKafka(list: string, topics: KafkaTopic[]): Promise<KafkaFixture> {
  const brokers = list.split(',').map((b) => b.trim()).filter((b) => b.length > 0);
  const admin = new Kafka({ clientId: 'kafka-mock-cluster-fixture', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    // Create only the missing topics (CreateTopics needs a controller, which not every
    // Kafka-protocol broker names); one created meanwhile by someone else is fine too.
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      await admin.createTopics({ waitForLeaders: true, topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions })) });
    }
  } catch (err) {
    if (!/already exists/i.test(String((err as Error).message))) throw err;
  } finally {
    await admin.disconnect();
  }
  const unsupported = (): Promise<void> => Promise.reject(new Error('broker control needs the mock cluster (KAFKA_BROKERS is set, so the brokers are external)'));
  return { brokers, external: true, down: unsupported, up: unsupported, allDown: unsupported, allUp: unsupported, stop: () => Promise.resolve() };
}

// --- compiling the launcher ------------------------------------------------------------------

let compiling: Promise<void> | undefined;

/** Compiles the launcher at most once per process, and only when the binary is missing or stale. */
function compileLauncherOnce(): Promise<void> {
  compiling ??= compileLauncher().catch((err: unknown) => {
    compiling = undefined; // let a later suite retry (e.g. after the packages are installed)
    throw err;
  });
  return compiling;
}

async function compileLauncher(): Promise<void> {
  const mtime = (path: string): number => {
    try {
      return statSync(path).mtimeMs;
    } catch {
      return -1;
    }
  };
  if (mtime(BINARY) >= mtime(SOURCE)) return;
  mkdirSync(join(ROOT, 'build'), { recursive: true });
  // Compile to a private name, then rename: parallel compiles never see a half-written binary.
  const temp = `${BINARY}.${process.pid}.${Date.now()}.tmp`;
  await new Promise<void>((resolvePromise, reject) => {
    execFile('gcc', ['-O1', '-o', temp, SOURCE, '-lrdkafka'], { cwd: ROOT }, (err, _stdout, stderr) => {
      if (!err) return resolvePromise();
      rmSync(temp, { force: true });
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(new Error(`kafka mock cluster: gcc not found; ${INSTALL_HINT}`));
      }
      const missingLib = /rdkafka.*No such file|cannot find -lrdkafka/i.test(stderr);
      reject(new Error(`kafka mock cluster: compiling ${SOURCE} failed${missingLib ? ' (librdkafka is missing)' : ''}; ${INSTALL_HINT}\n${stderr}`));
    });
  });
  renameSync(temp, BINARY);
}

// --- running the launcher --------------------------------------------------------------------

async function spawnMockCluster(brokerCount: number, topics: KafkaTopic[]): Promise<KafkaFixture> {
  const args = ['--brokers', String(brokerCount), ...topics.flatMap((t) => ['--topic', `${t.name}:${t.partitions}`])];
  const child: ChildProcessWithoutNullStreams = spawn(BINARY, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8192);
  });
  child.stdin.on('error', () => {}); // EPIPE after the launcher died: surfaced through `exited`
  const describe = (): string => {
    const hint = /error while loading shared libraries/.test(stderr) ? `\n(librdkafka is missing; ${INSTALL_HINT})` : '';
    return `launcher stderr:\n${stderr || '(empty)'}${hint}`;
  };

  // `exited` settles when the launcher is gone, including when it could not be spawned at all.
  let exitCode: number | string | null = null;
  let spawnError: Error | undefined;
  let running = true;
  const exited = new Promise<void>((r) => {
    child.on('close', (code, signal) => {
      running = false;
      exitCode = code ?? signal;
      r();
    });
    child.on('error', (err) => {
      spawnError ??= err;
      if (child.pid === undefined) {
        running = false;
        r();
      }
    });
  });

  // The launcher answers every stdin line with exactly one stdout line, in order.
  const waiting: { resolve(line: string): void; reject(err: Error): void }[] = [];
  let onBootstrap: ((line: string) => void) | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (onBootstrap) onBootstrap(line);
    else waiting.shift()?.resolve(line);
  });
  let stopping = false;
  void exited.then(() => {
    // A launcher that dies while tests use it takes every broker with it: say so where CI shows it.
    if (!stopping) console.error(`kafka mock cluster exited unexpectedly (${String(exitCode)}); ${describe()}`);
    for (const w of waiting.splice(0)) w.reject(new Error(`kafka mock cluster exited (${String(exitCode)}); ${describe()}`));
  });

  const bootstrap = await new Promise<string>((resolvePromise, reject) => {
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`kafka mock cluster ${why}; ${describe()}`));
    };
    const timer = setTimeout(() => fail(`printed no BOOTSTRAP line within ${BOOTSTRAP_TIMEOUT_MS} ms`), BOOTSTRAP_TIMEOUT_MS);
    void exited.then(() => fail(spawnError ? `could not start ${BINARY}: ${spawnError.message}` : `exited (${String(exitCode)}) before printing BOOTSTRAP`));
    onBootstrap = (line) => {
      onBootstrap = undefined;
      if (!line.startsWith('BOOTSTRAP ')) return fail(`printed an unexpected first line: ${line}`);
      settled = true;
      clearTimeout(timer);
      resolvePromise(line.slice('BOOTSTRAP '.length).trim());
    };
  });

  // Commands are sent one at a time so each reply matches its command.
  let queue: Promise<unknown> = Promise.resolve();
  const command = (text: string): Promise<void> => {
    const run = async (): Promise<void> => {
      if (!running) throw new Error(`kafka mock cluster is not running (command: ${text})`);
      const reply = await new Promise<string>((resolvePromise, reject) => {
        const entry = {
          resolve: (line: string) => (clearTimeout(timer), resolvePromise(line)),
          reject: (err: Error) => (clearTimeout(timer), reject(err)),
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(entry), 1);
          reject(new Error(`kafka mock cluster: no reply to "${text}" within ${COMMAND_TIMEOUT_MS} ms; ${describe()}`));
        }, COMMAND_TIMEOUT_MS);
        waiting.push(entry);
        child.stdin.write(`${text}\n`);
      });
      if (reply !== `OK ${text}`) throw new Error(`kafka mock cluster: "${text}" failed: ${reply}`);
    };
    const result = queue.then(run);
    queue = result.catch(() => {});
    return result;
  };
  const ids = Array.from({ length: brokerCount }, (_, i) => i + 1);
  const checkId = (id: number): number => {
    if (!Number.isInteger(id) || id < 1 || id > brokerCount) throw new Error(`broker id ${id} is not in 1..${brokerCount}`);
    return id;
  };

  return {
    brokers: bootstrap.split(',').filter((b) => b.length > 0),
    external: false,
    down: async (id) => command(`down ${checkId(id)}`),
    up: async (id) => command(`up ${checkId(id)}`),
    allDown: async () => {
      for (const id of ids) await command(`down ${id}`);
    },
    allUp: async () => {
      for (const id of ids) await command(`up ${id}`);
    },
    stop: async () => {
      stopping = true;
      if (!running) return;
      // EOF on stdin makes the launcher destroy the cluster and exit; SIGKILL if it hangs.
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
