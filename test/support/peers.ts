// Where the real test peers are: the folders test/support/peers/build-peers.sh fills, once per
// machine, outside the clone (a Kafka broker's jars, an OpenTelemetry Collector, Prometheus 3).
// The names are computed the same way as the script's: <peer>-<version>-<hash of its definition>.
// While the script builds a peer (.ci/run builds the Go ones in the background), <folder>.building
// holds its pid: `peerBuilt` waits for it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export type Peer = 'kafka' | 'otelcol' | 'prometheus';

const PEERS = resolve(import.meta.dirname, 'peers');
/** The files that define each peer (build-peers.sh's defining_files): the Collector and Prometheus are one Go module. */
const DEFINING_FILES: Record<Peer, string[]> = {
  kafka: ['kafka/pom.xml'],
  otelcol: ['go/go.mod', 'go/go.sum', 'go/otelcol/main.go'],
  prometheus: ['go/go.mod', 'go/go.sum', 'go/otelcol/main.go'],
};

function cacheRoot(): string {
  if (process.env.QSS_PEERS_DIR) return process.env.QSS_PEERS_DIR;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'qss-forwarder', 'peers');
}

export function peerVersion(peer: Peer): string {
  const patterns: Record<Peer, [string, RegExp]> = {
    kafka: ['kafka/pom.xml', /<kafka\.version>(.*)<\/kafka\.version>/],
    otelcol: ['go/go.mod', /^\s*go\.opentelemetry\.io\/collector\/otelcol (v\S+)/m],
    prometheus: ['go/go.mod', /^\s*github\.com\/prometheus\/prometheus (v\S+)/m],
  };
  const [file, pattern] = patterns[peer];
  const found = pattern.exec(readFileSync(join(PEERS, file), 'utf8'))?.[1];
  if (!found) throw new Error(`test/support/peers/${file} names no version of ${peer}`);
  return found;
}

function definitionHash(peer: Peer): string {
  const hash = createHash('sha256');
  for (const file of DEFINING_FILES[peer]) hash.update(readFileSync(join(PEERS, file)));
  return hash.digest('hex').slice(0, 12);
}

function readFileIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const folderOf = (peer: Peer): string => join(cacheRoot(), `${peer}-${peerVersion(peer)}-${definitionHash(peer)}`);

/** The peer's folder; throws, naming the command that builds it, when it is not there yet. */
export function peerFolder(peer: Peer): string {
  const folder = folderOf(peer);
  if (!existsSync(join(folder, 'ready'))) {
    throw new Error(`the test peer ${peer} ${peerVersion(peer)} is not built on this machine (looked in ${folder}): run \`bash test/support/peers/build-peers.sh ${peer}\` once (.ci/run does it)`);
  }
  return folder;
}

/** The build of the peer's folder under way, from its marker: build-peers.sh's pid and log, while that process lives. */
function buildUnderWay(folder: string): { pid: number; log: string } | undefined {
  const marker = readFileIfThere(`${folder}.building`);
  if (marker === undefined) return undefined;
  const [pid, log = ''] = marker.split('\n');
  // The build ended when its process is gone (its marker goes with it, unless it was SIGKILLed; a
  // reused pid is told apart by its command line).
  const command = readFileIfThere(`/proc/${Number(pid)}/cmdline`);
  return command?.includes('build-peers') ? { pid: Number(pid), log } : undefined;
}

/** How long a test waits for a peer build under way: a cold Collector build takes ~15 min of two cores. */
export const PEER_BUILD_WAIT_MS = 45 * 60_000;

/**
 * The peer's folder, once built: when build-peers.sh is building it right now, waits (saying so
 * every minute) until it is ready, at most `PEER_BUILD_WAIT_MS`; otherwise as `peerFolder`.
 */
export async function peerBuilt(peer: Peer): Promise<string> {
  const folder = folderOf(peer);
  const started = Date.now();
  let said = 0;
  for (;;) {
    if (existsSync(join(folder, 'ready'))) return folder;
    const build = buildUnderWay(folder);
    if (!build || Date.now() - started > PEER_BUILD_WAIT_MS) return peerFolder(peer);
    if (Date.now() - said >= 60_000) {
      said = Date.now();
      const waited = Math.round((said - started) / 60_000);
      console.log(`      … waiting for build-peers.sh (pid ${build.pid}) to finish building ${peer} ${peerVersion(peer)}${build.log ? ` (log: ${build.log})` : ''}${waited ? `: ${waited} min so far` : ''}`);
    }
    await sleep(2000);
  }
}
