// Conformance receiver for OTLP/HTTP metrics in OTLP/JSON, used by the tests of our OTLP sink.
// Written from the protocol rules in sink-protocols.md §3 (checklist: §3.7), which paraphrase
// open-telemetry/opentelemetry-proto docs/specification.md and metrics.proto — not from our client.
//
// Every request is recorded. It must be a POST to /v1/metrics (else 404 / 405), carry the
// required headers (401), be `Content-Type: application/json` (415; protobuf is valid OTLP but
// not supported here), `Content-Encoding` none or gzip (415), at most `maxBodyBytes` once
// decompressed (413), and be an ExportMetricsServiceRequest in OTLP/JSON (else 400):
// lowerCamelCase keys only, numeric enums, 64-bit integers as decimal strings or numbers,
// unknown fields ignored; `service.name` in every resource; per metric a name, a UCUM-looking
// unit and exactly one data kind; gauges (and summaries) without temporality, sums and
// histograms with temporality 1 or 2; per point a non-zero `timeUnixNano` of nanosecond
// magnitude, `startTimeUnixNano` ≤ `timeUnixNano`, exactly one of asDouble/asInt, unique
// attribute keys and values in AnyValue form. Each violation is a text in `problems`.
// Valid requests get 200 `{}` (application/json); errors get a google.rpc.Status-like JSON body.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { IExportMetricsServiceResponse } from '@opentelemetry/otlp-transformer';

export type OtlpKind = 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';
export type OtlpScalar = string | number | boolean;

export interface OtlpPoint {
  metric: string;
  unit: string;
  description: string;
  kind: OtlpKind;
  /** 1 = delta, 2 = cumulative (sum and the histogram kinds only). */
  temporality?: 1 | 2;
  /** Sum only, when sent. */
  isMonotonic?: boolean;
  timeUnixNano: bigint;
  /** Absent when not sent or sent as 0 (proto3 default = unset). */
  startTimeUnixNano?: bigint;
  /** asDouble / asInt for gauge and sum; `sum` (0 when absent) for the histogram kinds and summary. */
  value: number;
  /** Gauge and sum: which field carried the value. */
  valueType?: 'asDouble' | 'asInt';
  /** Histogram kinds and summary. */
  count?: number;
  /** Histogram only. */
  bucketCounts?: number[];
  explicitBounds?: number[];
  /** Flattened AnyValues; arrayValue / kvlistValue become JSON text, bytesValue stays base64. */
  attributes: Record<string, OtlpScalar>;
  resource: Record<string, OtlpScalar>;
  /** InstrumentationScope name ('' when absent). */
  scope: string;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  /** Status answered; 0 when the connection was reset (scripted `destroy`) or not answered yet. */
  status: number;
  contentType?: string;
  contentEncoding?: string;
  /** Body size on the wire (before decompression). */
  bytes: number;
  /** Lowercased names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  /** This request's violations (also appended to `OtlpReceiver.problems`). */
  problems: string[];
  /** The parsed body, when it was JSON (for assertions on the raw wire form). */
  json?: unknown;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Sent as is (string) or as JSON (object). Default: `{}` / partialSuccess for 2xx, a Status body otherwise. */
  body?: string | object;
  delayMs?: number;
  /** Reset the connection (TCP RST) instead of answering, after `delayMs`. */
  destroy?: boolean;
  partialSuccess?: { rejectedDataPoints: number; errorMessage: string };
}

export interface OtlpReceiverOptions {
  /** Header name → exact value; a missing or different value answers 401. */
  requireHeaders?: Record<string, string>;
  /** Cap on the decompressed body; larger answers 413. Default 64 MiB. */
  maxBodyBytes?: number;
}

