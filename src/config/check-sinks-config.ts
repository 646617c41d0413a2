// The rules of sinks.yaml that a JSON Schema cannot say: routes name existing sinks, every sink is
// reachable, event patterns and regular expressions make sense, custom metrics have a known source,
// a fitting unit and a unique name, attribute lists name attributes that exist, request headers and
// credentials can be sent as HTTP headers. Each problem comes back with its key path (the loader
// adds file:line:column); none repeats a secret. Pure.
import { didYouMean } from './did-you-mean.ts';
import type { SemanticIssue } from './config-issue.ts';
import { headerValueProblem, parseHttpHeaders } from '../delivery/parse-http-headers.ts';
import type { SinkConfig } from '../sinks/sink-registry.ts';
import type { SinksConfig } from '../sinks/sinks-config.ts';
import { namePredicate } from '../pipeline/map/compile-attribute-filter.ts';
import { METRIC_SOURCE_NAMES, resolveMetricSource } from '../pipeline/map/resolve-metric-source.ts';
import { SAMPLE_ATTRIBUTE_NAMES } from '../pipeline/map/sample-attribute-names.ts';
import type { SinkMappingConfig } from '../pipeline/map/sink-mapping-config.ts';
import { UNIT_CONVERSIONS, unitFactor } from '../pipeline/map/unit-conversions.ts';
import { QOS_METRIC_NAMES } from '../pipeline/normalize/metric-catalogue.ts';
import { QSS_EVENTS } from '../pipeline/normalize/normalize-qss-event.ts';
import { compileGlob, fieldPatternProblem, isGlob } from '../pipeline/route/compile-routes.ts';

const QSS_EVENT_NAMES = Object.keys(QSS_EVENTS);
const quoted = (names: readonly string[]): string => names.map((n) => JSON.stringify(n)).join(', ');

function checkRoutes(config: SinksConfig, issues: SemanticIssue[]): void {
  const sinkNames = Object.keys(config.sinks);
  const used = new Set<string>();
  config.routes?.forEach((route, i) => {
    route.sinks.forEach((sink, j) => {
      used.add(sink);
      if (!Object.hasOwn(config.sinks, sink)) {
        issues.push({ path: ['routes', String(i), 'sinks', String(j)], message: `unknown sink ${JSON.stringify(sink)}${didYouMean(sink, sinkNames)}; sinks are ${quoted(sinkNames)}` });
      }
    });
    route.events?.forEach((pattern, j) => {
      const path = ['routes', String(i), 'events', String(j)];
      if (isGlob(pattern)) {
        const re = compileGlob(pattern);
        if (!QSS_EVENT_NAMES.some((e) => re.test(e))) issues.push({ path, message: `${JSON.stringify(pattern)} matches none of the 14 QSS event types (meeting.*, webinar.*, session.*, phone.*)` });
      } else if (!QSS_EVENT_NAMES.includes(pattern)) {
        // Other Zoom events may be routed too (if the app subscribes to them); a near miss of a QSS name is a typo.
        const hint = didYouMean(pattern, QSS_EVENT_NAMES);
        if (hint !== '') issues.push({ path, message: `${JSON.stringify(pattern)} is not a QSS event type${hint}` });
      }
    });
    route.where?.forEach((p, j) => {
      const tests = (['equals', 'in', 'matches', 'exists'] as const).filter((t) => p[t] !== undefined);
      if (tests.length !== 1) {
        issues.push({ path: ['routes', String(i), 'where', String(j)], message: `needs exactly one of equals, in, matches, exists; found ${tests.length === 0 ? 'none' : tests.join(' and ')}` });
      }
      const problem = p.matches === undefined ? undefined : fieldPatternProblem(p.matches);
      if (problem !== undefined) issues.push({ path: ['routes', String(i), 'where', String(j), 'matches'], message: problem });
    });
  });
  if (config.routes === undefined) return;
  for (const name of sinkNames) {
    if (!used.has(name)) issues.push({ path: ['sinks', name], message: 'no route sends events to this sink: list it in a route\'s `sinks` or remove it' });
  }
}

