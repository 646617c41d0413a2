// A stand-in Datadog intake for the sink tests: one real node:http server on 127.0.0.1 that serves
// metrics (`POST /api/v2/series`) and logs (`POST /api/v2/logs`) and checks every request against the
// vendor rules in /work/shared/reference/sink-protocols.md §2 (2.2 metrics v2, 2.4 logs intake v2,
// 2.7 "what a conformance receiver must check", 2.8). It is written from those rules only, not from
// our Datadog sink, so the sink is tested against Datadog's contract and not against itself.
//
// What it checks (each violation lands in `problems`; the answer is what Datadog would send):
//   both endpoints  POST only (405, else 404 for unknown paths); DD-API-KEY present (metrics 403,
//                   logs 401 as §2.4 says) and one of `apiKeys` (403); the key never in the URL query
//                   (problem only, Datadog itself would still take the request); Content-Type
//                   application/json (415); Content-Encoding none, gzip or deflate (zlib) (logs also
//                   `identity`; `zstd1` and anything else 415 — Node 20 has no zstd); body decodes (400)
//                   and is JSON (400).
//   metrics         raw body ≤ 512,000 B and decompressed < 5,242,880 B (413); an object with a
//                   `series` array; per series: string `metric`, non-empty `points`, `type` an integer
//                   in {0,1,2,3} (a string such as "gauge" is the v1 format: 400), integer `interval`
//                   (missing for count/rate: problem), `tags` strings, `resources` items with string
//                   `name` and `type`, `unit` a string; per point: integer `timestamp` in seconds
//                   (> 1e11 looks like ms: 400), within [now − 3600 s, now + 600 s] (400), `value` a JSON
//                   number (400). Tags must be `key:value` and already sanitised by Datadog's tag rules
//                   (≤ 200 chars, start with a letter, then lowercase letters, digits, _ - : . /, no
//                   trailing colon) — Datadog would sanitise them itself, so these are problems with a
//                   202. Valid → 202 {"errors":[]}.
//   logs            a JSON array (400), ≤ 1000 items (413), ≤ 5,242,880 B decompressed (413); each item
//                   an object with a string `message` and string `ddsource`/`ddtags`/`hostname`/
//                   `service` when present (400); an item over 1,048,576 B is a problem but, as §2.4
//                   says Datadog truncates such logs and still answers 2xx, it is accepted. `ddtags`
//                   entries follow the tag rules above (problems). Valid → 202 {}.
//
// `script()` queues answers for the next requests to the two endpoints (408/413/429/5xx, slow answers,
// dropped connections). A scripted request is still read and checked; it only counts as accepted when
// the checks pass and the scripted status is 2xx.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';

export interface DatadogPoint {
  metric: string;
  type: number;
  timestamp: number;
  value: number;
  tags: string[];
  unit?: string;
  resources?: { name: string; type: string }[];
  interval?: number;
}

export interface DatadogLog {
  message: string;
  ddsource?: string;
  ddtags?: string;
  hostname?: string;
  service?: string;
  [k: string]: unknown;
}

export interface ReceivedRequest {
  /** URL path without the query. */
  path: string;
  /** Status answered; 0 when a scripted answer dropped the connection instead. */
  status: number;
  apiKey?: string;
  contentType?: string;
  contentEncoding?: string;
  /** Body bytes as received (compressed when Content-Encoding is set). */
  bytes: number;
  /** Body bytes after decoding; 0 when it could not be decoded. */
  decompressedBytes: number;
  /** Number of series (metrics) or log items (logs) in the body; 0 when it could not be parsed. */
  series: number;
  problems: string[];
}

export interface ScriptedAnswer {
  status: number;
  /** Default: the normal Datadog body for a 2xx, else {"errors":["scripted <status>"]}. */
  body?: string | object;
  headers?: Record<string, string>;
  /** Wait this long before answering (or dropping the connection). */
  delayMs?: number;
  /** Drop the connection without an answer. */
  destroy?: boolean;
}

