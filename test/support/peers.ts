// Where the real test peers are: the folders test/support/peers/build-peers.sh fills, once per
// machine, outside the clone (a Kafka broker's jars, an OpenTelemetry Collector, Prometheus 3).
// The names are computed the same way as the script's: <peer>-<version>-<hash of its definition>.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export type Peer = 'kafka' | 'otelcol' | 'prometheus';

const PEERS = resolve(import.meta.dirname, 'peers');
const DEFINING_FILES = ['pom.xml', 'go.mod', 'go.sum', 'main.go'];

function cacheRoot(): string {
  if (process.env.QSS_PEERS_DIR) return process.env.QSS_PEERS_DIR;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'qss-forwarder', 'peers');
}

export function peerVersion(peer: Peer): string {
  const patterns: Record<Peer, [string, RegExp]> = {
    kafka: ['kafka/pom.xml', /<kafka\.version>(.*)<\/kafka\.version>/],
    otelcol: ['otelcol/go.mod', /^\s*go\.opentelemetry\.io\/collector\/otelcol (v\S+)/m],
    prometheus: ['prometheus/go.mod', /^\s*github\.com\/prometheus\/prometheus (v\S+)/m],
  };
  const [file, pattern] = patterns[peer];
  const found = pattern.exec(readFileSync(join(PEERS, file), 'utf8'))?.[1];
  if (!found) throw new Error(`test/support/peers/${file} names no version of ${peer}`);
  return found;
}

function definitionHash(peer: Peer): string {
  const hash = createHash('sha256');
  for (const name of DEFINING_FILES) {
    const path = join(PEERS, peer, name);
    if (existsSync(path)) hash.update(readFileSync(path));
  }
  return hash.digest('hex').slice(0, 12);
}

/** The peer's folder; throws, naming the command that builds it, when it is not there yet. */
export function peerFolder(peer: Peer): string {
  const folder = join(cacheRoot(), `${peer}-${peerVersion(peer)}-${definitionHash(peer)}`);
  if (!existsSync(join(folder, 'ready'))) {
    throw new Error(`the test peer ${peer} ${peerVersion(peer)} is not built on this machine (looked in ${folder}): run \`bash test/support/peers/build-peers.sh ${peer}\` once (.ci/run does it)`);
  }
  return folder;
}
