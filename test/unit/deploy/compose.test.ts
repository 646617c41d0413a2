// docker-compose.yml, checked without a Docker engine: validated against the Compose Specification's
// JSON Schema (vendored in test/fixtures/compose-spec/), then cross-checked against the files it
// mounts — the stack's forwarder config and sinks.yaml through the product's own validation with the
// environment each container gets, the Collector, Prometheus and Grafana configs — and against
// .env.example. Compose's ${VAR} substitution is reproduced here with .env.example's values.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json' with { type: 'json' };
import { parse } from 'yaml';
import { parseForwarderConfig, parseSinksConfig, type Env } from '../../../src/config/load-config.ts';
import type { ForwarderConfig } from '../../../src/config/forwarder-config.ts';
import type { SinksConfig } from '../../../src/sinks/sinks-config.ts';

const ROOT = join(import.meta.dirname, '../../..');
const read = (rel: string): string => readFileSync(join(ROOT, rel), 'utf8');

// --- compose's variable substitution --------------------------------------------------------------

const REFERENCE = /\$\$|\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `$VAR`, `$$`. */
function substitute(text: string, env: Env): string {
  return text.replace(REFERENCE, (match, braced: string | undefined, bare: string | undefined) => {
    if (match === '$$') return '$';
    if (bare !== undefined) return env[bare] ?? '';
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])(.*))?$/s.exec(braced ?? '');
    if (m === null) throw new Error(`unsupported substitution ${match}`);
    const [, name, colon, op, arg] = m as unknown as [string, string, string | undefined, string | undefined, string | undefined];
    const value = env[name];
    const missing = value === undefined || (colon === ':' && value === '');
    if (op === undefined) return value ?? '';
    if (!missing) return value as string;
    if (op === '-') return arg ?? '';
    throw new Error(`required variable ${name}: ${arg ?? ''}`);
  });
}

function substituteDeep(value: unknown, env: Env): unknown {
  if (typeof value === 'string') return substitute(value, env);
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, env));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, env)]));
  return value;
}

/** Names of the variables referred to by `${…}` / `$NAME` in every string of a parsed document. */
function referencedVariables(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    for (const m of value.matchAll(REFERENCE)) {
      const name = m[2] ?? /^[A-Za-z_][A-Za-z0-9_]*/.exec(m[1] ?? '')?.[0];
      if (name !== undefined) out.add(name);
    }
  } else if (Array.isArray(value)) {
    for (const v of value) referencedVariables(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) referencedVariables(v, out);
  }
  return out;
}

// --- .env.example ---------------------------------------------------------------------------------

/** `NAME=value` lines are set; `# NAME=value` lines document an optional variable and its default. */
function parseEnvExample(text: string): { set: Record<string, string>; optional: Record<string, string> } {
  const set: Record<string, string> = {};
  const optional: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m === null) continue;
    (m[1] === undefined ? set : optional)[m[2] as string] = m[3] as string;
  }
  return { set, optional };
}

const envExample = parseEnvExample(read('.env.example'));
/** What a user fills in: the checks below run the stack's configs with these. */
const SAMPLE_VALUES: Record<string, string> = {
  ZOOM_WEBHOOK_SECRET_TOKEN: 'sample-zoom-secret-token',
  SPLUNK_HEC_URL: 'https://splunk.example.com:8088',
  SPLUNK_HEC_TOKEN: 'sample-hec-token',
  DD_API_KEY: 'sample-datadog-api-key',
};
const composeEnv: Env = Object.fromEntries(Object.entries(envExample.set).map(([k, v]) => [k, v === '' ? (SAMPLE_VALUES[k] ?? '') : v]));
/** Variables docker compose itself reads from .env. */
const COMPOSE_OWN_VARIABLES = new Set(['COMPOSE_PROFILES', 'COMPOSE_PROJECT_NAME', 'COMPOSE_FILE']);

// --- the compose model ----------------------------------------------------------------------------