export interface DatadogReceiver {
  /** Base URL http://127.0.0.1:<port>; metrics at /api/v2/series, logs at /api/v2/logs. */
  url: string;
  /** One entry per point of every accepted series request. */
  points: DatadogPoint[];
  /** Items of every accepted logs request. */
  logs: DatadogLog[];
  requests: ReceivedRequest[];
  /** Every protocol violation seen, as "<path> #<request index>: <problem>". */
  problems: string[];
  /** Answers for the next requests to the two endpoints, in order. */
  script(...answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

export interface DatadogReceiverOptions {
  /** API keys the intake knows; any other DD-API-KEY is answered 403. */
  apiKeys: string[];
  /** Epoch milliseconds used for the point time window; default Date.now. */
  now?: () => number;
}

export const SERIES_PATH = '/api/v2/series';
export const LOGS_PATH = '/api/v2/logs';

/** The numbers from sink-protocols.md §2.2 and §2.4 ("MB" there is 1,048,576 bytes, as in §2.2). */
export const DATADOG_LIMITS = {
  seriesRawBytes: 512_000,
  /** Decompressed series bodies must be strictly smaller than this. */
  seriesDecompressedBytes: 5_242_880,
  logsDecompressedBytes: 5_242_880,
  logItemBytes: 1_048_576,
  logItems: 1000,
  pastSeconds: 3600,
  futureSeconds: 600,
  tagChars: 200,
} as const;

/** Past this, a timestamp is taken to be in milliseconds (1e11 s is the year 5138). */
const MS_LOOKING_TIMESTAMP = 1e11;
/** Guard against decompression bombs; well above every limit checked. */
const MAX_INFLATE_BYTES = 64 * 1024 * 1024;
const METRIC_TYPES: Record<number, string> = { 0: 'unspecified', 1: 'count', 2: 'rate', 3: 'gauge' };
const KEY_QUERY_PARAMS = ['api_key', 'dd-api-key', 'dd_api_key', 'apikey'];

type Kind = 'series' | 'logs';

/** Problems found in one request; `rejections` are the subset Datadog answers 400 for. */
class Findings {
  readonly problems: string[] = [];
  readonly rejections: string[] = [];
  reject(problem: string): void {
    this.problems.push(problem);
    this.rejections.push(problem);
  }
  note(problem: string): void {
    this.problems.push(problem);
  }
}

/** The result of checking one request: the answer Datadog would give and what was decoded. */
interface Verdict {
  status: number;
  body: object;
  headers?: Record<string, string>;
  decompressedBytes: number;
  series: number;
  points: DatadogPoint[];
  logs: DatadogLog[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const shown = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? `the string ${JSON.stringify(v)}` : `${typeof v} ${JSON.stringify(v)}`);
const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

/**
 * Why a tag breaks Datadog's tag rules, or undefined when it is fine: `key:value`, at most 200
 * characters, starts with a letter, then only lowercase letters, digits, `_ - : . /`, no trailing colon.
 * (Unicode letters are allowed by Datadog; uppercase ones are lowercased by it, so they count as unsanitised.)
 */
export function tagProblem(tag: string): string | undefined {
  if (tag.length > DATADOG_LIMITS.tagChars) return `tag ${JSON.stringify(tag.slice(0, 40))}… is ${tag.length} characters, over Datadog's ${DATADOG_LIMITS.tagChars}`;
  if (!tag.includes(':')) return `tag ${JSON.stringify(tag)} is not key:value`;
  if (!/^[\p{Ll}\p{Lo}\p{Lm}][\p{Ll}\p{Lo}\p{Lm}\p{Nd}_\-:./]*$/u.test(tag)) {
    return `tag ${JSON.stringify(tag)} not sanitised (must start with a letter, then only lowercase letters, digits, _ - : . /)`;
  }
  if (tag.endsWith(':')) return `tag ${JSON.stringify(tag)} has an empty value (Datadog tags cannot end with a colon)`;
  return undefined;
}

function error(status: number, message: string, extra: Partial<Verdict> = {}): Verdict {
  return { status, body: { errors: [message] }, decompressedBytes: 0, series: 0, points: [], logs: [], ...extra };
}

function checkSeriesPayload(payload: unknown, nowSeconds: number, f: Findings): { series: number; points: DatadogPoint[] } {
  if (!isRecord(payload) || !Array.isArray(payload.series)) {
    f.reject(`body must be a JSON object with a "series" array, got ${isRecord(payload) ? `series ${shown(payload.series)}` : shown(payload)}`);
    return { series: 0, points: [] };
  }
  if (payload.series.length === 0) f.note('"series" is empty (nothing to send: do not send the request)');
  const points: DatadogPoint[] = [];
  payload.series.forEach((s: unknown, i: number) => {
    if (!isRecord(s)) return f.reject(`series[${i}] must be an object, got ${shown(s)}`);
    const at = `series[${i}]${typeof s.metric === 'string' ? ` ${JSON.stringify(s.metric)}` : ''}`;
    if (typeof s.metric !== 'string' || s.metric === '') f.reject(`${at}: "metric" must be a non-empty string, got ${shown(s.metric)}`);

    let type = 0;
    if (s.type === undefined) f.note(`${at}: "type" missing (Datadog takes it as 0 unspecified; send 3 for gauges)`);
    else if (typeof s.type === 'string') f.reject(`${at}: "type" must be an integer code 0-3 in v2, got ${shown(s.type)} (the v1 string form)`);
    else if (typeof s.type !== 'number' || !Number.isInteger(s.type) || METRIC_TYPES[s.type] === undefined) f.reject(`${at}: "type" must be one of 0,1,2,3, got ${shown(s.type)}`);
    else type = s.type;

    if (s.interval !== undefined && (typeof s.interval !== 'number' || !Number.isInteger(s.interval) || s.interval <= 0)) {
      f.reject(`${at}: "interval" must be a positive integer of seconds, got ${shown(s.interval)}`);
    } else if (s.interval === undefined && (type === 1 || type === 2)) {
      f.note(`${at}: "interval" missing for a ${METRIC_TYPES[type]} (type ${type}) series`);
    }

    if (s.unit !== undefined && typeof s.unit !== 'string') f.reject(`${at}: "unit" must be a string, got ${shown(s.unit)}`);

    const tags: string[] = [];
    if (s.tags !== undefined && !Array.isArray(s.tags)) f.reject(`${at}: "tags" must be an array of strings, got ${shown(s.tags)}`);
    else if (Array.isArray(s.tags)) {
      s.tags.forEach((t: unknown, j: number) => {
        if (typeof t !== 'string') return f.reject(`${at}: tags[${j}] must be a string, got ${shown(t)}`);
        tags.push(t);
        const problem = tagProblem(t);
        if (problem !== undefined) f.note(`${at}: ${problem}`);
      });
    }

    let resources: { name: string; type: string }[] | undefined;
    if (s.resources !== undefined && !Array.isArray(s.resources)) f.reject(`${at}: "resources" must be an array, got ${shown(s.resources)}`);
    else if (Array.isArray(s.resources)) {
      resources = [];
      for (const [j, r] of s.resources.entries()) {
        if (isRecord(r) && typeof r.name === 'string' && typeof r.type === 'string') resources.push({ name: r.name, type: r.type });
        else f.reject(`${at}: resources[${j}] must be {"name": string, "type": string}, got ${JSON.stringify(r)}`);
      }
    }

    if (!Array.isArray(s.points) || s.points.length === 0) return f.reject(`${at}: "points" must be a non-empty array, got ${shown(s.points)}`);
    s.points.forEach((p: unknown, j: number) => {
      const pat = `${at} points[${j}]`;
      if (!isRecord(p)) return f.reject(`${pat} must be {"timestamp", "value"}, got ${shown(p)} (the [t, v] tuple is the v1 format)`);
      const { timestamp, value } = p;
      let ok = true;
      if (typeof timestamp !== 'number' || !Number.isInteger(timestamp)) {
        f.reject(`${pat}: "timestamp" must be an integer of epoch seconds, got ${shown(timestamp)}`);
        ok = false;
      } else if (timestamp > MS_LOOKING_TIMESTAMP) {
        f.reject(`${pat}: "timestamp" ${timestamp} looks like milliseconds; Datadog wants epoch seconds`);
        ok = false;
      } else if (timestamp < nowSeconds - DATADOG_LIMITS.pastSeconds || timestamp > nowSeconds + DATADOG_LIMITS.futureSeconds) {
        const offset = timestamp - nowSeconds;
        f.reject(`${pat}: "timestamp" ${timestamp} is ${Math.abs(offset)} s in the ${offset < 0 ? 'past' : 'future'}; Datadog takes points at most ${DATADOG_LIMITS.pastSeconds} s old and ${DATADOG_LIMITS.futureSeconds} s ahead`);
        ok = false;
      }
      if (typeof value !== 'number') {
        f.reject(`${pat}: "value" must be a JSON number, got ${shown(value)}`);
        ok = false;
      }
      if (!ok || typeof s.metric !== 'string' || typeof timestamp !== 'number' || typeof value !== 'number') return;
      const point: DatadogPoint = { metric: s.metric, type, timestamp, value, tags: [...tags] };
      if (typeof s.unit === 'string') point.unit = s.unit;
      if (resources !== undefined) point.resources = resources.map((r) => ({ ...r }));
      if (typeof s.interval === 'number') point.interval = s.interval;
      points.push(point);
    });
  });
  return { series: payload.series.length, points };
}

function checkLogsPayload(payload: unknown, f: Findings): { items: number; logs: DatadogLog[]; tooMany: boolean } {
  if (!Array.isArray(payload)) {
    f.reject(`logs body must be a JSON array of log items, got ${shown(payload)}`);
    return { items: 0, logs: [], tooMany: false };
  }
  if (payload.length > DATADOG_LIMITS.logItems) {
    f.reject(`logs body has ${payload.length} items, over Datadog's ${DATADOG_LIMITS.logItems} per request`);
    return { items: payload.length, logs: [], tooMany: true };
  }
  if (payload.length === 0) f.note('logs body is an empty array (nothing to send: do not send the request)');
  const logs: DatadogLog[] = [];
  payload.forEach((item: unknown, i: number) => {
    const at = `logs[${i}]`;
    if (!isRecord(item)) return f.reject(`${at} must be an object, got ${shown(item)}`);
    let ok = true;
    if (typeof item.message !== 'string') {
      f.reject(`${at}: "message" must be a string, got ${shown(item.message)}`);
      ok = false;
    }
    for (const field of ['ddsource', 'ddtags', 'hostname', 'service'] as const) {
      if (item[field] !== undefined && typeof item[field] !== 'string') {
        f.reject(`${at}: "${field}" must be a string when present, got ${shown(item[field])}`);
        ok = false;
      }
    }
    if (typeof item.ddtags === 'string' && item.ddtags !== '') {
      for (const tag of item.ddtags.split(',')) {
        const problem = tagProblem(tag);
        if (problem !== undefined) f.note(`${at}: ddtags: ${problem}`);
      }
    }
    const size = Buffer.byteLength(JSON.stringify(item));
    if (size > DATADOG_LIMITS.logItemBytes) f.note(`${at} is ${size} bytes, over Datadog's ${DATADOG_LIMITS.logItemBytes} per log (Datadog truncates it)`);
    if (ok) logs.push({ ...item } as DatadogLog);
  });
  return { items: payload.length, logs, tooMany: false };
}

/** Content-Encoding checks and decoding; returns the decoded body or the answer to give. */
function decode(kind: Kind, encoding: string | undefined, raw: Buffer, f: Findings): Buffer | Verdict {
  const name = (encoding ?? '').trim().toLowerCase();
  const allowed = kind === 'series' ? ['', 'gzip', 'deflate'] : ['', 'identity', 'gzip', 'deflate'];
  if (!allowed.includes(name)) {
    const why = name === 'zstd1' || name === 'zstd' ? `Content-Encoding ${JSON.stringify(encoding)} is not supported by this receiver (Node 20 has no zstd); send gzip` : `Content-Encoding ${JSON.stringify(encoding)} is not one of ${allowed.filter((a) => a !== '').join(', ')}`;
    f.note(why);
    return error(415, why);
  }
  try {
    if (name === 'gzip') return gunzipSync(raw, { maxOutputLength: MAX_INFLATE_BYTES });
    if (name === 'deflate') return inflateSync(raw, { maxOutputLength: MAX_INFLATE_BYTES });
    return raw;
  } catch (e) {
    const tooLarge = e instanceof RangeError;
    const why = tooLarge ? `body decompresses to more than ${MAX_INFLATE_BYTES} bytes` : `body is not valid ${name}${name === 'deflate' ? ' (zlib-wrapped, RFC 1950)' : ''} data: ${(e as Error).message}`;
    f.note(why);
    return error(tooLarge ? 413 : 400, why);
  }
}

/** Checks one request to a known endpoint and works out Datadog's answer. */
function check(kind: Kind, req: IncomingMessage, query: URLSearchParams, raw: Buffer, apiKeys: ReadonlySet<string>, nowSeconds: number, f: Findings): Verdict {
  for (const name of query.keys()) {
    if (KEY_QUERY_PARAMS.includes(name.toLowerCase())) f.note(`API key sent in the URL query ("${name}"); it belongs only in the DD-API-KEY header`);
  }
  const apiKey = header(req, 'dd-api-key');
  if (apiKey === undefined || apiKey === '') {
    f.note('DD-API-KEY header missing');
    return kind === 'logs' ? error(401, 'Unauthorized') : error(403, 'Forbidden');
  }
  if (!apiKeys.has(apiKey)) {
    f.note('DD-API-KEY is not a known API key');
    return error(403, 'Forbidden');
  }
  const contentType = header(req, 'content-type');
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    const why = `Content-Type must be application/json, got ${JSON.stringify(contentType ?? null)}`;
    f.note(why);
    return error(415, why);
  }
  if (kind === 'series' && raw.length > DATADOG_LIMITS.seriesRawBytes) {
    const why = `series body is ${raw.length} bytes as sent, over Datadog's ${DATADOG_LIMITS.seriesRawBytes}`;
    f.note(why);
    return error(413, why);
  }
  const decoded = decode(kind, header(req, 'content-encoding'), raw, f);
  if (!Buffer.isBuffer(decoded)) return decoded;
  const decompressedBytes = decoded.length;
  if (kind === 'series' && decompressedBytes >= DATADOG_LIMITS.seriesDecompressedBytes) {
    const why = `series body is ${decompressedBytes} bytes decompressed; Datadog wants less than ${DATADOG_LIMITS.seriesDecompressedBytes}`;
    f.note(why);
    return error(413, why, { decompressedBytes });
  }
  if (kind === 'logs' && decompressedBytes > DATADOG_LIMITS.logsDecompressedBytes) {
    const why = `logs body is ${decompressedBytes} bytes decompressed, over Datadog's ${DATADOG_LIMITS.logsDecompressedBytes}`;
    f.note(why);
    return error(413, why, { decompressedBytes });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(decoded.toString('utf8'));
  } catch (e) {
    const why = `body is not JSON: ${(e as Error).message}`;
    f.note(why);
    return error(400, why, { decompressedBytes });
  }
  if (kind === 'series') {
    const { series, points } = checkSeriesPayload(payload, nowSeconds, f);
    if (f.rejections.length > 0) return { status: 400, body: { errors: f.rejections }, decompressedBytes, series, points: [], logs: [] };
    return { status: 202, body: { errors: [] }, decompressedBytes, series, points, logs: [] };
  }
  const { items, logs, tooMany } = checkLogsPayload(payload, f);
  if (f.rejections.length > 0) return { status: tooMany ? 413 : 400, body: { errors: f.rejections }, decompressedBytes, series: items, points: [], logs: [] };
  return { status: 202, body: {}, decompressedBytes, series: items, points: [], logs };
}

export async function startDatadogReceiver(options: DatadogReceiverOptions): Promise<DatadogReceiver> {
  const apiKeys: ReadonlySet<string> = new Set(options.apiKeys);
  const now = options.now ?? Date.now;
  const points: DatadogPoint[] = [];
  const logs: DatadogLog[] = [];
  const requests: ReceivedRequest[] = [];
  const problems: string[] = [];
  const scripted: ScriptedAnswer[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://receiver.invalid');
    const path = url.pathname;
    const f = new Findings();
    const kind: Kind | undefined = path === SERIES_PATH ? 'series' : path === LOGS_PATH ? 'logs' : undefined;
    const record = (status: number, decompressedBytes: number, series: number): void => {
      const index = requests.length;
      requests.push({
        path, status, apiKey: header(req, 'dd-api-key'), contentType: header(req, 'content-type'), contentEncoding: header(req, 'content-encoding'),
        bytes: raw.length, decompressedBytes, series, problems: f.problems,
      });
      for (const p of f.problems) problems.push(`${path} #${index}: ${p}`);
    };

    if (kind === undefined) {
      f.note(`${req.method ?? '?'} ${path}: no such Datadog endpoint (metrics ${SERIES_PATH}, logs ${LOGS_PATH})`);
      record(404, 0, 0);
      return send(res, 404, JSON.stringify({ errors: ['Not found'] }));
    }
    if (req.method !== 'POST') {
      f.note(`${req.method ?? '?'} ${path}: only POST is allowed`);
      record(405, 0, 0);
      return send(res, 405, JSON.stringify({ errors: ['Method Not Allowed'] }), { allow: 'POST' });
    }

    const verdict = check(kind, req, url.searchParams, raw, apiKeys, Math.floor(now() / 1000), f);
    const answer = scripted.shift();
    const status = answer === undefined ? verdict.status : answer.destroy === true ? 0 : answer.status;
    if (verdict.status >= 200 && verdict.status < 300 && status >= 200 && status < 300) {
      points.push(...verdict.points);
      logs.push(...verdict.logs);
    }
    record(status, verdict.decompressedBytes, verdict.series);
    if (answer === undefined) return send(res, verdict.status, JSON.stringify(verdict.body), verdict.headers);

    const respond = (): void => {
      if (answer.destroy === true) {
        req.socket.destroy();
        return;
      }
      const body = answer.body === undefined
        ? JSON.stringify(answer.status >= 200 && answer.status < 300 ? (kind === 'series' ? { errors: [] } : {}) : { errors: [`scripted ${answer.status}`] })
        : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      send(res, answer.status, body, answer.headers);
    };
    if (answer.delayMs === undefined || answer.delayMs <= 0) return respond();
    const timer = setTimeout(() => {
      timers.delete(timer);
      respond();
    }, answer.delayMs);
    timers.add(timer);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
    req.on('error', () => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    points,
    logs,
    requests,
    problems,
    script: (...answers: ScriptedAnswer[]) => {
      scripted.push(...answers);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
