// The Helm chart, without a cluster: `helm lint` and `helm template` of every ci/*-values.yaml
// scenario with the real helm binary, every rendered manifest checked against the (vendored,
// strict) Kubernetes JSON Schema of its kind, the rendered forwarder.yaml and sinks.yaml checked
// by the forwarder's own config validation with the environment the pod would get, and the
// properties the deployment relies on: hardened pods, probes on the admin port, secrets only in
// Secrets, the admin port never public, config changes rolling the pods, a grace period longer
// than the drain, the workloads of each mode, and a strict values schema.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { forwarderConfigSchema } from '../../../src/config/forwarder-config.ts';
import { parseForwarderConfig, parseSinksConfig } from '../../../src/config/load-config.ts';
import { sinkConfigSchemas } from '../../../src/sinks/sink-registry.ts';
import { sinksConfigSchema } from '../../../src/sinks/sinks-config.ts';
import { kubernetesSchemaProblems } from '../../support/helm-kubernetes-schemas.ts';
import {
  CHART_DIR,
  RELEASE,
  SECRET_PLACEHOLDER,
  ciValuesFiles,
  componentOf,
  configMapFile,
  containerEnv,
  installNotes,
  lintChart,
  ofKind,
  renderChart,
  templateChart,
  workloads,
  type Container,
  type Manifest,
  type Service,
  type Workload,
} from '../../support/helm-render.ts';

const CI = ciValuesFiles();
const FULLNAME = `${RELEASE}-qss-forwarder`;
const DATA_DIR = '/var/lib/qss-forwarder';
const ADMIN_PORT = 9464;
const ci = (file: string): string => join(CHART_DIR, 'ci', file);

function mainContainer(w: Workload): Container {
  const c = w.spec.template.spec.containers.find((x) => x.name === 'qss-forwarder');
  if (!c) throw new Error(`${w.kind} ${w.metadata.name} has no qss-forwarder container`);
  return c;
}