export interface OtlpReceiver {
  /** Base URL `http://127.0.0.1:<port>`; the endpoint is `${url}/v1/metrics`. */
  readonly url: string;
  /** `${url}/v1/metrics`. */
  readonly endpoint: string;
  /** Every data point of every accepted request (no problems and a 2xx answer), in order. */
  readonly points: OtlpPoint[];
  /** Every request, accepted or not, in arrival order. */
  readonly requests: ReceivedRequest[];
  /** Every protocol violation seen, over all requests. */
  readonly problems: string[];
  readonly requiredHeaders: Readonly<Record<string, string>>;
  /**
   * Answers for the next POSTs to /v1/metrics, in order, instead of the normal answer. The body is
   * still read and checked first (problems are recorded); the data counts as accepted only when
   * it had no problems and the scripted status is 2xx.
   */
  script(...answers: ScriptedAnswer[]): void;
  /** Stops listening, drops open connections and pending delayed answers. */
  close(): Promise<void>;
}

export const OTLP_METRICS_PATH = '/v1/metrics';
const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
const MAX_PROBLEMS_PER_REQUEST = 20;

export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const requiredHeaders = Object.fromEntries(Object.entries(options.requireHeaders ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const points: OtlpPoint[] = [];
  const requests: ReceivedRequest[] = [];
  const problems: string[] = [];
  const answers: ScriptedAnswer[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const sleep = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(() => { timers.delete(timer); resolve(); }, ms);
    timers.add(timer);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const record: ReceivedRequest = {
      method: req.method ?? '',
      path: (req.url ?? '/').split('?')[0] ?? '/',
      status: 0,
      contentType: req.headers['content-type'],
      contentEncoding: req.headers['content-encoding'],
      bytes: body.length,
      headers: flattenHeaders(req),
      problems: [],
    };
    requests.push(record);
    const verdict = checkRequest(record, body, requiredHeaders, maxBodyBytes);
    problems.push(...record.problems);

    const isEndpointPost = record.path === OTLP_METRICS_PATH && record.method === 'POST';
    const scripted = isEndpointPost ? answers.shift() : undefined;
    if (scripted === undefined) {
      if (verdict.status === 200) points.push(...verdict.points);
      record.status = verdict.status;
      const extra: Record<string, string> = verdict.status === 405 ? { allow: 'POST' } : {};
      send(res, verdict.status, verdict.status === 200 ? '{}' : statusBody(verdict.status, verdict.message), extra);
      return;
    }
    if (scripted.delayMs !== undefined && scripted.delayMs > 0) await sleep(scripted.delayMs);
    if (closed || res.destroyed) return;
    if (scripted.destroy === true) {
      req.socket.resetAndDestroy();
      return;
    }
    const ok = scripted.status >= 200 && scripted.status < 300;
    if (ok && verdict.status === 200) points.push(...verdict.points);
    record.status = scripted.status;
    send(res, scripted.status, scriptedBody(scripted, ok), scripted.headers ?? {});
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => { if (!res.destroyed) res.destroy(); });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    endpoint: `${url}${OTLP_METRICS_PATH}`,
    points,
    requests,
    problems,
    requiredHeaders,
    script: (...next) => { answers.push(...next); },
    close: async () => {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

/** google.rpc.Code for an HTTP status, as an OTLP server would put in its Status body. */
function grpcCode(status: number): number {
  const codes: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 405: 12, 413: 8, 415: 3, 429: 8, 500: 13, 501: 12, 502: 14, 503: 14, 504: 4 };
  return codes[status] ?? 2;
}

function statusBody(status: number, message: string): string {
  return JSON.stringify({ code: grpcCode(status), message });
}

function scriptedBody(answer: ScriptedAnswer, ok: boolean): string {
  if (typeof answer.body === 'string') return answer.body;
  if (answer.body !== undefined) return JSON.stringify(answer.body);
  if (!ok) return statusBody(answer.status, `scripted answer ${answer.status}`);
  const response: IExportMetricsServiceResponse = answer.partialSuccess === undefined ? {} : { partialSuccess: answer.partialSuccess };
  return JSON.stringify(response);
}

// ---------------------------------------------------------------------------------------------
// Request checks (§3.7 items 1–2), then the body (items 3–6)

interface Verdict { status: number; message: string; points: OtlpPoint[] }

function checkRequest(record: ReceivedRequest, body: Buffer, requiredHeaders: Record<string, string>, maxBodyBytes: number): Verdict {
  const fail = (status: number, problem: string): Verdict => {
    record.problems.push(problem);
    return { status, message: problem, points: [] };
  };
  if (record.path !== OTLP_METRICS_PATH) return fail(404, `path ${record.path} is not ${OTLP_METRICS_PATH}`);
  if (record.method !== 'POST') return fail(405, `method ${record.method} is not POST`);
  for (const [name, expected] of Object.entries(requiredHeaders)) {
    const got = record.headers[name];
    if (got !== expected) return fail(401, got === undefined ? `required header ${name} is missing` : `required header ${name} has the wrong value`);
  }

  const mediaType = (record.contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/x-protobuf') return fail(415, 'Content-Type application/x-protobuf: protobuf not supported by this test receiver (send application/json)');
  if (mediaType !== 'application/json') return fail(415, `Content-Type ${record.contentType ?? '(none)'} is not application/json or application/x-protobuf`);

  const encoding = (record.contentEncoding ?? '').trim().toLowerCase();
  let raw = body;
  if (encoding === 'gzip') {
    try {
      raw = gunzipSync(body, { maxOutputLength: maxBodyBytes });
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return fail(413, `decompressed body is larger than ${maxBodyBytes} bytes`);
      return fail(400, 'body is not valid gzip (Content-Encoding: gzip)');
    }
  } else if (encoding !== '' && encoding !== 'identity') {
    return fail(415, `Content-Encoding ${record.contentEncoding} is not supported (only gzip or none)`);
  }
  if (raw.length > maxBodyBytes) return fail(413, `body of ${raw.length} bytes is larger than ${maxBodyBytes} bytes`);

  try {
    record.json = JSON.parse(raw.toString('utf8'));
  } catch {
    return fail(400, 'body is not valid JSON');
  }
  const found: string[] = [];
  const points = checkExportRequest(record.json, found);
  if (found.length > MAX_PROBLEMS_PER_REQUEST) found.splice(MAX_PROBLEMS_PER_REQUEST, Infinity, `… and ${found.length - MAX_PROBLEMS_PER_REQUEST} more problems`);
  record.problems.push(...found);
  if (found.length > 0) return { status: 400, message: found.join('; '), points: [] };
  return { status: 200, message: '', points };
}

// ---------------------------------------------------------------------------------------------
// OTLP/JSON body

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
/** proto3 JSON: null means "unset". */
const isSet = (v: unknown): boolean => v !== undefined && v !== null;

const KINDS: readonly OtlpKind[] = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'];
const ANY_VALUE_FIELDS = ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] as const;
const LOWER_CAMEL = /^[a-z][a-zA-Z0-9]*$/;
/** UCUM codes are printable ASCII without spaces; `{…}` annotations may not nest. */
const UCUM_LOOKING = /^(?:[!-z|~]|\{[!-z|~]*\})+$/;
const NS_MIN = 10n ** 18n; // 2001-09-09 in nanoseconds
const NS_MAX = 10n ** 20n; // year 5138

interface MetricContext { resource: Record<string, OtlpScalar>; scope: string }

/** Records a problem; returns undefined so checks can `return flag(…)`. */
function flag(problems: string[], text: string): undefined {
  problems.push(text);
  return undefined;
}

function flagAll(problems: string[], text: string): OtlpPoint[] {
  problems.push(text);
  return [];
}

function checkExportRequest(body: unknown, problems: string[]): OtlpPoint[] {
  if (!isObject(body)) {
    problems.push('body is not a JSON object (ExportMetricsServiceRequest)');
    return [];
  }
  const badKeys = new Map<string, string>();
  findBadKeys(body, '', badKeys);
  if (badKeys.size > 0) {
    for (const [key, where] of badKeys) problems.push(`key "${key}" at ${where || 'top level'} is not lowerCamelCase${key.includes('_') ? ' (snake_case keys are invalid in OTLP/JSON)' : ''}`);
    return []; // the rest would only report the same keys as missing fields
  }
  const points: OtlpPoint[] = [];
  arrayField(body, 'resourceMetrics', 'request', problems).forEach((rm, i) => {
    const where = `resourceMetrics[${i}]`;
    if (!isObject(rm)) return flag(problems, `${where} is not an object`);
    const resource = isObject(rm.resource) ? attributes(rm.resource.attributes, `${where}.resource`, problems) : {};
    if (typeof resource['service.name'] !== 'string' || resource['service.name'] === '') problems.push(`${where}.resource.attributes has no service.name string`);
    arrayField(rm, 'scopeMetrics', where, problems).forEach((sm, j) => {
      const smWhere = `${where}.scopeMetrics[${j}]`;
      if (!isObject(sm)) return flag(problems, `${smWhere} is not an object`);
      const scope = isObject(sm.scope) && typeof sm.scope.name === 'string' ? sm.scope.name : '';
      arrayField(sm, 'metrics', smWhere, problems).forEach((m, k) => {
        points.push(...checkMetric(m, `${smWhere}.metrics[${k}]`, { resource, scope }, problems));
      });
    });
  });
  return points;
}

/** Records the first place each non-lowerCamelCase key appears (attribute keys are values, not keys). */
function findBadKeys(v: unknown, where: string, out: Map<string, string>): void {
  if (Array.isArray(v)) {
    v.forEach((item, i) => findBadKeys(item, `${where}[${i}]`, out));
  } else if (isObject(v)) {
    for (const [key, item] of Object.entries(v)) {
      if (!LOWER_CAMEL.test(key) && !out.has(key)) out.set(key, where);
      findBadKeys(item, where === '' ? key : `${where}.${key}`, out);
    }
  }
}

function arrayField(obj: JsonObject, key: string, where: string, problems: string[]): unknown[] {
  const v = obj[key];
  if (!isSet(v)) return [];
  if (Array.isArray(v)) return v;
  problems.push(`${where}.${key} is not an array`);
  return [];
}

function checkMetric(m: unknown, where: string, ctx: MetricContext, problems: string[]): OtlpPoint[] {
  if (!isObject(m)) return flagAll(problems, `${where} is not an object`);
  const name = typeof m.name === 'string' ? m.name : '';
  if (name === '') problems.push(`${where} has no name`);
  const label = name === '' ? where : `metric "${name}"`;

  let unit = '';
  if (!isSet(m.unit)) problems.push(`${label}: unit is missing (use "1" for dimensionless)`);
  else if (typeof m.unit !== 'string' || !UCUM_LOOKING.test(m.unit)) problems.push(`${label}: unit ${JSON.stringify(m.unit)} does not look like a UCUM code`);
  else unit = m.unit;
  if (isSet(m.description) && typeof m.description !== 'string') problems.push(`${label}: description is not a string`);
  const description = typeof m.description === 'string' ? m.description : '';

  const kinds = KINDS.filter((k) => isSet(m[k]));
  const kind = kinds[0];
  if (kind === undefined || kinds.length > 1) {
    return flagAll(problems, `${label}: needs exactly one of ${KINDS.join(', ')}; found ${kinds.length === 0 ? 'none' : kinds.join(', ')}`);
  }
  const data = m[kind];
  if (!isObject(data)) return flagAll(problems, `${label}: ${kind} is not an object`);

  let temporality: 1 | 2 | undefined;
  if (kind === 'gauge' || kind === 'summary') {
    if ('aggregationTemporality' in data) problems.push(`${label}: a ${kind} has no aggregationTemporality`);
  } else {
    const t = data.aggregationTemporality;
    if (t === 1 || t === 2) temporality = t;
    else if (typeof t === 'string') problems.push(`${label}: aggregationTemporality ${JSON.stringify(t)} must be numeric (enums are integers in OTLP/JSON)`);
    else problems.push(`${label}: aggregationTemporality must be 1 (delta) or 2 (cumulative), got ${JSON.stringify(t) ?? 'none'}`);
  }
  let isMonotonic: boolean | undefined;
  if (kind === 'sum' && isSet(data.isMonotonic)) {
    if (typeof data.isMonotonic === 'boolean') isMonotonic = data.isMonotonic;
    else problems.push(`${label}: isMonotonic is not a boolean`);
  }

  const points: OtlpPoint[] = [];
  arrayField(data, 'dataPoints', `${label}: ${kind}`, problems).forEach((dp, i) => {
    const pointWhere = `${label} dataPoints[${i}]`;
    if (!isObject(dp)) return flag(problems, `${pointWhere} is not an object`);
    const before = problems.length;
    const attrs = attributes(dp.attributes, pointWhere, problems);
    const time = timestamp(dp.timeUnixNano, 'timeUnixNano', pointWhere, problems);
    const start = timestamp(dp.startTimeUnixNano, 'startTimeUnixNano', pointWhere, problems, true);
    if (kind !== 'gauge' && time !== undefined && start !== undefined && start > time) {
      problems.push(`${pointWhere}: startTimeUnixNano ${start} is after timeUnixNano ${time}`);
    }
    const value = kind === 'gauge' || kind === 'sum' ? numberValue(dp, pointWhere, problems) : distributionValue(kind, dp, pointWhere, problems);
    if (problems.length > before || time === undefined || value === undefined) return;
    const point: OtlpPoint = { metric: name, unit, description, kind, timeUnixNano: time, ...value, attributes: attrs, resource: ctx.resource, scope: ctx.scope };
    if (start !== undefined) point.startTimeUnixNano = start;
    if (temporality !== undefined) point.temporality = temporality;
    if (isMonotonic !== undefined) point.isMonotonic = isMonotonic;
    points.push(point);
  });
  return points;
}

type PointValue = Pick<OtlpPoint, 'value' | 'valueType' | 'count' | 'bucketCounts' | 'explicitBounds'>;

/** NumberDataPoint: exactly one of asDouble / asInt. */
function numberValue(dp: JsonObject, where: string, problems: string[]): PointValue | undefined {
  const hasDouble = isSet(dp.asDouble);
  if (hasDouble === isSet(dp.asInt)) return flag(problems, `${where}: needs exactly one of asDouble/asInt; found ${hasDouble ? 'both' : 'neither'}`);
  if (hasDouble) {
    const value = parseDouble(dp.asDouble);
    if (value === undefined) return flag(problems, `${where}: asDouble ${JSON.stringify(dp.asDouble)} is not a number`);
    return { value, valueType: 'asDouble' };
  }
  const int = parseInt64(dp.asInt);
  if (int === undefined) return flag(problems, `${where}: asInt ${JSON.stringify(dp.asInt)} is not an integer (decimal string or number)`);
  return { value: Number(int), valueType: 'asInt' };
}

/** Histogram / ExponentialHistogram / Summary points: count and sum; histogram buckets must agree. */
function distributionValue(kind: OtlpKind, dp: JsonObject, where: string, problems: string[]): PointValue | undefined {
  const count = isSet(dp.count) ? parseUint64(dp.count) : 0n;
  if (count === undefined) return flag(problems, `${where}: count ${JSON.stringify(dp.count)} is not an unsigned integer`);
  const sum = isSet(dp.sum) ? parseDouble(dp.sum) : 0;
  if (sum === undefined) return flag(problems, `${where}: sum ${JSON.stringify(dp.sum)} is not a number`);
  const value: PointValue = { value: sum, count: Number(count) };
  if (kind !== 'histogram') return value;

  const counts = arrayField(dp, 'bucketCounts', where, problems).map(parseUint64);
  const bounds = arrayField(dp, 'explicitBounds', where, problems).map(parseDouble);
  if (counts.includes(undefined)) return flag(problems, `${where}: bucketCounts must be unsigned integers`);
  if (bounds.includes(undefined)) return flag(problems, `${where}: explicitBounds must be numbers`);
  const bucketCounts = counts as bigint[];
  const explicitBounds = bounds as number[];
  if (bucketCounts.length > 0 && bucketCounts.length !== explicitBounds.length + 1) {
    problems.push(`${where}: ${bucketCounts.length} bucketCounts for ${explicitBounds.length} explicitBounds (needs bounds + 1)`);
  } else if (bucketCounts.length === 0 && explicitBounds.length > 0) {
    problems.push(`${where}: explicitBounds without bucketCounts`);
  } else if (bucketCounts.length > 0 && bucketCounts.reduce((a, b) => a + b, 0n) !== count) {
    problems.push(`${where}: bucketCounts add up to ${bucketCounts.reduce((a, b) => a + b, 0n)}, not count ${count}`);
  }
  if (explicitBounds.some((b, i) => i > 0 && b <= (explicitBounds[i - 1] ?? -Infinity))) problems.push(`${where}: explicitBounds are not increasing`);
  return { ...value, bucketCounts: bucketCounts.map(Number), explicitBounds };
}

/** fixed64 nanoseconds; `optional` treats absent and 0 as unset (startTimeUnixNano). */
function timestamp(v: unknown, field: string, where: string, problems: string[], optional = false): bigint | undefined {
  if (!isSet(v)) return optional ? undefined : flag(problems, `${where}: ${field} is missing`);
  const t = parseUint64(v);
  if (t === undefined) return flag(problems, `${where}: ${field} ${JSON.stringify(v)} is not a decimal string or integer`);
  if (t === 0n) return optional ? undefined : flag(problems, `${where}: ${field} is 0`);
  if (t < NS_MIN || t >= NS_MAX) {
    const guess = t < 10n ** 11n ? ' (looks like seconds)' : t < 10n ** 14n ? ' (looks like milliseconds)' : t < 10n ** 17n ? ' (looks like microseconds)' : '';
    return flag(problems, `${where}: ${field} ${t} is not nanoseconds since the epoch${guess}`);
  }
  return t;
}

/** KeyValue list → flat record; keys must be unique and values in AnyValue form. */
function attributes(list: unknown, where: string, problems: string[]): Record<string, OtlpScalar> {
  const out = new Map<string, OtlpScalar>();
  const seen = new Set<string>();
  if (isSet(list) && !Array.isArray(list)) flag(problems, `${where}: attributes is not an array`);
  const items: unknown[] = Array.isArray(list) ? list : [];
  items.forEach((kv, i) => {
    if (!isObject(kv) || typeof kv.key !== 'string') return flag(problems, `${where}: attributes[${i}] is not a {key, value} pair`);
    if (seen.has(kv.key)) problems.push(`${where}: duplicate attribute key "${kv.key}"`);
    seen.add(kv.key);
    const value = anyValue(kv.value, `${where} attribute "${kv.key}"`, problems);
    if (value !== undefined) out.set(kv.key, value);
  });
  return Object.fromEntries(out);
}

function anyValue(v: unknown, where: string, problems: string[]): OtlpScalar | undefined {
  if (!isObject(v)) return flag(problems, `${where}: value ${JSON.stringify(v)} is not in AnyValue form ({"stringValue": …} etc.)`);
  const present = ANY_VALUE_FIELDS.filter((f) => isSet(v[f]));
  const field = present[0];
  if (field === undefined || present.length > 1) {
    return flag(problems, `${where}: AnyValue needs exactly one of ${ANY_VALUE_FIELDS.join(', ')}; found ${present.length === 0 ? 'none' : present.join(', ')}`);
  }
  const x = v[field];
  let out: OtlpScalar | undefined;
  if (field === 'stringValue' || field === 'bytesValue') out = typeof x === 'string' ? x : undefined;
  else if (field === 'boolValue') out = typeof x === 'boolean' ? x : undefined;
  else if (field === 'intValue') out = mapDefined(parseInt64(x), Number);
  else if (field === 'doubleValue') out = parseDouble(x);
  else if (field === 'arrayValue' && isObject(x)) {
    const values = arrayField(x, 'values', where, problems).map((item, i) => anyValue(item, `${where}[${i}]`, problems));
    out = JSON.stringify(values);
  } else if (field === 'kvlistValue' && isObject(x)) out = JSON.stringify(attributes(x.values, where, problems));
  if (out === undefined) problems.push(`${where}: ${field} ${JSON.stringify(x)} has the wrong type`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Scalars in proto3 JSON

function mapDefined<T, U>(v: T | undefined, f: (v: T) => U): U | undefined {
  return v === undefined ? undefined : f(v);
}

/** int64: a decimal string or an integral JSON number. */
function parseInt64(v: unknown): bigint | undefined {
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return undefined;
}

function parseUint64(v: unknown): bigint | undefined {
  const n = parseInt64(v);
  return n !== undefined && n >= 0n ? n : undefined;
}

/** double: a JSON number, or a string holding a number, "NaN", "Infinity" or "-Infinity". */
function parseDouble(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isNaN(n) && v !== 'NaN' ? undefined : n;
}