interface Healthcheck {
  test?: string[] | string;
  interval?: string;
  timeout?: string;
  disable?: boolean;
}
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean | null>;
  ports?: (string | { target: number; published?: string | number; host_ip?: string })[];
  volumes?: (string | { type: string; source?: string; target: string; read_only?: boolean })[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: Healthcheck;
  restart?: string;
  read_only?: boolean;
  tmpfs?: string | string[];
  stop_grace_period?: string;
  profiles?: string[];
  deploy?: { replicas?: number };
}
interface Compose {
  name?: string;
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const rawCompose: unknown = parse(read('docker-compose.yml'), { merge: true });
const compose = substituteDeep(rawCompose, composeEnv) as Compose;
const services = compose.services;
const serviceNames = Object.keys(services);

const forwarderServices = serviceNames.filter((n) => services[n]?.build !== undefined);
const roleOf = (name: string): string => {
  const command = services[name]?.command;
  return (Array.isArray(command) ? command[0] : command?.split(/\s+/)[0]) ?? 'serve';
};
const argOf = (name: string, flag: string): string | undefined => {
  const command = services[name]?.command;
  const words = Array.isArray(command) ? command : (command ?? '').split(/\s+/);
  const i = words.indexOf(flag);
  return i === -1 ? undefined : words[i + 1];
};

/** A one-shot job (kafka-init): it runs to completion and is not restarted. */
const isOneShot = (name: string): boolean => services[name]?.restart === 'no';

function durationMs(text: string | undefined): number {
  let total = 0;
  for (const [, n, unit] of (text ?? '').matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  }
  return total;
}

/** Bind mounts and named volumes of a service: [source, target, readOnly]. */
function mountsOf(name: string): { source: string; target: string; readOnly: boolean; bind: boolean }[] {
  return (services[name]?.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return { source: v.source ?? '', target: v.target, readOnly: v.read_only === true, bind: v.type === 'bind' };
    const [source = '', target = '', mode = ''] = v.split(':');
    return { source, target, readOnly: mode.split(',').includes('ro'), bind: source.startsWith('.') || source.startsWith('/') };
  });
}

/** The repository file a container path shows, through the service's bind mounts. */
function hostPathOf(service: string, containerPath: string): string {
  const match = mountsOf(service)
    .filter((m) => m.bind && (containerPath === m.target || containerPath.startsWith(`${m.target}/`)))
    .sort((a, b) => b.target.length - a.target.length)[0];
  expect(match, `${service}: ${containerPath} comes from a bind mount`).to.not.equal(undefined);
  return join(ROOT, match?.source ?? '', posix.relative(match?.target ?? '', containerPath));
}

/** The environment a service's container gets (compose `environment:`, after substitution). */
function containerEnv(name: string): Env {
  return Object.fromEntries(Object.entries(services[name]?.environment ?? {}).map(([k, v]) => [k, v === null ? undefined : String(v)]));
}

function loadServiceConfigs(name: string): { forwarder: ForwarderConfig; sinks: SinksConfig; files: { config: string; sinks: string } } {
  const env = containerEnv(name);
  const config = hostPathOf(name, argOf(name, '--config') ?? '');
  const sinks = hostPathOf(name, argOf(name, '--sinks') ?? '');
  const fwd = parseForwarderConfig(config, readFileSync(config, 'utf8'), env);
  const snk = parseSinksConfig(sinks, readFileSync(sinks, 'utf8'), env);
  expect(fwd.ok, `${name}: ${JSON.stringify(!fwd.ok && fwd.issues)}`).to.equal(true);
  expect(snk.ok, `${name}: ${JSON.stringify(!snk.ok && snk.issues)}`).to.equal(true);
  if (!fwd.ok || !snk.ok) throw new Error('invalid config');
  return { forwarder: fwd.value, sinks: snk.value, files: { config, sinks } };
}

/** Published ports: [host ip, host port, container port]. */
function portsOf(name: string): { hostIp: string; published: number; target: number }[] {
  return (services[name]?.ports ?? []).map((p) => {
    if (typeof p !== 'string') return { hostIp: p.host_ip ?? '', published: Number(p.published), target: p.target };
    const parts = p.split(':');
    const target = Number(parts.at(-1)?.replace(/\/(tcp|udp)$/, ''));
    return { hostIp: parts.length === 3 ? (parts[0] as string) : '', published: Number(parts.at(-2)), target };
  });
}