function envValue(c: Container, name: string): string | undefined {
  return c.env?.find((e) => e.name === name)?.value;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Secret values written in a ci values file: Zoom tokens, the SASL password, secretEnv values. */
function secretsOf(valuesFile: string): string[] {
  const values = parseYaml(readFileSync(valuesFile, 'utf8')) as Record<string, unknown>;
  const found: string[] = [];
  const walk = (node: unknown, key: string, parentKey: string): void => {
    if (typeof node === 'string') {
      if (key === 'secretToken' || key === 'password' || key === 'previousSecretTokens' || (key === 'value' && parentKey !== 'env')) found.push(node);
      return;
    }
    if (Array.isArray(node)) return node.forEach((item) => walk(item, key, parentKey));
    if (node !== null && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, k, key);
  };
  walk(values.zoom, 'zoom', '');
  walk(values.kafka, 'kafka', '');
  walk(values.secretEnv, 'secretEnv', '');
  return found.filter((s) => s !== '');
}

function issuesText(result: { ok: boolean; issues?: { where: string; path: string; message: string }[] }): string {
  return (result.issues ?? []).map((i) => `${i.where} ${i.path}: ${i.message}`).join('\n');
}

describe('Helm chart helm/qss-forwarder', function () {
  this.timeout(120_000);
  const rendered = new Map<string, Manifest[]>();
  const scenario = (file: string): Manifest[] => {
    const manifests = rendered.get(file);
    if (!manifests) throw new Error(`ci/${file} was not rendered`);
    return manifests;
  };

  before(async () => {
    const all = await Promise.all(CI.map(async (file) => [file, await renderChart([ci(file)])] as const));
    for (const [file, manifests] of all) rendered.set(file, manifests);
  });

  it('has a ci values file for each scenario: default, kafka-sasl, embedded, ingress-tls, existing-secrets, hpa, servicemonitor', () => {
    for (const name of ['default', 'kafka-sasl', 'embedded', 'ingress-tls', 'existing-secrets', 'hpa', 'servicemonitor']) {
      expect(CI, name).to.include(`${name}-values.yaml`);
    }
  });

  describe('helm lint --strict', () => {
    for (const file of CI) {
      it(`passes with ci/${file}`, async () => {
        const result = await lintChart([ci(file)]);
        expect(result.ok, result.stdout + result.stderr).to.equal(true);
        expect(result.stdout).to.include('0 chart(s) failed');
      });
    }
  });

  describe('helm template', () => {
    for (const file of CI) {
      it(`ci/${file}: every manifest is valid against the Kubernetes schema of its kind`, () => {
        const problems = scenario(file).flatMap((m) => kubernetesSchemaProblems(m).map((p) => `${m.kind} ${m.metadata.name}: ${p}`));
        expect(problems).to.deep.equal([]);
        for (const m of scenario(file)) {
          expect(m.metadata.labels?.['app.kubernetes.io/name'], `${m.kind} ${m.metadata.name}`).to.equal('qss-forwarder');
          expect(m.metadata.labels?.['app.kubernetes.io/instance']).to.equal(RELEASE);
          expect(m.metadata.labels?.['app.kubernetes.io/managed-by']).to.equal('Helm');
          expect(m.metadata.labels?.['helm.sh/chart']).to.equal('qss-forwarder-0.1.0');
        }
      });
    }
  });

  describe('pods', () => {
    for (const file of CI) {
      it(`ci/${file}: run as uid 10001, non-root, read-only root filesystem, no privilege escalation or capabilities, RuntimeDefault seccomp`, () => {
        const ws = workloads(scenario(file));
        expect(ws.length).to.be.greaterThan(0);
        for (const w of ws) {
          const pod = w.spec.template.spec;
          expect(pod.securityContext, w.metadata.name).to.include({ runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001 });
          expect(pod.securityContext?.seccompProfile?.type).to.equal('RuntimeDefault');
          expect(pod.automountServiceAccountToken).to.equal(false);
          for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
            const sc = c.securityContext;
            expect(sc, `${w.metadata.name}/${c.name}`).to.include({ runAsNonRoot: true, runAsUser: 10001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
            expect(sc?.privileged ?? false).to.equal(false);
            expect(sc?.capabilities?.drop).to.include('ALL');
            expect(sc?.capabilities?.add ?? []).to.deep.equal([]);
            expect(sc?.seccompProfile?.type).to.equal('RuntimeDefault');
            expect(c.image).to.equal('ghcr.io/qss-forwarder/qss-forwarder:0.1.0');
          }
        }
      });

      it(`ci/${file}: probes GET /healthz (startup, liveness) and /readyz (readiness) on the admin port`, () => {
        for (const w of workloads(scenario(file))) {
          const c = mainContainer(w);
          const admin = c.ports?.find((p) => p.name === 'admin');
          expect(admin?.containerPort, w.metadata.name).to.equal(ADMIN_PORT);
          expect(envValue(c, 'ADMIN_PORT')).to.equal(String(ADMIN_PORT));
          expect(c.startupProbe?.httpGet).to.deep.equal({ path: '/healthz', port: 'admin' });
          expect(c.livenessProbe?.httpGet).to.deep.equal({ path: '/healthz', port: 'admin' });
          expect(c.readinessProbe?.httpGet).to.deep.equal({ path: '/readyz', port: 'admin' });
          const webhook = c.ports?.find((p) => p.name === 'http');
          if (componentOf(w) === 'worker') expect(webhook, 'a worker has no webhook port').to.equal(undefined);
          else expect(webhook?.containerPort).to.equal(Number(envValue(c, 'PORT')));
        }
      });

      it(`ci/${file}: /tmp and ${DATA_DIR} are writable volumes; the config folder is a projected ConfigMap without subPath (hot reload)`, () => {
        for (const w of workloads(scenario(file))) {
          const pod = w.spec.template.spec;
          const mounts = mainContainer(w).volumeMounts ?? [];
          const mountOf = (path: string) => mounts.find((m) => m.mountPath === path);
          expect(mounts.every((m) => m.subPath === undefined), 'no subPath mounts').to.equal(true);
          expect(pod.volumes?.find((v) => v.name === mountOf('/tmp')?.name)?.emptyDir, `${w.metadata.name} /tmp`).to.not.equal(undefined);
          const data = mountOf(DATA_DIR);
          const claimed = (w.spec.volumeClaimTemplates ?? []).some((t) => t.metadata.name === data?.name);
          const volume = pod.volumes?.find((v) => v.name === data?.name);
          expect(claimed || volume?.emptyDir !== undefined || volume?.persistentVolumeClaim !== undefined, `${w.metadata.name} data`).to.equal(true);
          const config = mountOf('/etc/qss-forwarder');
          expect(config?.readOnly).to.equal(true);
          const sources = pod.volumes?.find((v) => v.name === config?.name)?.projected?.sources ?? [];
          const paths = sources.flatMap((s) => s.configMap?.items?.map((i) => i.path) ?? []);
          expect(paths.sort()).to.deep.equal(['forwarder.yaml', 'sinks.yaml']);
          expect(mainContainer(w).args?.slice(1)).to.deep.equal(['--config', '/etc/qss-forwarder/forwarder.yaml', '--sinks', '/etc/qss-forwarder/sinks.yaml']);
        }
      });

      it(`ci/${file}: resources, and topology spread over the workload's own pods`, () => {
        for (const w of workloads(scenario(file))) {
          const c = mainContainer(w);
          expect(c.resources?.requests, w.metadata.name).to.have.keys('cpu', 'memory');
          expect(c.resources?.limits).to.have.property('memory');
          const spread = w.spec.template.spec.topologySpreadConstraints ?? [];
          expect(spread.map((t) => t.topologyKey)).to.deep.equal(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
          for (const t of spread) expect(t.labelSelector?.matchLabels).to.deep.equal(w.spec.selector.matchLabels);
          expect(w.spec.template.metadata.labels).to.include(w.spec.selector.matchLabels);
        }
      });
    }
  });

  describe('configuration files', () => {
    for (const file of CI) {
      it(`ci/${file}: forwarder.yaml and sinks.yaml pass the forwarder's validation with each pod's environment; state under ${DATA_DIR}`, () => {
        const manifests = scenario(file);
        const forwarderText = configMapFile(manifests, 'forwarder.yaml');
        const sinksText = configMapFile(manifests, 'sinks.yaml');
        expect(forwarderText, 'forwarder.yaml in the ConfigMap').to.be.a('string');
        for (const w of workloads(manifests)) {
          const c = mainContainer(w);
          const env = containerEnv(c);
          const forwarder = parseForwarderConfig('forwarder.yaml', forwarderText!, env);
          expect(forwarder.ok, `${w.metadata.name}:\n${issuesText(forwarder)}`).to.equal(true);
          if (!forwarder.ok) continue;
          const cfg = forwarder.value;
          expect(cfg.data_dir).to.equal(DATA_DIR);
          expect(cfg.server.port).to.equal(8080);
          expect(cfg.admin.port).to.equal(ADMIN_PORT);
          // The product's default is 127.0.0.1: the kubelet's probes and Prometheus come from outside the pod.
          expect(cfg.admin.host).to.equal('0.0.0.0');
          if (cfg.bus.type === 'kafka') expect(cfg.bus.kafka.spool.path.startsWith(`${DATA_DIR}/`)).to.equal(true);
          else expect(cfg.bus.embedded.path.startsWith(`${DATA_DIR}/`)).to.equal(true);
          expect(cfg.bus.type).to.equal(mainContainer(w).args?.[0] === 'serve' ? 'embedded' : 'kafka');
          // SIGTERM drains the listener, then the sinks: the kubelet must not kill the pod before.
          expect(w.spec.template.spec.terminationGracePeriodSeconds! * 1000).to.be.greaterThan(cfg.server.shutdown_drain_ms + cfg.worker.shutdown_grace_ms);
          if (sinksText !== undefined) {
            const sinks = parseSinksConfig('sinks.yaml', sinksText, env);
            expect(sinks.ok, `${w.metadata.name}:\n${issuesText(sinks)}`).to.equal(true);
          }
        }
      });

      it(`ci/${file}: no secret value of the values file appears outside a Secret, and each is in the chart's Secret`, () => {
        const secrets = secretsOf(ci(file));
        const manifests = scenario(file);
        for (const m of manifests.filter((x) => x.kind !== 'Secret')) {
          const text = JSON.stringify(m);
          for (const s of secrets) expect(text.includes(s), `${s} in ${m.kind} ${m.metadata.name}`).to.equal(false);
        }
        const secret = ofKind(manifests, 'Secret').find((s) => s.metadata.name === FULLNAME);
        const stored = Object.values((secret?.data as Record<string, string> | undefined) ?? {}).map((v) => Buffer.from(v, 'base64').toString('utf8'));
        expect(stored.sort()).to.deep.equal([...secrets].sort());
      });
    }

    it('every ${VAR} of the config has a source in the pod environment, secrets through secretKeyRef', () => {
      const manifests = scenario('kafka-sasl-values.yaml');
      const text = `${configMapFile(manifests, 'forwarder.yaml')}\n${configMapFile(manifests, 'sinks.yaml')}`;
      const referenced = new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}/g)].map((m) => m[1]!));
      const c = mainContainer(workloads(manifests)[0]!);
      for (const name of ['ZOOM_WEBHOOK_SECRET_TOKEN', 'QSS_ZOOM_APP_DEFAULT_PREVIOUS_SECRET_TOKEN_0', 'QSS_ZOOM_APP_WEBINARS_EU_SECRET_TOKEN', 'QSS_KAFKA_SASL_PASSWORD', 'SPLUNK_HEC_TOKEN', 'DD_API_KEY', 'OTLP_HEADERS', 'QSS_PII_HASH_KEY']) {
        expect(referenced.has(name), `\${${name}} referenced`).to.equal(true);
        const ref = c.env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
        expect(ref?.name, name).to.equal(FULLNAME);
      }
      expect(c.env?.find((e) => e.name === 'DD_API_KEY')?.valueFrom?.secretKeyRef?.key).to.equal('DD_API_KEY');
      for (const name of referenced) expect(c.env?.some((e) => e.name === name), `${name} has a source`).to.equal(true);
    });

    it('a secret is read as a string whatever it looks like: the ${VAR} of a secret is quoted in the rendered YAML', () => {
      const manifests = scenario('kafka-sasl-values.yaml');
      const env = containerEnv(mainContainer(workloads(manifests)[0]!));
      for (const name of ['DD_API_KEY', 'QSS_KAFKA_SASL_PASSWORD', 'QSS_ZOOM_APP_WEBINARS_EU_SECRET_TOKEN']) expect(env[name]).to.match(SECRET_PLACEHOLDER);
      const sinks = parseSinksConfig('sinks.yaml', configMapFile(manifests, 'sinks.yaml')!, env);
      expect(sinks.ok, issuesText(sinks)).to.equal(true);
      if (!sinks.ok) return;
      expect(sinks.value.sinks.datadog_metrics).to.include({ api_key: env.DD_API_KEY });
      const forwarder = parseForwarderConfig('forwarder.yaml', configMapFile(manifests, 'forwarder.yaml')!, env);
      expect(forwarder.ok, issuesText(forwarder)).to.equal(true);
      if (!forwarder.ok) return;
      expect(forwarder.value.bus.kafka.sasl?.password).to.equal(env.QSS_KAFKA_SASL_PASSWORD);
      expect(forwarder.value.zoom.apps['webinars-eu']?.secret_token).to.equal(env.QSS_ZOOM_APP_WEBINARS_EU_SECRET_TOKEN);
    });

    it('the Kafka TLS files and SASL settings of the values reach bus.kafka', () => {
      const manifests = scenario('existing-secrets-values.yaml');
      const w = workloads(manifests)[0]!;
      const forwarder = parseForwarderConfig('forwarder.yaml', configMapFile(manifests, 'forwarder.yaml')!, containerEnv(mainContainer(w)));
      expect(forwarder.ok, issuesText(forwarder)).to.equal(true);
      if (!forwarder.ok) return;
      const dir = '/etc/qss-forwarder-kafka-tls';
      expect(forwarder.value.bus.kafka.tls).to.deep.include({ ca_file: `${dir}/ca.crt`, cert_file: `${dir}/tls.crt`, key_file: `${dir}/tls.key`, reject_unauthorized: true });
      expect(forwarder.value.bus.kafka.sasl).to.include({ mechanism: 'scram-sha-256', username: 'qss-forwarder' });
      expect(mainContainer(w).volumeMounts?.find((m) => m.mountPath === dir)?.readOnly).to.equal(true);
      expect(w.spec.template.spec.volumes?.find((v) => v.name === 'kafka-tls')?.secret?.secretName).to.equal('kafka-client-tls');
    });
  });

  describe('exposure', () => {
    for (const file of CI) {
      it(`ci/${file}: the public Service has only the webhook port; the admin port is only on the ClusterIP -metrics Service`, () => {
        const services = ofKind<Service>(scenario(file), 'Service');
        const pub = services.find((s) => s.metadata.name === FULLNAME)!;
        expect(pub.spec.ports?.map((p) => [p.name, p.targetPort])).to.deep.equal([['http', 'http']]);
        expect(pub.spec.ports?.some((p) => p.port === ADMIN_PORT)).to.equal(false);
        expect(pub.spec.selector['app.kubernetes.io/component']).to.be.oneOf(['ingress', 'serve']);
        for (const s of services.filter((x) => x !== pub)) {
          expect(s.spec.type ?? 'ClusterIP', s.metadata.name).to.equal('ClusterIP');
        }
        const metrics = services.find((s) => s.metadata.name === `${FULLNAME}-metrics`)!;
        expect(metrics.spec.ports?.[0]).to.deep.equal({ name: 'admin', port: ADMIN_PORT, targetPort: 'admin', protocol: 'TCP' });
        expect(metrics.spec.selector).to.not.have.property('app.kubernetes.io/component');
        for (const s of services.filter((x) => x !== metrics)) {
          expect(s.spec.ports?.some((p) => p.targetPort === 'admin' || p.targetPort === ADMIN_PORT) ?? false, s.metadata.name).to.equal(false);
        }
      });
    }

    it('the Ingress routes only /webhooks/zoom to the webhook port, over TLS issued by cert-manager', () => {
      const [ingress] = ofKind(scenario('ingress-tls-values.yaml'), 'Ingress');
      const spec = ingress!.spec as { ingressClassName: string; tls: { secretName: string; hosts: string[] }[]; rules: { host: string; http: { paths: { path: string; pathType: string; backend: { service: { name: string; port: { name?: string; number?: number } } } }[] } }[] };
      expect(ingress!.metadata.annotations).to.include({ 'cert-manager.io/cluster-issuer': 'letsencrypt-prod' });
      expect(spec.ingressClassName).to.equal('nginx');
      expect(spec.tls).to.deep.equal([{ secretName: 'zoom-qss-tls', hosts: ['zoom-qss.example.com'] }]);
      const paths = spec.rules.flatMap((r) => r.http.paths);
      expect(paths.map((p) => [p.path, p.pathType])).to.deep.equal([['/webhooks/zoom', 'Prefix']]);
      for (const p of paths) expect(p.backend.service).to.deep.equal({ name: FULLNAME, port: { name: 'http' } });
    });

    it('the HTTPRoute sends only the /webhooks/zoom prefix to the public Service port', () => {
      const manifests = scenario('httproute-values.yaml');
      const [route] = ofKind(manifests, 'HTTPRoute');
      const spec = route!.spec as { parentRefs: unknown[]; hostnames: string[]; rules: { matches: { path: { type: string; value: string } }[]; backendRefs: { name: string; port: number }[] }[] };
      expect(spec.parentRefs).to.deep.equal([{ name: 'public', namespace: 'gateway-system', sectionName: 'https' }]);
      expect(spec.hostnames).to.deep.equal(['zoom-qss.example.com']);
      expect(spec.rules).to.have.length(1);
      expect(spec.rules[0]!.matches).to.deep.equal([{ path: { type: 'PathPrefix', value: '/webhooks/zoom' } }]);
      const pub = ofKind<Service>(manifests, 'Service').find((s) => s.metadata.name === FULLNAME)!;
      expect(spec.rules[0]!.backendRefs).to.deep.equal([{ name: FULLNAME, port: pub.spec.ports![0]!.port }]);
      expect(pub.spec.ports![0]!.targetPort).to.equal('http');
    });

    it('NetworkPolicies: the webhook port from the ingress controller, the admin port only from the monitoring namespace', () => {
      type Policy = { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; ingress: { ports: { port: string }[]; from?: { namespaceSelector?: { matchLabels: Record<string, string> } }[] }[]; egress?: unknown[] };
      const policies = ofKind(scenario('ingress-tls-values.yaml'), 'NetworkPolicy').map((p) => [p.metadata.name, p.spec as Policy] as const);
      const webhook = policies.find(([n]) => n === `${FULLNAME}-webhook`)![1];
      expect(webhook.podSelector.matchLabels['app.kubernetes.io/component']).to.equal('ingress');
      expect(webhook.ingress).to.have.length(1);
      expect(webhook.ingress[0]!.ports.map((p) => p.port)).to.deep.equal(['http']);
      expect(webhook.ingress[0]!.from?.[0]?.namespaceSelector?.matchLabels).to.deep.equal({ 'kubernetes.io/metadata.name': 'ingress-nginx' });
      const metrics = policies.find(([n]) => n === `${FULLNAME}-metrics`)![1];
      expect(metrics.podSelector.matchLabels).to.not.have.property('app.kubernetes.io/component');
      expect(metrics.ingress).to.have.length(1);
      expect(metrics.ingress[0]!.ports.map((p) => p.port)).to.deep.equal(['admin']);
      expect(metrics.ingress[0]!.from?.[0]?.namespaceSelector?.matchLabels).to.deep.equal({ 'kubernetes.io/metadata.name': 'monitoring' });
      const withEgress = ofKind(scenario('servicemonitor-values.yaml'), 'NetworkPolicy').find((p) => p.metadata.name === `${FULLNAME}-metrics`)!.spec as Policy;
      expect(withEgress.policyTypes).to.deep.equal(['Ingress', 'Egress']);
      expect(withEgress.ingress[0]!.ports.map((p) => p.port)).to.deep.equal(['admin', 'zoom-metrics']);
      expect(withEgress.egress).to.have.length(2);
    });

    it('the ServiceMonitor scrapes /metrics on the admin port and on the prometheus sink port of the metrics Service', () => {
      const manifests = scenario('servicemonitor-values.yaml');
      const [monitor] = ofKind(manifests, 'ServiceMonitor');
      expect(monitor!.apiVersion).to.equal('monitoring.coreos.com/v1');
      expect(monitor!.metadata.labels).to.include({ release: 'kube-prometheus-stack' });
      const spec = monitor!.spec as { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string; interval: string }[] };
      const metricsService = ofKind<Service>(manifests, 'Service').find((s) => s.metadata.name === `${FULLNAME}-metrics`)!;
      expect(metricsService.metadata.labels).to.include(spec.selector.matchLabels);
      expect(spec.endpoints.map((e) => [e.port, e.path, e.interval])).to.deep.equal([['admin', '/metrics', '15s'], ['zoom-metrics', '/metrics', '15s']]);
      expect(metricsService.spec.ports?.map((p) => p.name)).to.deep.equal(['admin', 'zoom-metrics']);
      const worker = workloads(manifests).find((w) => componentOf(w) === 'worker')!;
      expect(mainContainer(worker).ports?.map((p) => p.name)).to.deep.equal(['admin', 'zoom-metrics']);
      expect(ofKind(scenario('default-values.yaml'), 'ServiceMonitor')).to.deep.equal([]);
    });
  });

  describe('rollouts', () => {
    const podAnnotations = (manifests: Manifest[]): Record<string, string>[] => workloads(manifests).map((w) => w.spec.template.metadata.annotations ?? {});

    it('checksum/config is the SHA-256 of the rendered forwarder.yaml and changes with config.forwarder', async () => {
      const base = scenario('default-values.yaml');
      const expected = sha256(configMapFile(base, 'forwarder.yaml')!.replace(/\n$/, ''));
      for (const a of podAnnotations(base)) expect(a['checksum/config']).to.equal(expected);
      const changed = await renderChart([ci('default-values.yaml')], ['config.forwarder.worker.max_batch_events=100']);
      for (const a of podAnnotations(changed)) expect(a['checksum/config']).to.not.equal(expected);
    });

    it('a sinks.yaml change does not roll the pods (the workers reload it), unless config.rollOnSinksChange', async () => {
      const base = podAnnotations(scenario('default-values.yaml'));
      const changedSinks = ['config.sinks.sinks.events.type=stdout', 'config.sinks.sinks.events.data=events'];
      const changed = podAnnotations(await renderChart([ci('default-values.yaml')], changedSinks));
      expect(changed).to.deep.equal(base);
      expect(base.every((a) => a['checksum/sinks'] === undefined)).to.equal(true);
      const rolled = podAnnotations(await renderChart([ci('default-values.yaml')], ['config.rollOnSinksChange=true']));
      const rolledChanged = podAnnotations(await renderChart([ci('default-values.yaml')], ['config.rollOnSinksChange=true', ...changedSinks]));
      expect(rolled[0]!['checksum/sinks']).to.be.a('string');
      expect(rolledChanged[0]!['checksum/sinks']).to.not.equal(rolled[0]!['checksum/sinks']);
    });

    it('checksum/secret changes when a secret value changes (environment variables are read at start)', async () => {
      const base = podAnnotations(scenario('default-values.yaml'))[0]!['checksum/secret'];
      const rotated = podAnnotations(await renderChart([ci('default-values.yaml')], ['zoom.apps.default.secretToken=testsecret-rotated']))[0]!['checksum/secret'];
      expect(base).to.be.a('string');
      expect(rotated).to.not.equal(base);
      expect(podAnnotations(scenario('existing-secrets-values.yaml'))[0]).to.not.have.property('checksum/secret');
    });
  });

  describe('modes and workloads', () => {
    it('kafka (default): an ingress and a worker Deployment, ingress spool and worker data on emptyDirs', () => {
      const manifests = scenario('default-values.yaml');
      const ws = workloads(manifests);
      expect(ws.map((w) => [w.kind, w.metadata.name, mainContainer(w).args?.[0], w.spec.replicas])).to.deep.equal([
        ['Deployment', `${FULLNAME}-ingress`, 'ingress', 2],
        ['Deployment', `${FULLNAME}-worker`, 'worker', 2],
      ]);
      for (const w of ws) expect(w.spec.template.spec.volumes?.find((v) => v.name === 'data')?.emptyDir?.sizeLimit).to.be.a('string');
      expect(ofKind(manifests, 'PodDisruptionBudget').map((p) => p.metadata.name)).to.deep.equal([`${FULLNAME}-ingress`, `${FULLNAME}-worker`]);
      expect(ofKind(manifests, 'StatefulSet')).to.deep.equal([]);
    });

    it('embedded: one StatefulSet running serve with a PersistentVolumeClaim for data_dir, and no Deployment or HPA', () => {
      const manifests = scenario('embedded-values.yaml');
      expect(ofKind(manifests, 'Deployment')).to.deep.equal([]);
      expect(ofKind(manifests, 'HorizontalPodAutoscaler')).to.deep.equal([]);
      const [sts, ...others] = ofKind<Workload>(manifests, 'StatefulSet');
      expect(others).to.deep.equal([]);
      expect(sts!.spec.replicas).to.equal(1);
      expect(mainContainer(sts!).args?.[0]).to.equal('serve');
      const claim = sts!.spec.volumeClaimTemplates?.[0];
      expect(claim?.metadata.name).to.equal('data');
      expect(claim?.spec.resources.requests.storage).to.equal('20Gi');
      expect(claim?.spec.storageClassName).to.equal('fast-ssd');
      expect(mainContainer(sts!).volumeMounts?.find((m) => m.name === 'data')?.mountPath).to.equal(DATA_DIR);
      expect(sts!.spec.template.spec.volumes?.some((v) => v.name === 'data')).to.equal(false);
      expect((sts!.spec as { serviceName?: string }).serviceName).to.equal(`${FULLNAME}-headless`);
      const pub = ofKind<Service>(manifests, 'Service').find((s) => s.metadata.name === FULLNAME)!;
      expect(pub.spec.selector['app.kubernetes.io/component']).to.equal('serve');
    });

    it('spool persistence: the ingress becomes a StatefulSet with a claim per pod, and its HPA targets it', () => {
      const manifests = scenario('spool-pvc-values.yaml');
      const [ingress] = ofKind<Workload>(manifests, 'StatefulSet');
      expect(ingress!.metadata.name).to.equal(`${FULLNAME}-ingress`);
      expect(ingress!.spec.replicas, 'replicas are the HPA\'s').to.equal(undefined);
      expect(ingress!.spec.volumeClaimTemplates?.[0]?.spec.resources.requests.storage).to.equal('5Gi');
      expect(ofKind<Workload>(manifests, 'Deployment').map((d) => d.metadata.name)).to.deep.equal([`${FULLNAME}-worker`]);
      const [hpa] = ofKind(manifests, 'HorizontalPodAutoscaler');
      expect((hpa!.spec as { scaleTargetRef: unknown }).scaleTargetRef).to.deep.equal({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: `${FULLNAME}-ingress` });
    });

    it('HPA: the ingress and the workers scale on CPU (workers also on memory) and the workloads leave replicas to them', () => {
      const manifests = scenario('hpa-values.yaml');
      type Hpa = { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number; metrics: { resource: { name: string; target: { averageUtilization: number } } }[] };
      const hpas = ofKind(manifests, 'HorizontalPodAutoscaler').map((h) => h.spec as Hpa);
      expect(hpas.map((h) => [h.scaleTargetRef.kind, h.scaleTargetRef.name, h.minReplicas, h.maxReplicas])).to.deep.equal([
        ['Deployment', `${FULLNAME}-ingress`, 3, 20],
        ['Deployment', `${FULLNAME}-worker`, 2, 12],
      ]);
      expect(hpas.map((h) => h.metrics.map((m) => `${m.resource.name}:${m.resource.target.averageUtilization}`))).to.deep.equal([['cpu:60'], ['cpu:75', 'memory:80']]);
      for (const w of workloads(manifests)) expect(w.spec.replicas, w.metadata.name).to.equal(undefined);
      const pdbs = ofKind(manifests, 'PodDisruptionBudget').map((p) => {
        const spec = p.spec as { minAvailable?: number | string; maxUnavailable?: number | string };
        return [p.metadata.name, spec.minAvailable, spec.maxUnavailable];
      });
      expect(pdbs).to.deep.equal([[`${FULLNAME}-ingress`, 2, undefined], [`${FULLNAME}-worker`, undefined, '50%']]);
    });

    it('existing secrets: no Secret is rendered; the pods read the named Secrets, and sinks.yaml from the named ConfigMap', () => {
      const manifests = scenario('existing-secrets-values.yaml');
      expect(ofKind(manifests, 'Secret')).to.deep.equal([]);
      expect(configMapFile(manifests, 'sinks.yaml')).to.equal(undefined);
      const w = workloads(manifests)[0]!;
      const refs = Object.fromEntries((mainContainer(w).env ?? []).filter((e) => e.valueFrom?.secretKeyRef).map((e) => [e.name, e.valueFrom!.secretKeyRef]));
      expect(refs).to.deep.equal({
        ZOOM_WEBHOOK_SECRET_TOKEN: { name: 'zoom-webhook', key: 'secret-token' },
        QSS_ZOOM_APP_DEFAULT_PREVIOUS_SECRET_TOKEN_0: { name: 'zoom-webhook', key: 'previous-secret-token' },
        QSS_ZOOM_APP_PHONE_SECRET_TOKEN: { name: 'zoom-phone-webhook', key: 'secret-token' },
        QSS_KAFKA_SASL_PASSWORD: { name: 'kafka-user-qss-forwarder', key: 'password' },
        DD_API_KEY: { name: 'datadog', key: 'api-key' },
        SPLUNK_HEC_TOKEN: { name: 'splunk-hec', key: 'SPLUNK_HEC_TOKEN' },
      });
      const sources = w.spec.template.spec.volumes?.find((v) => v.name === 'config')?.projected?.sources ?? [];
      expect(sources.map((s) => [s.configMap?.name, s.configMap?.items])).to.deep.equal([
        [`${FULLNAME}-config`, [{ key: 'forwarder.yaml', path: 'forwarder.yaml' }]],
        ['qss-forwarder-sinks', [{ key: 'sinks.yaml', path: 'sinks.yaml' }]],
      ]);
    });

    it('NOTES tell where to point Zoom, how to check /readyz and how the URL gets validated', async () => {
      const notes = await installNotes([ci('ingress-tls-values.yaml')]);
      expect(notes).to.include('https://zoom-qss.example.com/webhooks/zoom');
      expect(notes).to.include(`kubectl -n qss port-forward svc/${FULLNAME}-metrics 9464:9464`);
      expect(notes).to.include('curl -s localhost:9464/readyz');
      expect(notes).to.include('endpoint.url_validation');
      expect(notes).to.include('zoom.qss.events  and  zoom.qss.dlq');
      const embedded = await installNotes([ci('embedded-values.yaml')], ['workloads.serve.persistence.enabled=false']);
      expect(embedded).to.include('[WARNING] workloads.serve.persistence.enabled is false');
    });
  });

  describe('values validation', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'qss-helm-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    const valuesFile = (name: string, text: string): string => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    };

    it('a misspelt key and a wrong type fail helm template and helm lint with the schema\'s messages', async () => {
      const broken = valuesFile('broken-values.yaml', 'workloads:\n  ingress:\n    replicaCout: 3\n  worker:\n    replicaCount: two\nmode: kafak\nservice:\n  annotations:\n    prometheus.io/scrape: true\n');
      const template = await templateChart([ci('default-values.yaml'), broken]);
      expect(template.ok).to.equal(false);
      const lint = await lintChart([ci('default-values.yaml'), broken]);
      expect(lint.ok).to.equal(false);
      for (const output of [template.stderr, lint.stdout + lint.stderr]) {
        expect(output).to.include("values don't meet the specifications of the schema");
        expect(output).to.include("at '/workloads/ingress': additional properties 'replicaCout' not allowed");
        expect(output).to.include("at '/workloads/worker/replicaCount': got string, want integer");
        expect(output).to.include("at '/mode': value must be one of 'kafka', 'embedded'");
        expect(output).to.include("at '/service/annotations/prometheus.io~1scrape': got boolean, want string");
      }
    });

    it('a misspelt top-level key or product config section is refused too', async () => {
      const broken = valuesFile('typo-values.yaml', 'ingres:\n  enabled: true\nconfig:\n  forwarder:\n    workers: {}\n  sinks:\n    sinks:\n      x: { type: splunk }\n');
      const result = await templateChart([ci('default-values.yaml'), broken]);
      expect(result.ok).to.equal(false);
      expect(result.stderr).to.include("at '': additional properties 'ingres' not allowed");
      expect(result.stderr).to.include("at '/config/forwarder': additional properties 'workers' not allowed");
      expect(result.stderr).to.include("at '/config/sinks/sinks/x/type': value must be one of");
    });

    const failures: [string, string[], string][] = [
      ['no brokers in mode kafka', ['kafka.brokers=null'], '[ERROR] kafka.brokers is required with mode: kafka'],
      ['no Zoom token', ['zoom.apps.default.secretToken='], '[ERROR] zoom.apps.default needs its Zoom Secret Token'],
      ['a grace period shorter than the drain', ['terminationGracePeriodSeconds=10'], '[ERROR] terminationGracePeriodSeconds (10 s) must be larger than server.shutdown_drain_ms + worker.shutdown_grace_ms (12000 ms)'],
      ['a grace period with no time left for the listener drain', ['terminationGracePeriodSeconds=12'], '[ERROR] terminationGracePeriodSeconds (12 s) must be larger than server.shutdown_drain_ms + worker.shutdown_grace_ms (12000 ms)'],
      ['a longer listener drain than the grace period allows', ['config.forwarder.server.shutdown_drain_ms=25000'], '[ERROR] terminationGracePeriodSeconds (30 s) must be larger than server.shutdown_drain_ms + worker.shutdown_grace_ms (35000 ms)'],
      ['a ${VAR} without a source', ['config.sinks.sinks.hec.type=splunk_hec', 'config.sinks.sinks.hec.url=https://hec:8088', 'config.sinks.sinks.hec.token=${HEC_TOKEN}'], '[ERROR] the configuration uses ${HEC_TOKEN} but no environment variable HEC_TOKEN is given'],
      ['SASL without a password', ['kafka.sasl.enabled=true', 'kafka.sasl.username=u'], '[ERROR] kafka.sasl.enabled needs kafka.sasl.password or kafka.sasl.existingSecret.name'],
      ['both minAvailable and maxUnavailable', ['workloads.worker.podDisruptionBudget.minAvailable=1', 'workloads.worker.podDisruptionBudget.maxUnavailable=1'], '[ERROR] workloads.worker.podDisruptionBudget: set minAvailable or maxUnavailable, not both'],
      ['an HTTPRoute without a Gateway', ['httpRoute.enabled=true'], '[ERROR] httpRoute.parentRefs is required'],
    ];
    for (const [what, sets, message] of failures) {
      it(`helm template fails on ${what}`, async () => {
        const result = await templateChart([ci('default-values.yaml')], sets);
        expect(result.ok).to.equal(false);
        expect(result.stderr).to.include(message);
      });
    }

    it('values.yaml and values.schema.json list the same keys, each with a description', () => {
      const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as SchemaNode;
      const values = parseYaml(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as unknown;
      const problems: string[] = [];
      const resolve = (node: SchemaNode): SchemaNode => (node.$ref ? resolve(schema.definitions![node.$ref.replace('#/definitions/', '')]!) : node);
      const walk = (value: unknown, node: SchemaNode, path: string): void => {
        const described = node.description !== undefined || resolve(node).description !== undefined;
        if (!described && path !== '') problems.push(`${path}: no description`);
        const n = resolve(node);
        if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
        for (const [key, child] of Object.entries(value)) {
          const childNode = n.properties?.[key] ?? (typeof n.additionalProperties === 'object' ? n.additionalProperties : undefined);
          if (!childNode) problems.push(`${path}.${key}: not in values.schema.json`);
          else if (n.properties?.[key] || n.additionalProperties !== true) walk(child, childNode, `${path}.${key}`);
        }
        // Chart keys must all be in values.yaml; optional fields of Kubernetes objects
        // (resources, security contexts) and of the product's own config need not be.
        if (/(resources|ecurityContext)(\.|$)|^\.config\.(forwarder|sinks)$/.test(path)) return;
        for (const key of Object.keys(n.properties ?? {})) {
          if (!(key in value) && key !== 'global') problems.push(`${path}.${key}: in the schema, not in values.yaml`);
        }
      };
      walk(values, schema, '');
      expect(problems).to.deep.equal([]);
    });

    it('config.forwarder and config.sinks accept exactly the sections and sink types of the forwarder\'s own schemas', () => {
      const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as SchemaNode;
      const config = schema.properties!.config!.properties!;
      const chartOwned = ['data_dir', 'zoom'];
      expect(Object.keys(config.forwarder!.properties!).sort()).to.deep.equal(Object.keys(forwarderConfigSchema.properties).filter((k) => !chartOwned.includes(k)).sort());
      expect(Object.keys(config.sinks!.properties!).sort()).to.deep.equal(Object.keys(sinksConfigSchema.properties).sort());
      const sinkType = (config.sinks!.properties!.sinks!.additionalProperties as SchemaNode).properties!.type!.enum;
      expect([...(sinkType ?? [])].sort()).to.deep.equal(sinkConfigSchemas.map((s) => s.properties.type.const as string).sort());
    });
  });
});

interface SchemaNode {
  $ref?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  definitions?: Record<string, SchemaNode>;
  enum?: string[];
}
