// A real Apache Kafka for the integration tests, the benchmark and the soak: the broker jars from
// Maven Central (test/support/peers/kafka/pom.xml, fetched by build-peers.sh), started with the JVM
// in KRaft mode on 127.0.0.1, every node both broker and controller. One node, or three with
// replication factor 3 and min.insync.replicas 2. Each node has a PLAINTEXT listener (the tests' own
// clients and the brokers among themselves) and, when asked, a SASL_SSL listener with SCRAM-SHA-512
// users and a certificate signed by a CA made for the cluster.
//
// Faults are real: a node is killed (SIGKILL or SIGTERM) and started again on the same log dirs,
// or stalled with SIGSTOP and resumed with SIGCONT.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { peerFolder } from './peers.ts';
import { freePort } from './start-forwarder.ts';

export interface KafkaTopic {
  name: string;
  partitions: number;
  /** Topic-level configs, e.g. { 'retention.bytes': '1048576' }. */
  config?: Record<string, string>;
}

export interface KafkaUser {
  username: string;
  password: string;
}

export interface KafkaClusterOptions {
  /** 1 (default) or 3 nodes. */
  nodes?: 1 | 3;
  topics?: KafkaTopic[];
  /** Adds a SASL_SSL listener (SCRAM-SHA-512) on every node. */
  secure?: boolean;
  /** Extra server.properties lines for every node. */
  properties?: Record<string, string>;
  /**
   * 'quick-start' (default): the JVM's C1 compiler only, which starts a node in about half the time
   * and is plenty for tests; 'full': both compilers, for benchmarks.
   */
  jit?: 'quick-start' | 'full';
}