const hostPort = (address: string): { host: string; port: number } => {
  const m = /^(?:[a-z]+:\/\/)?([^:/]+):(\d+)/.exec(address);
  expect(m, address).to.not.equal(null);
  return { host: m?.[1] ?? '', port: Number(m?.[2]) };
};

const dockerfileHasHealthcheck = /^HEALTHCHECK\s+(?!NONE)/m.test(read('Dockerfile'));
const hasHealthcheck = (name: string): boolean => {
  const hc = services[name]?.healthcheck;
  if (hc?.disable === true) return false;
  return hc?.test !== undefined || (services[name]?.build !== undefined && dockerfileHasHealthcheck);
};
/** Long-running services that cannot probe themselves, and why. */
const NO_HEALTHCHECK: Record<string, string> = {
  'otel-collector': 'the Collector image is FROM scratch: no shell or HTTP client inside to probe with',
};

describe('docker-compose.yml', () => {
  describe('Compose Specification', () => {
    const schemaText = read('test/fixtures/compose-spec/compose-spec.json');

    it('is the schema file recorded in test/fixtures/compose-spec/README.md', () => {
      const sha = createHash('sha256').update(schemaText).digest('hex');
      expect(read('test/fixtures/compose-spec/README.md')).to.include(sha);
    });

    /** The schema names draft-07's meta-schema by its https id; ajv knows it under http. */
    const compileSchema = (): { ajv: Ajv; validate: ValidateFunction } => {
      const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
      const schema = JSON.parse(schemaText) as { $schema: string };
      ajv.addMetaSchema({ ...draft07, $id: schema.$schema });
      return { ajv, validate: ajv.compile(schema) };
    };

    it('validates against the Compose Specification JSON Schema', () => {
      const { ajv, validate } = compileSchema();
      const ok = validate(compose);
      expect(ok, ajv.errorsText(validate.errors, { separator: '\n' })).to.equal(true);
    });

    it('a broken file fails that validation (the schema is really applied)', () => {
      const { validate } = compileSchema();
      expect(validate({ services: { a: { image: 'x:1.0.0', depends_on: { b: { condition: 'service_ready' } } } } })).to.equal(false);
      expect(validate({ services: { a: { image: 'x:1.0.0', helthcheck: {} } } })).to.equal(false);
    });
  });

  describe('images', () => {
    it('pins every image to an exact version or a digest (no latest)', () => {
      for (const name of serviceNames.filter((n) => services[n]?.build === undefined)) {
        const image = services[name]?.image ?? '';
        const m = /^(?<repo>[a-z0-9./_-]+)(?::(?<tag>[A-Za-z0-9._-]+))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/.exec(image);
        expect(m, `${name}: ${image}`).to.not.equal(null);
        const { tag, digest } = m?.groups ?? {};
        expect(tag, `${name}: ${image}`).to.not.equal('latest');
        expect(digest !== undefined || /^v?\d+\.\d+\.\d+$/.test(tag ?? ''), `${name}: ${image} is pinned to an exact version`).to.equal(true);
      }
    });

    it('builds the forwarder services from the repository Dockerfile, as one image', () => {
      expect(forwarderServices).to.include.members(['ingress', 'worker']);
      const images = new Set(forwarderServices.map((n) => services[n]?.image));
      expect([...images]).to.deep.equal(['qss-forwarder:local']);
      for (const name of forwarderServices) {
        const build = services[name]?.build;
        const context = typeof build === 'string' ? build : (build?.context ?? '.');
        expect(posix.normalize(context), name).to.equal('.');
        expect(typeof build === 'string' ? 'Dockerfile' : (build?.dockerfile ?? 'Dockerfile')).to.equal('Dockerfile');
      }
    });
  });

  describe('health and start order', () => {
    it('gives every long-running service a healthcheck (the Collector excepted, for a stated reason)', () => {
      for (const name of serviceNames.filter((n) => !isOneShot(n))) {
        if (name in NO_HEALTHCHECK) {
          expect(hasHealthcheck(name), `${name} is listed as unable to probe itself but has a healthcheck`).to.equal(false);
          continue;
        }
        expect(hasHealthcheck(name), `${name} has a healthcheck`).to.equal(true);
      }
      for (const name of Object.keys(NO_HEALTHCHECK)) expect(serviceNames, `stale exception ${name}`).to.include(name);
    });

    it('probes each forwarder through its admin port\'s /healthz, the Dockerfile\'s probe', () => {
      for (const name of forwarderServices) {
        const test = services[name]?.healthcheck?.test;
        expect(Array.isArray(test) && test[0] === 'CMD' && test[1] === 'node', `${name}: exec form with node`).to.equal(true);
        expect(read('Dockerfile')).to.include((test as string[])[3] as string);
      }
    });

    it('waits for dependencies by condition: healthy, or completed for one-shot jobs', () => {
      for (const name of serviceNames) {
        const deps = services[name]?.depends_on ?? {};
        expect(Array.isArray(deps), `${name}: depends_on in long form, with conditions`).to.equal(false);
        for (const [dep, { condition }] of Object.entries(deps as Record<string, { condition: string }>)) {
          expect(serviceNames, `${name} → ${dep}`).to.include(dep);
          if (isOneShot(dep)) {
            expect(condition, `${name} → ${dep}`).to.equal('service_completed_successfully');
          } else if (hasHealthcheck(dep)) {
            expect(condition, `${name} → ${dep}`).to.equal('service_healthy');
          } else {
            expect(condition, `${name} → ${dep}`).to.equal('service_started');
            expect(NO_HEALTHCHECK, `${name} → ${dep}`).to.have.property(dep);
          }
        }
      }
    });

    it('starts the forwarders only after Kafka is healthy and the topics exist', () => {
      for (const name of forwarderServices) {
        expect(services[name]?.depends_on, name).to.deep.include({ kafka: { condition: 'service_healthy' }, 'kafka-init': { condition: 'service_completed_successfully' } });
      }
    });
  });

  describe('the forwarder services', () => {
    it('run the ingress and worker roles with configs mounted from the repository', () => {
      expect(forwarderServices.filter((n) => roleOf(n) === 'ingress')).to.deep.equal(['ingress']);
      expect(forwarderServices.filter((n) => roleOf(n) === 'worker')).to.include.members(['worker', 'worker-splunk', 'worker-datadog']);
      for (const name of forwarderServices) {
        expect(['ingress', 'worker'], name).to.include(roleOf(name));
        for (const flag of ['--config', '--sinks']) {
          const file = hostPathOf(name, argOf(name, flag) ?? '');
          expect(existsSync(file) && statSync(file).isFile(), `${name} ${flag} ${file}`).to.equal(true);
        }
        for (const m of mountsOf(name).filter((x) => x.bind)) expect(m.readOnly, `${name}: ${m.source} mounted read-only`).to.equal(true);
      }
      expect(argOf('worker-splunk', '--sinks')).to.match(/splunk-hec\.yaml$/);
      expect(argOf('worker-datadog', '--sinks')).to.match(/datadog\.yaml$/);
      expect(services['worker-splunk']?.profiles).to.deep.equal(['splunk']);
      expect(services['worker-datadog']?.profiles).to.deep.equal(['datadog']);
    });

    it('pass the product\'s validation (forwarder config and sinks.yaml) with the environment each container gets', () => {
      for (const name of forwarderServices) {
        const { forwarder } = loadServiceConfigs(name);
        expect(forwarder.bus.type, name).to.equal('kafka');
      }
    });

    it('give each container every variable its config files use', () => {
      for (const name of forwarderServices) {
        const env = containerEnv(name);
        for (const flag of ['--config', '--sinks']) {
          const file = hostPathOf(name, argOf(name, flag) ?? '');
          for (const variable of referencedVariables(parse(readFileSync(file, 'utf8')))) {
            expect(env, `${name}: ${variable} (${posix.relative(ROOT, file)})`).to.have.property(variable);
          }
        }
      }
    });

    it('publish the webhook port of the config on the ingress only', () => {
      const { forwarder } = loadServiceConfigs('ingress');
      const ingressPorts = portsOf('ingress');
      expect(ingressPorts.map((p) => p.target)).to.include(forwarder.server.port);
      expect(forwarder.server.port).to.equal(8080);
      for (const name of forwarderServices.filter((n) => n !== 'ingress')) {
        expect(portsOf(name).map((p) => p.target), `${name} publishes no webhook port`).to.not.include(loadServiceConfigs(name).forwarder.server.port);
      }
      for (const name of serviceNames) {
        for (const p of portsOf(name)) expect(p.hostIp, `${name}: ${p.published} listens on this machine only by default`).to.equal('127.0.0.1');
      }
    });

    it('run read-only with tmpfs /tmp, the data volume at the config\'s data_dir, and time to drain on SIGTERM', () => {
      const volumeDir = /VOLUME \["([^"]+)"/.exec(read('Dockerfile'))?.[1];
      for (const name of forwarderServices) {
        const s = services[name] as Service;
        const { forwarder } = loadServiceConfigs(name);
        expect(s.read_only, name).to.equal(true);
        expect([s.tmpfs ?? []].flat(), name).to.include('/tmp');
        const data = mountsOf(name).find((m) => m.target === forwarder.data_dir);
        expect(data, `${name}: a volume at ${forwarder.data_dir}`).to.not.equal(undefined);
        expect(data?.bind, `${name}: a named volume`).to.equal(false);
        expect(compose.volumes ?? {}, name).to.have.property(data?.source ?? '');
        expect(forwarder.data_dir).to.equal(volumeDir);
        const stateFiles = [forwarder.bus.kafka.spool.path, ...Object.values(loadServiceConfigs(name).sinks.sinks).flatMap((k) => ('path' in k && typeof k.path === 'string' ? [k.path] : []))];
        for (const file of stateFiles) expect(file.startsWith(`${forwarder.data_dir}/`), `${name}: ${file} on the data volume`).to.equal(true);
        expect(durationMs(s.stop_grace_period), `${name}: stop_grace_period beyond worker.shutdown_grace_ms`).to.be.above(forwarder.worker.shutdown_grace_ms + 5000);
      }
      const volumeOwners = new Map<string, string>();
      for (const name of forwarderServices) {
        for (const m of mountsOf(name).filter((x) => !x.bind)) {
          expect(volumeOwners.get(m.source), `volume ${m.source} is not shared by two services`).to.equal(undefined);
          volumeOwners.set(m.source, name);
        }
      }
    });
  });

  describe('Kafka', () => {
    const kafkaEnv = containerEnv('kafka');
    const initScript = [services['kafka-init']?.entrypoint, services['kafka-init']?.command].flat().join('\n');

    it('runs one KRaft node (broker and controller, no ZooKeeper) with internal topics of one replica', () => {
      expect(kafkaEnv.KAFKA_PROCESS_ROLES?.split(',').sort()).to.deep.equal(['broker', 'controller']);
      expect(kafkaEnv.KAFKA_CONTROLLER_QUORUM_VOTERS).to.match(/^1@kafka:\d+$/);
      expect(Object.keys(kafkaEnv).filter((k) => /ZOOKEEPER/.test(k))).to.deep.equal([]);
      expect(kafkaEnv.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).to.equal('1');
      expect(kafkaEnv.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).to.equal('1');
      const logDirs = kafkaEnv.KAFKA_LOG_DIRS ?? '';
      const data = mountsOf('kafka').find((m) => m.target === logDirs);
      expect(data?.bind, 'Kafka\'s log dir is a named volume').to.equal(false);
    });

    it('is what KAFKA_BROKERS names: the broker\'s internal advertised listener', () => {
      const advertised = (kafkaEnv.KAFKA_ADVERTISED_LISTENERS ?? '').split(',').map((l) => hostPort(l.replace(/^[A-Z_]+:\/\//, '')));
      for (const name of forwarderServices) {
        for (const broker of (containerEnv(name).KAFKA_BROKERS ?? '').split(',')) {
          const b = hostPort(broker);
          expect(b.host, name).to.equal('kafka');
          expect(advertised, name).to.deep.include(b);
        }
      }
      expect(initScript).to.include(`--bootstrap-server ${containerEnv('worker').KAFKA_BROKERS}`);
    });

    it('kafka-init creates exactly the topics the forwarder config names, events with several partitions', () => {
      const { forwarder } = loadServiceConfigs('worker');
      const created = new Map([...initScript.matchAll(/--create\b[^\n]*?--topic (\S+) --partitions (\d+)/g)].map((m) => [m[1], Number(m[2])]));
      expect([...created.keys()].sort()).to.deep.equal([forwarder.bus.kafka.topic, forwarder.bus.kafka.dlq_topic].sort());
      const partitions = created.get(forwarder.bus.kafka.topic) ?? 0;
      expect(partitions).to.be.at.least(2);
      const workerReplicas = forwarderServices.filter((n) => roleOf(n) === 'worker' && services[n]?.profiles === undefined).map((n) => services[n]?.deploy?.replicas ?? 1);
      expect(partitions, 'no worker replica idles').to.be.at.least(Math.max(...workerReplicas));
      expect(initScript).to.include('--if-not-exists');
      expect(services['kafka-init']?.image).to.equal(services.kafka?.image);
    });
  });

  describe('metrics path: otlp sink → Collector → Prometheus → Grafana', () => {
    const collectorConfigPath = (): string => {
      const command = [services['otel-collector']?.command ?? []].flat();
      const flag = command.find((c) => c.startsWith('--config='));
      expect(flag, 'otel-collector --config=').to.not.equal(undefined);
      return hostPathOf('otel-collector', flag?.slice('--config='.length) ?? '');
    };
    const collector = (): {
      receivers: { otlp: { protocols: { http: { endpoint: string } } } };
      exporters: { prometheus: { endpoint: string } };
      service: { pipelines: Record<string, { receivers: string[]; exporters: string[] }> };
    } => parse(readFileSync(collectorConfigPath(), 'utf8'));

    it('the Collector receives OTLP/HTTP on the host and port the stack\'s otlp sink sends to', () => {
      const { sinks } = loadServiceConfigs('worker');
      const otlp = Object.values(sinks.sinks).filter((s) => s.type === 'otlp');
      expect(otlp).to.have.length(1);
      const target = new URL((otlp[0] as { endpoint: string }).endpoint);
      expect(target.hostname).to.equal('otel-collector');
      expect(serviceNames).to.include(target.hostname);
      expect(Number(target.port)).to.equal(hostPort(collector().receivers.otlp.protocols.http.endpoint).port);
      expect(collector().service.pipelines.metrics).to.deep.include({ receivers: ['otlp'], exporters: ['prometheus'] });
    });

    it('Prometheus scrapes every forwarder\'s admin port and the Collector\'s exporter, by service name', () => {
      const command = [services.prometheus?.command ?? []].flat();
      const file = hostPathOf('prometheus', command.find((c) => c.startsWith('--config.file='))?.slice('--config.file='.length) ?? '');
      const config = parse(readFileSync(file, 'utf8')) as {
        scrape_configs: { job_name: string; static_configs?: { targets: string[] }[]; dns_sd_configs?: { names: string[]; port: number; type?: string }[] }[];
      };
      const targets = config.scrape_configs.flatMap((job) => [
        ...(job.static_configs ?? []).flatMap((s) => s.targets.map(hostPort)),
        ...(job.dns_sd_configs ?? []).flatMap((d) => d.names.map((host) => ({ host, port: d.port }))),
      ]);
      for (const t of targets.filter((x) => x.host !== 'localhost')) expect(serviceNames, `scrape target ${t.host}`).to.include(t.host);
      for (const name of forwarderServices) {
        const { admin } = loadServiceConfigs(name).forwarder;
        expect(targets, name).to.deep.include({ host: name, port: admin.port });
        // The product's default is 127.0.0.1: Prometheus in another container would find nothing.
        expect(admin.host, `${name}: admin.host`).to.equal('0.0.0.0');
      }
      expect(targets).to.deep.include({ host: 'otel-collector', port: hostPort(collector().exporters.prometheus.endpoint).port });
      expect(loadServiceConfigs('worker').forwarder.admin.port).to.equal(9464);
    });

    it('Grafana has the Prometheus data source and loads the dashboards from docs/dashboards/grafana/', () => {
      const provisioning = mountsOf('grafana').find((m) => m.target === '/etc/grafana/provisioning');
      expect(provisioning?.bind).to.equal(true);
      const dir = join(ROOT, provisioning?.source ?? '');
      const datasources = parse(readFileSync(join(dir, 'datasources/prometheus.yaml'), 'utf8')) as { datasources: { type: string; url: string; uid: string }[] };
      const prometheus = datasources.datasources.find((d) => d.type === 'prometheus');
      const url = hostPort(prometheus?.url ?? '');
      expect(url.host).to.equal('prometheus');
      expect(serviceNames).to.include(url.host);
      expect(url.port).to.equal(9090);
      expect([services.prometheus?.command ?? []].flat().some((c) => c.startsWith('--web.listen-address')), 'Prometheus listens on its default 9090').to.equal(false);
      expect(prometheus?.uid).to.equal('prometheus');

      const providers = parse(readFileSync(join(dir, 'dashboards/zoom.yaml'), 'utf8')) as { providers: { type: string; options: { path: string } }[] };
      const dashboards = mountsOf('grafana').find((m) => posix.normalize(m.source) === 'docs/dashboards/grafana');
      expect(dashboards, 'docs/dashboards/grafana is mounted').to.not.equal(undefined);
      expect(dashboards?.readOnly).to.equal(true);
      expect(providers.providers.map((p) => [p.type, p.options.path])).to.deep.include(['file', dashboards?.target]);
    });
  });

  describe('.env.example and secrets', () => {
    const composeVariables = referencedVariables(rawCompose);

    it('lists every variable docker-compose.yml substitutes, and none it does not use', () => {
      const listed = new Set([...Object.keys(envExample.set), ...Object.keys(envExample.optional)]);
      for (const v of composeVariables) expect([...listed], `${v} is documented in .env.example`).to.include(v);
      for (const v of listed) {
        expect(composeVariables.has(v) || COMPOSE_OWN_VARIABLES.has(v), `${v} in .env.example is used`).to.equal(true);
      }
    });

    it('documents optional variables with the default docker-compose.yml really uses', () => {
      for (const [name, documented] of Object.entries(envExample.optional)) {
        if (COMPOSE_OWN_VARIABLES.has(name)) continue;
        const defaults = new Set<string>();
        const text = read('docker-compose.yml');
        for (const m of text.matchAll(new RegExp(`\\$\\{${name}:-([^}]*)\\}`, 'g'))) defaults.add(m[1] as string);
        expect([...defaults], `${name}'s default`).to.deep.equal([documented]);
      }
    });

    it('the stack fails fast without a Zoom Secret Token instead of inventing one', () => {
      expect(() => substituteDeep(rawCompose, { ...composeEnv, ZOOM_WEBHOOK_SECRET_TOKEN: '' })).to.throw(/ZOOM_WEBHOOK_SECRET_TOKEN/);
      expect(envExample.set).to.have.property('ZOOM_WEBHOOK_SECRET_TOKEN', '');
    });

    it('has no secret literal: secret-named settings are ${VAR} references without a literal default', () => {
      const secretName = /TOKEN|SECRET|PASSWORD|API_KEY|PRIVATE|CREDENTIAL/i;
      const rawServices = (rawCompose as { services: Record<string, Service> }).services;
      for (const [name, s] of Object.entries(rawServices)) {
        for (const [key, value] of Object.entries(s.environment ?? {})) {
          if (!secretName.test(key)) continue;
          expect(String(value), `${name}.${key}`).to.match(/^\$\{[A-Z0-9_]+(?::?\?[^}]*|:-)?\}$/);
        }
      }
      for (const [key, value] of Object.entries(envExample.set)) {
        if (secretName.test(key)) expect(value, `.env.example ${key} is left empty`).to.equal('');
      }
    });
  });
});
