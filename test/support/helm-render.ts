// Runs the chart through the real helm binary (helm template / helm lint, no cluster) and reads
// what it renders: the manifests, their pod templates, and the product config files inside the
// ConfigMap. Shared by the chart tests.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { helmBinary } from './helm-binaries.ts';

const run = promisify(execFile);

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const CHART_DIR = join(REPO_ROOT, 'helm', 'qss-forwarder');
export const RELEASE = 'zq';

export interface Metadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
  [field: string]: unknown;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}

export interface Probe {
  httpGet?: { path: string; port: string | number };
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
  fsGroup?: number;
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: EnvVar[];
  securityContext?: SecurityContext;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
}

export interface Volume {
  name: string;
  emptyDir?: { sizeLimit?: string };
  persistentVolumeClaim?: { claimName: string };
  projected?: { sources: { configMap?: { name: string; items?: { key: string; path: string }[] } }[] };
  secret?: { secretName: string };
  configMap?: unknown;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  securityContext?: SecurityContext;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  topologySpreadConstraints?: { topologyKey: string; labelSelector?: { matchLabels?: Record<string, string> } }[];
}

export interface Workload extends Manifest {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
    volumeClaimTemplates?: { metadata: { name: string }; spec: { resources: { requests: { storage: string } }; storageClassName?: string } }[];
  };
}

export interface ServicePort {
  name: string;
  port: number;
  targetPort: string | number;
}

export interface Service extends Manifest {
  spec: { type?: string; clusterIP?: string; selector: Record<string, string>; ports?: ServicePort[] };
}

export interface HelmResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** The scenario values files of the chart's ci/ folder. */
export function ciValuesFiles(): string[] {
  return readdirSync(join(CHART_DIR, 'ci')).filter((f) => f.endsWith('-values.yaml')).sort();
}

export async function runHelm(args: string[]): Promise<HelmResult> {
  const env = { ...process.env, HELM_CACHE_HOME: join(REPO_ROOT, 'build', 'helm', 'home', 'cache'), HELM_CONFIG_HOME: join(REPO_ROOT, 'build', 'helm', 'home', 'config'), HELM_DATA_HOME: join(REPO_ROOT, 'build', 'helm', 'home', 'data') };
  try {
    const { stdout, stderr } = await run(helmBinary(), args, { env, maxBuffer: 64 * 1024 * 1024 });
    return { ok: true, stdout, stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
  }
}

function valuesArgs(valuesFiles: readonly string[], sets: readonly string[]): string[] {
  return [...valuesFiles.flatMap((f) => ['-f', f]), ...sets.flatMap((s) => ['--set', s])];
}

/** `helm template` of the chart (release "zq", namespace "qss"); throws with helm's message on failure. */
export async function renderChart(valuesFiles: readonly string[], sets: readonly string[] = []): Promise<Manifest[]> {
  const result = await templateChart(valuesFiles, sets);
  if (!result.ok) throw new Error(`helm template failed:\n${result.stderr}`);
  return parseManifests(result.stdout);
}

export function templateChart(valuesFiles: readonly string[], sets: readonly string[] = []): Promise<HelmResult> {
  return runHelm(['template', RELEASE, CHART_DIR, '--namespace', 'qss', ...valuesArgs(valuesFiles, sets)]);
}

export function lintChart(valuesFiles: readonly string[], sets: readonly string[] = []): Promise<HelmResult> {
  return runHelm(['lint', CHART_DIR, '--strict', '--namespace', 'qss', ...valuesArgs(valuesFiles, sets)]);
}

/** Rendered YAML → manifests, read as the API server's YAML 1.1 parser would (`on`, `yes` are booleans). */
export function parseManifests(text: string): Manifest[] {
  const manifests: Manifest[] = [];
  for (const doc of parseAllDocuments(text, { version: '1.1' })) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as Manifest | null;
    if (value !== null) manifests.push(value);
  }
  return manifests;
}

export function ofKind<T extends Manifest = Manifest>(manifests: readonly Manifest[], kind: string): T[] {
  return manifests.filter((m) => m.kind === kind) as T[];
}

export function workloads(manifests: readonly Manifest[]): Workload[] {
  return manifests.filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet') as Workload[];
}

export function componentOf(m: Manifest): string | undefined {
  return m.metadata.labels?.['app.kubernetes.io/component'];
}

export function configMapFile(manifests: readonly Manifest[], key: 'forwarder.yaml' | 'sinks.yaml'): string | undefined {
  const cm = ofKind(manifests, 'ConfigMap').find((c) => c.metadata.name === `${RELEASE}-qss-forwarder-config`);
  return (cm?.data as Record<string, string> | undefined)?.[key];
}

/**
 * Placeholders of secret environment variables: each different, and each looking like a number
 * (`1000000000000001e1`, at least 16 characters), so that a `${VAR}` the chart left unquoted would
 * not come out of the forwarder's YAML reading as a string.
 */
export const SECRET_PLACEHOLDER = /^1[0-9]{15}e1$/;

/** The environment the container would get, secrets replaced by placeholders. */
export function containerEnv(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  let secrets = 0;
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) {
      const placeholder = `${1_000_000_000_000_000 + ++secrets}e1`;
      env[e.name] = e.name === 'OTLP_HEADERS' ? `authorization=Bearer%20${placeholder}` : placeholder;
    } else if (e.valueFrom?.fieldRef) env[e.name] = `field-${e.valueFrom.fieldRef.fieldPath}`;
  }
  return env;
}

/** NOTES.txt as `helm install --dry-run=client` prints it (no cluster needed). */
export async function installNotes(valuesFiles: readonly string[], sets: readonly string[] = []): Promise<string> {
  const result = await runHelm(['install', RELEASE, CHART_DIR, '--namespace', 'qss', '--dry-run=client', ...valuesArgs(valuesFiles, sets)]);
  if (!result.ok) throw new Error(`helm install --dry-run failed:\n${result.stderr}`);
  const at = result.stdout.indexOf('NOTES:');
  if (at < 0) throw new Error('helm install --dry-run printed no NOTES');
  return result.stdout.slice(at);
}