export interface KafkaCluster {
  /** PLAINTEXT bootstrap list, host:port. */
  brokers: string[];
  /** The SASL_SSL listener, when `secure` was asked. */
  secure?: { brokers: string[]; caFile: string; user: KafkaUser };
  nodeIds: number[];
  createTopics(topics: KafkaTopic[]): Promise<void>;
  /** The node leading `topic`'s `partition`. */
  leaderOf(topic: string, partition: number): Promise<number>;
  /** Ends node `id` with `signal` (default SIGKILL) and waits until it is gone. */
  kill(id: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a killed node again on its log dirs and waits until it accepts connections. */
  restart(id: number): Promise<void>;
  /** SIGSTOP: the node keeps its connections but answers nothing. */
  pause(id: number): void;
  resume(id: number): void;
  /** Every node killed / started again. */
  allDown(): Promise<void>;
  allUp(): Promise<void>;
  /** Where node `id` writes its log (for failure messages). */
  logOf(id: number): string;
  /** The JVM process of node `id` (for CPU figures). */
  pidOf(id: number): number | undefined;
  /** Kills every node and removes the cluster's folder; safe to call twice. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 90_000;
/** A node not listening by then is started once more (one bench run saw a node that never opened its port). */
const LISTEN_TIMEOUT_MS = 45_000;
const SCRAM_USER: KafkaUser = { username: 'qss-forwarder', password: 'scram-test-password' };

interface Node {
  id: number;
  port: number;
  controllerPort: number;
  securePort: number;
  dir: string;
  properties: string;
  child?: ChildProcess;
  exited?: Promise<void>;
}

/** A Kafka cluster id: 16 random bytes, base64url, as `kafka-storage random-uuid` prints (never starting with '-'). */
function clusterUuid(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function java(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** A CA and a node certificate it signs (for 127.0.0.1 and localhost), PEM, made with openssl. */
function makeCertificates(dir: string): { caFile: string; keystore: string } {
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=qss-forwarder test Kafka CA', '-keyout', 'ca.key', '-out', 'ca.pem']);
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=localhost', '-keyout', 'node.key', '-out', 'node.csr']);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run(['x509', '-req', '-in', 'node.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'node.pem']);
  // Kafka's PEM keystore wants a PKCS#8 key followed by the certificate chain, in one file.
  run(['pkcs8', '-topk8', '-nocrypt', '-in', 'node.key', '-out', 'node.pk8']);
  const keystore = join(dir, 'keystore.pem');
  writeFileSync(keystore, readFileSync(join(dir, 'node.pk8'), 'utf8') + readFileSync(join(dir, 'node.pem'), 'utf8'));
  return { caFile: join(dir, 'ca.pem'), keystore };
}

function serverProperties(node: Node, nodes: Node[], keystore: string | undefined, extra: Record<string, string>): string {
  const n = nodes.length;
  const listeners = [`PLAINTEXT://127.0.0.1:${node.port}`, `CONTROLLER://127.0.0.1:${node.controllerPort}`];
  const advertised = [`PLAINTEXT://127.0.0.1:${node.port}`];
  const protocols = ['PLAINTEXT:PLAINTEXT', 'CONTROLLER:PLAINTEXT'];
  if (keystore) {
    listeners.push(`SECURE://127.0.0.1:${node.securePort}`);
    advertised.push(`SECURE://127.0.0.1:${node.securePort}`);
    protocols.push('SECURE:SASL_SSL');
  }
  const props: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': String(node.id),
    'controller.quorum.voters': nodes.map((o) => `${o.id}@127.0.0.1:${o.controllerPort}`).join(','),
    listeners: listeners.join(','),
    'advertised.listeners': advertised.join(','),
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': protocols.join(','),
    'log.dirs': join(node.dir, 'data'),
    'num.partitions': '1',
    'default.replication.factor': String(n),
    'min.insync.replicas': n === 3 ? '2' : '1',
    'offsets.topic.replication.factor': String(n),
    'offsets.topic.num.partitions': '5',
    'transaction.state.log.replication.factor': String(n),
    'transaction.state.log.min.isr': n === 3 ? '2' : '1',
    'group.initial.rebalance.delay.ms': '0',
    'log.retention.check.interval.ms': '1000',
    'log.segment.delete.delay.ms': '0',
    'controlled.shutdown.enable': 'true',
    ...(keystore
      ? {
          'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
          'listener.name.secure.scram-sha-512.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
          'listener.name.secure.ssl.keystore.type': 'PEM',
          'listener.name.secure.ssl.keystore.location': keystore,
        }
      : {}),
    ...extra,
  };
  return Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Starts a Kafka cluster (1 or 3 nodes) and creates `topics`; `stop()` ends it. */
export async function startKafka(options: KafkaClusterOptions = {}): Promise<KafkaCluster> {
  const libs = join(peerFolder('kafka'), 'libs', '*');
  const count = options.nodes ?? 1;
  const root = mkdtempSync(join(tmpdir(), 'qss-kafka-'));
  const nodes: Node[] = [];
  for (let id = 1; id <= count; id++) {
    const dir = join(root, `node-${id}`);
    mkdirSync(dir);
    nodes.push({ id, port: await freePort(), controllerPort: await freePort(), securePort: await freePort(), dir, properties: join(dir, 'server.properties') });
  }
  const tls = options.secure ? makeCertificates(root) : undefined;
  for (const node of nodes) writeFileSync(node.properties, serverProperties(node, nodes, tls?.keystore, options.properties ?? {}));

  // Format every node's log dir with one cluster id (and the SCRAM user, written into the
  // bootstrap metadata), all at once: each format is a JVM start.
  const clusterId = clusterUuid();
  const scram = options.secure ? ['--add-scram', `SCRAM-SHA-512=[name=${SCRAM_USER.username},password=${SCRAM_USER.password}]`] : [];
  await Promise.all(
    nodes.map(
      (node) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(java(), ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', libs, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', node.properties, ...scram], { stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (out += d.toString()));
          child.on('error', (err) => reject(new Error(`kafka: could not run ${java()} (Kafka 4 needs Java 17+; set JAVA_HOME or put java on PATH): ${err.message}`)));
          child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`kafka: formatting node ${node.id} failed (exit ${code}):\n${out}`))));
        }),
    ),
  );

  let stopped = false;
  const killAll = (): void => {
    for (const node of nodes) {
      if (node.child?.exitCode === null && node.child.signalCode === null) {
        try {
          node.child.kill('SIGCONT');
          node.child.kill('SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
  };
  const atExit = (): void => {
    killAll();
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', atExit); // a test process that ends or dies never leaves brokers behind

  const launch = (node: Node): void => {
    const log = join(node.dir, 'broker.log');
    const child = spawn(
      java(),
 [...(options.jit === 'full' ? [] : ['-XX:TieredStopAtLevel=1']), '-Xms256m', '-Xmx1g', '-XX:+UseSerialGC', '-Dorg.slf4j.simpleLogger.defaultLogLevel=info', '-Dorg.slf4j.simpleLogger.showDateTime=true', '-cp', libs, 'kafka.Kafka', node.properties],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const append = (d: Buffer): void => writeFileSync(log, d, { flag: 'a' });
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    node.child = child;
    node.exited = new Promise((resolve) => child.once('close', () => resolve()));
  };
  const listening = async (node: Node, timeoutMs: number): Promise<boolean> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await portOpen(node.port))) {
      if (node.child?.exitCode !== null) throw new Error(`kafka node ${node.id} exited (${node.child?.exitCode}) while starting; its log:\n${tail(logPath(node))}`);
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 200));
    }
    return true;
  };
  /** Until the node accepts connections; a node silent for LISTEN_TIMEOUT_MS is killed and started once more, its log kept. */
  const waitListening = async (node: Node): Promise<void> => {
    if (await listening(node, LISTEN_TIMEOUT_MS)) return;
    const kept = join(tmpdir(), `qss-kafka-node-${node.id}-${Date.now()}-not-listening.log`); // outside the cluster's folder, which stop() removes
    copyFileSync(logPath(node), kept);
    console.error(`kafka node ${node.id} did not listen on ${node.port} within ${LISTEN_TIMEOUT_MS} ms: starting it once more (its log: ${kept})`);
    node.child?.kill('SIGKILL');
    await node.exited;
    launch(node);
    if (await listening(node, READY_TIMEOUT_MS)) return;
    throw new Error(`kafka node ${node.id} did not listen on ${node.port} within ${READY_TIMEOUT_MS} ms, twice; its log:\n${tail(logPath(node))}`);
  };
  const brokers = nodes.map((n) => `127.0.0.1:${n.port}`);
  const admin = async <T>(use: (a: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> => {
    const a = new Kafka({ clientId: 'kafka-test-fixture', brokers, logLevel: logLevel.NOTHING, retry: { retries: 8 } }).admin();
    await a.connect();
    try {
      return await use(a);
    } finally {
      await a.disconnect();
    }
  };
  /** Until every node is registered and answers metadata. */
  const waitCluster = async (): Promise<void> => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const seen = await admin((a) => a.describeCluster()).then(
        (c) => c.brokers.length,
        () => 0,
      );
      if (seen === count) return;
      if (Date.now() > deadline) throw new Error(`kafka: ${seen} of ${count} nodes registered after ${READY_TIMEOUT_MS} ms; logs in ${root}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const byId = (id: number): Node => {
    const node = nodes.find((n) => n.id === id);
    if (!node) throw new Error(`kafka: no node ${id} (nodes 1..${count})`);
    return node;
  };
  const kill = async (id: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const node = byId(id);
    if (!node.child || node.child.exitCode !== null || node.child.signalCode !== null) return;
    node.child.kill('SIGCONT');
    node.child.kill(signal);
    await node.exited;
  };
  const restart = async (id: number): Promise<void> => {
    const node = byId(id);
    await kill(id);
    launch(node);
    await waitListening(node);
  };
  const createTopics = async (topics: KafkaTopic[]): Promise<void> => {
    if (topics.length === 0) return;
    await admin((a) =>
      a.createTopics({
        waitForLeaders: true,
        topics: topics.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: count, configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })) })),
      }),
    );
  };

  try {
    nodes.forEach(launch);
    await Promise.all(nodes.map(waitListening));
    await waitCluster();
    await createTopics(options.topics ?? []);
  } catch (err) {
    killAll();
    throw err;
  }

  return {
    brokers,
    ...(tls ? { secure: { brokers: nodes.map((n) => `127.0.0.1:${n.securePort}`), caFile: tls.caFile, user: SCRAM_USER } } : {}),
    nodeIds: nodes.map((n) => n.id),
    createTopics,
    leaderOf: async (topic, partition) => {
      const { topics } = await admin((a) => a.fetchTopicMetadata({ topics: [topic] }));
      const leader = topics[0]?.partitions.find((p) => p.partitionId === partition)?.leader;
      if (leader === undefined || leader < 0) throw new Error(`kafka: ${topic}[${partition}] has no leader`);
      return leader;
    },
    kill,
    restart,
    pause: (id) => void byId(id).child?.kill('SIGSTOP'),
    resume: (id) => void byId(id).child?.kill('SIGCONT'),
    allDown: async () => {
      await Promise.all(nodes.map((n) => kill(n.id)));
    },
    allUp: async () => {
      for (const node of nodes) if (!node.child || node.child.exitCode !== null || node.child.signalCode !== null) launch(node);
      await Promise.all(nodes.map(waitListening));
      await waitCluster();
    },
    logOf: (id) => logPath(byId(id)),
    pidOf: (id) => byId(id).child?.pid,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', atExit);
      killAll();
      await Promise.all(nodes.map((n) => n.exited));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function logPath(node: Node): string {
  return join(node.dir, 'broker.log');
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}

let shared: Promise<KafkaCluster> | undefined;

/**
 * One single-node Kafka for every test of this process that needs no faults of its own (each uses
 * its own topics): started on first use, ended when the process exits. Tests that kill or stall a
 * node start their own cluster.
 */
export async function sharedKafka(topics: KafkaTopic[] = []): Promise<KafkaCluster> {
  shared ??= startKafka().catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  const cluster = await shared;
  await cluster.createTopics(topics);
  return cluster;
}
