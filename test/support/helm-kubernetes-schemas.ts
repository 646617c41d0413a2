// Validates rendered manifests against the vendored, strict Kubernetes JSON Schemas of
// test/fixtures/kubernetes-schemas/ (README there: where they come from, which versions).
import { Ajv, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from './helm-render.ts';
import { REPO_ROOT } from './helm-render.ts';

const SCHEMA_DIR = join(REPO_ROOT, 'test', 'fixtures', 'kubernetes-schemas');
const CORE = 'kubernetes-v1.27.1-standalone-strict.json';

/** apiVersion/kind → [schema file, definition]. Every kind the chart renders must be here. */
const KINDS: Record<string, [string, string]> = {
  'apps/v1/Deployment': [CORE, 'io.k8s.api.apps.v1.Deployment'],
  'apps/v1/StatefulSet': [CORE, 'io.k8s.api.apps.v1.StatefulSet'],
  'v1/Service': [CORE, 'io.k8s.api.core.v1.Service'],
  'v1/ConfigMap': [CORE, 'io.k8s.api.core.v1.ConfigMap'],
  'v1/Secret': [CORE, 'io.k8s.api.core.v1.Secret'],
  'v1/ServiceAccount': [CORE, 'io.k8s.api.core.v1.ServiceAccount'],
  'networking.k8s.io/v1/Ingress': [CORE, 'io.k8s.api.networking.v1.Ingress'],
  'networking.k8s.io/v1/NetworkPolicy': [CORE, 'io.k8s.api.networking.v1.NetworkPolicy'],
  'autoscaling/v2/HorizontalPodAutoscaler': [CORE, 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler'],
  'policy/v1/PodDisruptionBudget': [CORE, 'io.k8s.api.policy.v1.PodDisruptionBudget'],
  'monitoring.coreos.com/v1/ServiceMonitor': ['servicemonitor-monitoring-v1-standalone-strict.json', 'monitoring.coreos.com.v1.ServiceMonitor'],
  'gateway.networking.k8s.io/v1/HTTPRoute': ['httproute-gateway-v1-standalone-strict.json', 'gateway.networking.k8s.io.v1.HTTPRoute'],
};

const QUANTITY = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$/;

function createValidators(): (m: Manifest) => string[] {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addFormat('quantity', QUANTITY);
  const ids = new Map<string, string>();
  for (const file of new Set(Object.values(KINDS).map(([f]) => f))) {
    const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as { $id: string };
    ajv.addSchema(schema);
    ids.set(file, schema.$id);
  }
  const cache = new Map<string, ValidateFunction>();
  return (m) => {
    const key = `${m.apiVersion}/${m.kind}`;
    const entry = KINDS[key];
    if (!entry) return [`no vendored schema for ${key}`];
    let validate = cache.get(key);
    if (!validate) {
      validate = ajv.getSchema(`${ids.get(entry[0])}#/definitions/${entry[1]}`);
      if (!validate) return [`schema ${entry[1]} missing from ${entry[0]}`];
      cache.set(key, validate);
    }
    if (validate(m)) return [];
    // The schemas write optional objects as oneOf [object, null]: leave out the echo of that.
    const all = validate.errors ?? [];
    const detailed = all.filter((e) => !(e.keyword === 'oneOf' || (e.keyword === 'type' && e.message === 'must be null')));
    return (detailed.length > 0 ? detailed : all).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
  };
}

let validator: ((m: Manifest) => string[]) | undefined;

/** Problems of one manifest against the Kubernetes schema of its kind ([] = valid). */
export function kubernetesSchemaProblems(m: Manifest): string[] {
  validator ??= createValidators();
  return validator(m);
}