function checkAttributeNames(names: readonly string[] | undefined, path: readonly string[], globs: boolean, issues: SemanticIssue[]): void {
  names?.forEach((name, i) => {
    const matches = globs && isGlob(name) ? SAMPLE_ATTRIBUTE_NAMES.some(namePredicate([name])) : SAMPLE_ATTRIBUTE_NAMES.includes(name);
    if (!matches) issues.push({ path: [...path, String(i)], message: `unknown attribute ${JSON.stringify(name)}${didYouMean(name, SAMPLE_ATTRIBUTE_NAMES) || '; the attributes are listed in docs/routing.md'}` });
  });
}

function checkMetrics(name: string, sink: SinkMappingConfig, issues: SemanticIssue[]): void {
  const base = ['sinks', name];
  if (sink.attributes.allow !== undefined && sink.attributes.deny !== undefined) {
    issues.push({ path: [...base, 'attributes'], message: 'use either allow or deny, not both' });
  }
  checkAttributeNames(sink.attributes.allow, [...base, 'attributes', 'allow'], true, issues);
  checkAttributeNames(sink.attributes.deny, [...base, 'attributes', 'deny'], true, issues);
  if (sink.data !== 'metrics') return;
  if (sink.metrics.catalogue === 'none' && sink.metrics.custom.length === 0) {
    issues.push({ path: [...base, 'metrics'], message: 'sends no metric: `catalogue: none` and no `custom` metrics' });
  }
  const names = new Map<string, string>(sink.metrics.catalogue === 'default' ? QOS_METRIC_NAMES.map((n) => [n, 'the default catalogue']) : []);
  sink.metrics.custom.forEach((metric, i) => {
    const path = [...base, 'metrics', 'custom', String(i)];
    const clash = names.get(metric.name);
    if (clash !== undefined) issues.push({ path: [...path, 'name'], message: `duplicate metric name ${JSON.stringify(metric.name)}: already defined by ${clash}` });
    names.set(metric.name, `metrics.custom[${i}]`);
    const source = resolveMetricSource(metric.source);
    if (source === undefined) {
      issues.push({ path: [...path, 'source'], message: `unknown source ${JSON.stringify(metric.source)}${didYouMean(metric.source, METRIC_SOURCE_NAMES)}; use a catalogue metric (zoom.qos.latency) or a Zoom detail field (avg_latency)` });
    } else {
      if (metric.unit !== undefined && unitFactor(source.unit, metric.unit) === undefined) {
        issues.push({ path: [...path, 'unit'], message: `unit ${JSON.stringify(metric.unit)} does not fit ${metric.source} (${source.unit}); use one of ${quoted(Object.keys(UNIT_CONVERSIONS[source.unit]))}` });
      }
      if (metric.stat !== undefined && source.stat !== undefined && metric.stat !== source.stat) {
        issues.push({ path: [...path, 'stat'], message: `${metric.source} only has stat ${source.stat}` });
      }
    }
    checkAttributeNames(metric.attributes, [...path, 'attributes'], false, issues);
  });
}

/** Free-form values that become request headers: OTLP `headers`, the HEC token, the Datadog API key. */
function checkHeaders(name: string, sink: SinkConfig, issues: SemanticIssue[]): void {
  const base = ['sinks', name];
  if (sink.type === 'otlp') {
    const parsed = parseHttpHeaders(sink.headers);
    if (!parsed.ok) for (const message of parsed.problems) issues.push({ path: [...base, 'headers'], key: true, message });
  }
  const credential = sink.type === 'splunk_hec' ? { key: 'token', value: sink.token } : sink.type === 'datadog' ? { key: 'api_key', value: sink.api_key } : undefined;
  const problem = credential === undefined ? undefined : headerValueProblem(credential.value);
  if (credential !== undefined && problem !== undefined) {
    issues.push({ path: [...base, credential.key], key: true, message: `${problem}; it is sent as a request header (a secret read from a file often ends with a newline: remove it)` });
  }
}

export function checkSinksConfig(config: SinksConfig): SemanticIssue[] {
  const issues: SemanticIssue[] = [];
  checkRoutes(config, issues);
  for (const [name, sink] of Object.entries(config.sinks)) {
    checkMetrics(name, sink, issues);
    checkHeaders(name, sink, issues);
  }
  return issues;
}
