// The container image, checked without a Docker engine: a small Dockerfile parser (instructions,
// continuation lines, comments, JSON and shell forms, flags, stages) and a .dockerignore matcher
// (Docker's rules: last matching pattern wins, `!` re-includes, a pattern matching a folder covers
// what is inside it), then the properties the deployment relies on, checked against the repository
// (package.json, the lockfile, the forwarder's config schema) rather than against literals.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, posix } from 'node:path';
import { parseForwarderConfig, parseSinksConfig } from '../../../src/config/load-config.ts';

const ROOT = join(import.meta.dirname, '../../..');

// --- Dockerfile parser ----------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  /** Everything after the keyword and its flags, continuation lines joined with a space. */
  args: string;
  /** `--name=value` options before the arguments (FROM, COPY, RUN, HEALTHCHECK, …). */
  flags: Record<string, string>;
  /** The arguments as a JSON array (exec form), when they are one. */
  json?: string[];
  line: number;
}

interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

interface Dockerfile {
  /** ARG instructions before the first FROM. */
  globalArgs: Instruction[];
  stages: Stage[];
}

function parseJsonArray(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}

function splitFlags(rest: string): { flags: Record<string, string>; args: string } {
  const flags: Record<string, string> = {};
  let args = rest;
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(args);
    if (m === null) break;
    flags[m[1] as string] = m[2] ?? 'true';
    args = args.slice(m[0].length);
  }
  return { flags, args };
}

function parseDockerfile(text: string): Dockerfile {
  const logical: { text: string; line: number }[] = [];
  let current: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (/^\s*#/.test(line) || (current === undefined && line.trim() === '')) return; // comments go, even inside a continuation
    const continued = /\\\s*$/.test(line);
    const part = continued ? line.replace(/\\\s*$/, '') : line;
    current = current === undefined ? { text: part.trim(), line: i + 1 } : { ...current, text: `${current.text} ${part.trim()}`.trim() };
    if (!continued) {
      logical.push(current);
      current = undefined;
    }
  });
  if (current !== undefined) logical.push(current);

  const result: Dockerfile = { globalArgs: [], stages: [] };
  for (const { text: l, line } of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(l);
    if (m === null) continue;
    const keyword = (m[1] as string).toUpperCase();
    const { flags, args } = splitFlags(m[2] as string);
    const json = parseJsonArray(args);
    const instruction: Instruction = json === undefined ? { keyword, args, flags, line } : { keyword, args, flags, json, line };
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      expect(from, `FROM at line ${line}`).to.not.equal(null);
      const stage: Stage = from?.[2] === undefined ? { image: from?.[1] ?? '', instructions: [] } : { image: from[1] as string, name: from[2], instructions: [] };
      result.stages.push(stage);
    } else if (result.stages.length === 0) {
      result.globalArgs.push(instruction);
    } else {
      result.stages[result.stages.length - 1]?.instructions.push(instruction);
    }
  }
  return result;
}

const all = (stage: Stage, keyword: string): Instruction[] => stage.instructions.filter((i) => i.keyword === keyword);
const lastOf = (stage: Stage, keyword: string): Instruction | undefined => all(stage, keyword).at(-1);

/** Splits `HEALTHCHECK [--options] CMD …` into its options and command. */
function healthcheckOf(stage: Stage): { options: Record<string, string>; command: string[] | string } | undefined {
  const hc = lastOf(stage, 'HEALTHCHECK');
  if (hc === undefined) return undefined;
  const m = /^CMD\s+(.*)$/s.exec(hc.args);
  expect(m, 'HEALTHCHECK … CMD').to.not.equal(null);
  const rest = (m?.[1] ?? '').trim();
  return { options: hc.flags, command: parseJsonArray(rest) ?? rest };
}

/** Docker duration (30s, 1m30s, 500ms) in milliseconds. */
function durationMs(text: string): number {
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  }
  return total;
}

// --- .dockerignore matcher ------------------------------------------------------------------------

interface IgnoreRule {
  negate: boolean;
  regex: RegExp;
}

function globToRegex(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      i++;
      if (pattern[i + 1] === '/') {
        i++;
        out += '(?:.*/)?';
      } else {
        out += '.*';
      }
    } else if (c === '*') {
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i);
      out += pattern.slice(i, end + 1).replace(/^\[!/, '[^');
      i = end;
    } else {
      out += c.replace(/[.+^${}()|\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`);
}

function parseDockerignore(text: string): IgnoreRule[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = posix.normalize((negate ? l.slice(1) : l).trim()).replace(/^\/+/, '').replace(/\/+$/, '');
      return { negate, regex: globToRegex(pattern) };
    });
}

/** Whether the build context leaves out `path` (relative, forward slashes). */
function isIgnored(rules: IgnoreRule[], path: string): boolean {
  const parts = path.split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (prefixes.some((p) => rule.regex.test(p))) ignored = !rule.negate;
  }
  return ignored;
}

function filesUnder(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) out.push(...filesUnder(dir, path));
    else out.push(path);
  }
  return out;
}

// --- the repository -------------------------------------------------------------------------------

const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const ignoreRules = parseDockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  license: string;
  engines: { node: string };
  bin: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean; devOptional?: boolean; hasInstallScript?: boolean }>;
};
const stageNames = new Set(dockerfile.stages.map((s) => s.name).filter((n): n is string => n !== undefined));
const finalStage = dockerfile.stages.at(-1) as Stage;
const buildStages = dockerfile.stages.slice(0, -1);
const defaults = (() => {
  const r = parseForwarderConfig('(defaults)', '', {});
  if (!r.ok) throw new Error('the empty forwarder config must be valid');
  return r.value;
})();

/** COPY instructions that read the build context (no --from). */
const contextCopies = (stage: Stage): { sources: string[]; dest: string; line: number }[] =>
  all(stage, 'COPY')
    .filter((i) => i.flags.from === undefined)
    .map((i) => {
      const words = i.json ?? i.args.split(/\s+/);
      return { sources: words.slice(0, -1), dest: words.at(-1) as string, line: i.line };
    });

describe('Dockerfile', () => {
  describe('parser (test support)', () => {
    const sample = parseDockerfile(
      [
        '# syntax comment',
        'ARG BASE=node:1.2.3',
        'FROM node:1.2.3-slim AS build',
        'RUN apt-get update \\',
        '  # a comment inside a continuation is dropped',
        ' && apt-get install -y g++',
        'COPY --from=build --chown=1:1 /a /b',
        'FROM build',
        'HEALTHCHECK --interval=5s CMD ["node", "-e", "x"]',
        'CMD echo hi',
      ].join('\n'),
    );
    it('joins continuation lines and drops comments', () => {
      expect(sample.stages[0]?.instructions[0]?.args).to.equal('apt-get update && apt-get install -y g++');
    });
    it('knows stages, global ARGs, flags, exec and shell forms', () => {
      expect(sample.globalArgs.map((a) => a.args)).to.deep.equal(['BASE=node:1.2.3']);
      expect(sample.stages.map((s) => [s.image, s.name])).to.deep.equal([['node:1.2.3-slim', 'build'], ['build', undefined]]);
      expect(sample.stages[0]?.instructions[1]?.flags).to.deep.equal({ from: 'build', chown: '1:1' });
      const second = sample.stages[1] as Stage;
      expect(healthcheckOf(second)).to.deep.equal({ options: { interval: '5s' }, command: ['node', '-e', 'x'] });
      expect(lastOf(second, 'CMD')?.json).to.equal(undefined);
    });
  });

  describe('.dockerignore matcher (test support)', () => {
    const rules = parseDockerignore('*\n!src/\n**/*.secret\n!keep/**/x.txt\n');
    it('applies the last matching rule, to a path and to every folder above it', () => {
      expect(isIgnored(rules, 'README.md')).to.equal(true);
      expect(isIgnored(rules, 'src/a/b.ts')).to.equal(false);
      expect(isIgnored(rules, 'src/a/b.secret')).to.equal(true);
      expect(isIgnored(rules, 'keep/deep/x.txt')).to.equal(false);
      expect(isIgnored(rules, 'keep/deep/y.txt')).to.equal(true);
    });
  });

  describe('base images', () => {
    it('is multi-stage: build stages and a separate runtime stage', () => {
      expect(dockerfile.stages.length).to.be.at.least(2);
      expect(buildStages.map((s) => s.name)).to.include('build');
      expect(finalStage.name).to.equal('runtime');
    });

    it('pins every base image to an exact version (or a digest), never latest', () => {
      for (const stage of dockerfile.stages.filter((s) => !stageNames.has(s.image))) {
        const m = /^(?<repo>[^:@\s]+)(?::(?<tag>[^@\s]+))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/.exec(stage.image);
        expect(m, stage.image).to.not.equal(null);
        const { tag, digest } = m?.groups ?? {};
        expect(tag, `${stage.image}: tag`).to.not.equal('latest');
        expect(digest !== undefined || /^v?\d+\.\d+\.\d+(?:-[a-z0-9.-]+)?$/.test(tag ?? ''), `${stage.image} is pinned to an exact version`).to.equal(true);
        expect(stage.image, 'no ARG indirection: the pin is visible here').to.not.include('$');
      }
    });

    it('builds and runs on one Node release: the newest line package.json engines claims, the one .ci/run tests', () => {
      const images = new Set(dockerfile.stages.filter((s) => !stageNames.has(s.image)).map((s) => s.image));
      expect([...images], 'one base image for build and runtime (the native module is built for it)').to.have.length(1);
      const [image] = [...images] as [string];
      expect(image).to.match(/-slim$/);
      const version = /^node:(\d+\.\d+\.\d+)-/.exec(image)?.[1] ?? '';
      expect(version, image).to.not.equal('');
      const parts = (v: string): number[] => v.split('.').map(Number);
      const [major] = parts(version);
      // One `^X.Y.Z` range per major the suite runs on; the image's release is in the newest one.
      const floors = pkg.engines.node.split('||').map((r) => r.trim());
      for (const f of floors) expect(f, `package.json engines.node "${pkg.engines.node}"`).to.match(/^\^\d+\.\d+\.\d+$/);
      const newest = floors.map((f) => f.slice(1)).sort((a, b) => (parts(b)[0] ?? 0) - (parts(a)[0] ?? 0))[0] ?? '';
      expect(major, 'the image is on the newest line engines claims').to.equal(parts(newest)[0]);
      const [, minor = 0, patch = 0] = parts(version);
      const [, floorMinor = 0, floorPatch = 0] = parts(newest);
      expect(minor > floorMinor || (minor === floorMinor && patch >= floorPatch), `${version} satisfies ^${newest}`).to.equal(true);
      const ci = /^IMAGE_NODE_VERSION=(\S+)$/m.exec(readFileSync(join(ROOT, '.ci/run'), 'utf8'))?.[1];
      expect(ci, '.ci/run runs the whole suite on the image\'s Node release').to.equal(version);
    });
  });

  describe('build stage', () => {
    const build = dockerfile.stages.find((s) => s.name === 'build') as Stage;
    const runs = all(build, 'RUN').map((r) => r.args);

    it('installs the build tools for the native module (python3, make, g++)', () => {
      const install = runs.find((r) => r.includes('apt-get install')) ?? '';
      for (const tool of ['python3', 'make', 'g++']) expect(install.split(/\s+/)).to.include(tool);
      expect(install, 'apt lists removed in the same layer').to.include('rm -rf /var/lib/apt/lists');
    });

    it('runs npm ci --omit=dev from the lockfile', () => {
      const ci = runs.find((r) => /\bnpm ci\b/.test(r)) ?? '';
      expect(ci).to.include('--omit=dev');
      const copied = contextCopies(build).flatMap((c) => c.sources);
      expect(copied).to.include.members(['package.json', 'package-lock.json']);
    });

    it('runs install scripts for exactly the production packages package.json allowScripts approves', () => {
      const ci = runs.find((r) => /\bnpm ci\b/.test(r)) ?? '';
      expect(ci, 'no install script runs unreviewed, whatever npm version the image has').to.include('--ignore-scripts');
      const rebuilt = /npm rebuild ([^&;|]+)/.exec(ci)?.[1]?.trim().split(/\s+/) ?? [];
      const approved = Object.entries(pkg.allowScripts ?? {}).filter(([, ok]) => ok).map(([name]) => name);
      const withScripts = Object.entries(lock.packages)
        .filter(([path, p]) => path !== '' && p.hasInstallScript === true && p.dev !== true && p.devOptional !== true)
        .map(([path]) => path.replace(/^.*node_modules\//, ''));
      expect([...rebuilt].sort()).to.deep.equal([...withScripts].sort());
      for (const name of rebuilt) expect(approved, `${name} is approved in package.json allowScripts`).to.include(name);
      expect(ci, 'the native module is proven to load').to.match(/require\('better-sqlite3'\)/);
    });
  });

  describe('runtime stage', () => {
    it('has no build tools and installs nothing', () => {
      for (const run of all(finalStage, 'RUN')) {
        expect(run.args).to.not.match(/apt-get install|\bnpm (ci|install)\b|\bg\+\+/);
      }
    });

    it('copies only what runs: bin, src, config, package.json from the context and node_modules from the build stage', () => {
      const sources = contextCopies(finalStage).flatMap((c) => c.sources.map((s) => s.replace(/\/$/, '')));
      expect([...sources].sort()).to.deep.equal(['bin', 'config', 'package.json', 'src']);
      const fromBuild = all(finalStage, 'COPY').filter((c) => c.flags.from !== undefined);
      expect(fromBuild.map((c) => [c.flags.from, c.args])).to.deep.equal([['build', '/app/node_modules ./node_modules']]);
    });

    it('works in /app, where the CLI\'s default config paths are', () => {
      expect(lastOf(finalStage, 'WORKDIR')?.args).to.equal('/app');
      for (const rel of ['config/forwarder.yaml', 'config/sinks.yaml']) expect(existsSync(join(ROOT, rel)), rel).to.equal(true);
    });

    it('runs as a non-root user with a fixed numeric uid and gid', () => {
      const user = lastOf(finalStage, 'USER')?.args ?? '';
      const m = /^(\d+)(?::(\d+))?$/.exec(user);
      expect(m, `USER ${user} is numeric`).to.not.equal(null);
      expect(Number(m?.[1])).to.equal(10001);
      expect(Number(m?.[2] ?? m?.[1])).to.equal(10001);
      const created = all(finalStage, 'RUN').map((r) => r.args).join('\n');
      expect(created).to.match(/useradd [^\n]*--uid 10001 --gid 10001/);
      const userLine = lastOf(finalStage, 'USER')?.line ?? 0;
      expect((lastOf(finalStage, 'ENTRYPOINT')?.line ?? 0) > userLine, 'USER comes before ENTRYPOINT').to.equal(true);
    });

    it('declares the data volume and /tmp as volumes, the data volume owned by that user', () => {
      const volumes = all(finalStage, 'VOLUME').flatMap((v) => v.json ?? v.args.split(/\s+/));
      expect(volumes).to.include.members(['/var/lib/qss-forwarder', '/tmp']);
      const runs = all(finalStage, 'RUN').map((r) => r.args).join('\n');
      expect(runs).to.include('chown 10001:10001 /var/lib/qss-forwarder');
    });

    it('sends the shipped config\'s relative ./data paths to the data volume (link /app/data)', () => {
      const runs = all(finalStage, 'RUN').map((r) => r.args).join('\n');
      expect(runs).to.include('ln -s /var/lib/qss-forwarder /app/data');
      const fwd = parseForwarderConfig('config/forwarder.yaml', readFileSync(join(ROOT, 'config/forwarder.yaml'), 'utf8'), { KAFKA_BROKERS: 'k:9092' });
      const sinks = parseSinksConfig('config/sinks.yaml', readFileSync(join(ROOT, 'config/sinks.yaml'), 'utf8'), {});
      expect(fwd.ok && sinks.ok).to.equal(true);
      if (!fwd.ok || !sinks.ok) return;
      const written = [
        fwd.value.data_dir,
        fwd.value.bus.embedded.path,
        fwd.value.bus.kafka.spool.path,
        ...Object.values(sinks.value.sinks).flatMap((s) => ('path' in s && typeof s.path === 'string' ? [s.path] : [])),
      ];
      for (const path of written) {
        const abs = posix.resolve('/app', path);
        expect(abs === '/app/data' || abs.startsWith('/app/data/'), `${path} → ${abs} is on the volume`).to.equal(true);
      }
    });

    it('starts the CLI with node as PID 1 (exec form), serve by default', () => {
      const entrypoint = lastOf(finalStage, 'ENTRYPOINT');
      expect(entrypoint?.json, 'ENTRYPOINT in exec form').to.deep.equal(['node', posix.join('/app', pkg.bin['qss-forwarder'] as string)]);
      expect(lastOf(finalStage, 'CMD')?.json).to.deep.equal(['serve']);
      const bin = readFileSync(join(ROOT, pkg.bin['qss-forwarder'] as string), 'utf8');
      expect(bin, 'the entry point registers tsx itself (no build step, no --import flag needed)').to.include("register()");
    });

    it('exposes the webhook and admin ports the forwarder listens on by default', () => {
      const exposed = all(finalStage, 'EXPOSE').flatMap((e) => e.args.split(/\s+/)).map((p) => Number(p.replace(/\/tcp$/, '')));
      expect(exposed.sort()).to.deep.equal([defaults.server.port, defaults.admin.port].sort());
      expect([defaults.server.port, defaults.admin.port]).to.deep.equal([8080, 9464]);
    });

    it('opens the admin listener to the container network (ADMIN_HOST=0.0.0.0), where the shipped config keeps it on loopback', () => {
      const env = Object.fromEntries(all(finalStage, 'ENV').flatMap((e) => [...e.args.matchAll(/([A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]])));
      expect(env.ADMIN_HOST).to.equal('0.0.0.0');
      const text = readFileSync(join(ROOT, 'config/forwarder.yaml'), 'utf8');
      const inImage = parseForwarderConfig('config/forwarder.yaml', text, { ADMIN_HOST: env.ADMIN_HOST });
      const local = parseForwarderConfig('config/forwarder.yaml', text, {});
      expect([inImage.ok && inImage.value.admin.host, local.ok && local.value.admin.host]).to.deep.equal(['0.0.0.0', '127.0.0.1']);
      expect(defaults.admin.host, 'a config file without admin.host').to.equal('127.0.0.1');
    });

    it('has a HEALTHCHECK that asks the admin listener\'s /healthz with node (no curl in a slim image)', () => {
      const hc = healthcheckOf(finalStage);
      expect(hc, 'HEALTHCHECK').to.not.equal(undefined);
      const command = hc?.command;
      expect(Array.isArray(command), 'exec form').to.equal(true);
      const [program, flag, script] = command as string[];
      expect([program, flag]).to.deep.equal(['node', '-e']);
      expect(script).to.include('/healthz').and.to.include('ADMIN_PORT').and.to.include(String(defaults.admin.port));
      expect(script).to.not.include('/readyz');
      const timeout = durationMs(hc?.options.timeout ?? '30s');
      expect(timeout).to.be.below(durationMs(hc?.options.interval ?? '30s'));
      expect(Number(/AbortSignal\.timeout\((\d+)\)/.exec(script ?? '')?.[1]), 'the probe gives up before Docker does').to.be.below(timeout);
    });

    it('carries the OCI image labels', () => {
      const text = all(finalStage, 'LABEL').map((l) => l.args).join(' ');
      const labels = Object.fromEntries([...text.matchAll(/(org\.opencontainers\.image\.[a-z.]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      for (const key of ['title', 'description', 'version', 'revision', 'created', 'source', 'licenses']) {
        expect(labels, key).to.have.property(`org.opencontainers.image.${key}`);
      }
      expect(labels['org.opencontainers.image.licenses']).to.equal(pkg.license);
      expect(labels['org.opencontainers.image.base.name']).to.equal(`docker.io/library/${finalStage.image}`);
    });
  });

  describe('build context', () => {
    it('every COPY source exists and is not left out by .dockerignore', () => {
      for (const stage of dockerfile.stages) {
        for (const copy of contextCopies(stage)) {
          for (const source of copy.sources) {
            const rel = source.replace(/\/$/, '');
            expect(existsSync(join(ROOT, rel)), `${source} (line ${copy.line}) exists`).to.equal(true);
            expect(isIgnored(ignoreRules, rel), `${source} is in the build context`).to.equal(false);
            if (statSync(join(ROOT, rel)).isDirectory()) {
              for (const file of filesUnder(join(ROOT, rel))) {
                expect(isIgnored(ignoreRules, `${rel}/${file}`), `${rel}/${file} is in the build context`).to.equal(false);
              }
            }
          }
        }
      }
    });

    it('never copies node_modules from the build context', () => {
      for (const stage of dockerfile.stages) {
        for (const copy of contextCopies(stage)) {
          for (const source of copy.sources) expect(source, `line ${copy.line}`).to.not.match(/(^|\/)node_modules(\/|$)|^\.$|^\.\/$|\*/);
        }
      }
      expect(isIgnored(ignoreRules, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')).to.equal(true);
    });

    it('keeps secrets, local state and everything that does not run out of the context', () => {
      for (const path of ['.env', 'data/local-secret-token', 'data/bus.sqlite', 'build/kafka-mock-cluster', '.git/HEAD', 'test/unit/x.test.ts', 'helm/qss-forwarder/values.yaml', 'docs/deploy.md', 'docker-compose.yml', 'config/.env', 'src/x.sqlite']) {
        expect(isIgnored(ignoreRules, path), path).to.equal(true);
      }
    });
  });

  describe('healthcheck probe (run for real)', () => {
    const script = ((healthcheckOf(finalStage)?.command ?? []) as string[])[2] ?? '';
    let server: Server;
    let status = 200;
    let port = 0;
    before(async () => {
      server = createServer((req, res) => {
        res.statusCode = req.url === '/healthz' ? status : 404;
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    // Asynchronous: the server answering the probe runs in this process.
    const probe = (adminPort: number): Promise<number | null> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, ADMIN_PORT: String(adminPort) }, stdio: 'ignore', timeout: 15000 });
        child.once('error', reject);
        child.once('exit', (code) => resolve(code));
      });

    it('exits 0 when /healthz answers 200', async () => {
      status = 200;
      expect(await probe(port)).to.equal(0);
    });
    it('exits 1 when /healthz answers an error', async () => {
      status = 503;
      expect(await probe(port)).to.equal(1);
    });
    it('exits 1 when nothing listens', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const unused = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      expect(await probe(unused)).to.equal(1);
    });
  });
});
