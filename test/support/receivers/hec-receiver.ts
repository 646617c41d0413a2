// Conformance receiver for Splunk HTTP Event Collector (HEC): a real node:http server on 127.0.0.1
// that checks every request against the vendor rules collected in
// /work/shared/reference/sink-protocols.md §1 (endpoints 1.1, auth 1.2, envelope 1.3, metrics 1.4,
// compression 1.5, indexer ack 1.6, response codes 1.7, checklist 1.11). It was written from those
// rules, not from our sink's code. Each violation is answered the way Splunk answers
// (`{"text","code"}`, plus `invalid-event-number` for a bad event) and recorded in `problems`, which
// the sink tests expect to stay empty.
//
// Checks, in order: path (404) → method (400) → `?token=` (400/16; 403/4 if the token is unknown) →
// Authorization (401/2 missing, 401/3 not `Splunk <token>`, 403/4 unknown) → for ack tokens a GUID
// channel (400/10, 400/11) → Content-Encoding absent or gzip (415) → size after decompression
// (413, when `maxContentLength` is set) → body not empty (400/5) → concatenated JSON objects, not an
// array (400/6) → per event: `event` present (400/12) and not blank (400/13), `time` numeric in
// epoch seconds (ms-looking values are flagged, still accepted), host/source/sourcetype/index strings
// (400/6), `fields` flat (400/15), `index` allowed for the token (400/7), metric events in the
// single- or multiple-metric form with numeric values and valid names (400/6). `/ack`: 400/14 for a
// token with ack off, body `{"acks":[ids]}` (400/6). Flagged but still answered normally: ms-looking
// `time`, metric keys on a non-"metric" event, polling an ackId that was never issued.
//
// Deliberate choices: a request with a bad event keeps nothing (all or nothing); answers outside
// Splunk's code table (404, 413, 415, wrong method) carry the HTTP status as `code`; ackIds count
// per channel while `acked` is one set of numbers (tests use one channel). Fault injection comes
// from `script()` (status, body, headers, delay, connection reset), `scriptAcks()` (the same for
// ack polls, e.g. a 200 that is not JSON, as a proxy in front of HEC may answer) and
// `rejectEvents()`; none counts as a problem. Over 400 lines on purpose: the receiver is one concept that lives in one file
// (the typed interface alone is a fifth of it), cut into small functions.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export type HecFieldValue = string | number | (string | number)[];

export interface HecTokenConfig {
  /** Indexes this token may write to; absent = any. */
  indexes?: string[];
  /** Indexer acknowledgement on for this token: channel required, answers carry `ackId`. */
  ack?: boolean;
}

export interface HecEnvelope {
  time?: number;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  event: unknown;
  fields?: Record<string, HecFieldValue>;
}

export interface HecMeasurement {
  name: string;
  value: number;
  time?: number;
  /** Every other key of `fields` (not `metric_name`, `_value` or `metric_name:<name>`). */
  dimensions: Record<string, HecFieldValue>;
  envelope: HecEnvelope;
}

export interface ReceivedRequest {
  path: string;
  /** HTTP status answered; 0 when the connection was destroyed by a scripted answer. */
  status: number;
  /** `code` of the JSON answer, when it has one. */
  code?: number;
  token?: string;
  channel?: string;
  contentEncoding?: string;
  /** Body bytes as received (before decompression). */
  bytes: number;
  /** Envelopes parsed from the body (0 when it did not parse). */
  events: number;
  problems: string[];
}

export interface ScriptedAnswer {
  status: number;
  /** Object → JSON; absent → Splunk's body for the status (503 → code 9, 500 → code 8, 2xx → Success). */
  body?: string | object;
  headers?: Record<string, string>;
  delayMs?: number;
  /** Reset the connection instead of answering (events of a 2xx script are still accepted). */
  destroy?: boolean;
}

export interface HecReceiver {
  /** Base URL, http://127.0.0.1:<port> (no path). */
  url: string;
  /** Envelopes of accepted requests, in arrival order (accepted on receipt, acked or not). */
  events: HecEnvelope[];
  /** Metric events of accepted requests, one entry per measurement. */
  measurements: HecMeasurement[];
  requests: ReceivedRequest[];
  /** Protocol violations seen, each prefixed with method and path. */
  problems: string[];
  /** ackIds reported true so far. */
  acked: Set<number>;
  /** Answers for the next event requests that pass validation, in order; non-2xx = not accepted. */
  script(...answers: ScriptedAnswer[]): void;
  /** Answers for the next ack polls that pass validation, in order, instead of the real one (the poll does not count; body absent = `{"acks":{}}`). */
  scriptAcks(...answers: ScriptedAnswer[]): void;
  /** A matching envelope fails its request with 400/6 and `invalid-event-number` = first match. */
  rejectEvents(predicate: (env: HecEnvelope) => boolean): void;
  close(): Promise<void>;
}

export interface HecReceiverOptions {
  tokens: Record<string, HecTokenConfig>;
  /** An ackId reports false this many times before true; default 0. */
  ackAfterPolls?: number;
  /** Largest body in bytes after decompression; bigger → 413. Absent = no limit. */
  maxContentLength?: number;
}

/** Splunk's code table (sink-protocols.md §1.7): code → [HTTP status, text]. */
const SPLUNK_CODES = {
  0: [200, 'Success'],
  2: [401, 'Token is required'],
  3: [401, 'Invalid authorization'],
  4: [403, 'Invalid token'],
  5: [400, 'No data'],
  6: [400, 'Invalid data format'],
  7: [400, 'Incorrect index'],
  8: [500, 'Internal server error'],
  9: [503, 'Server is busy'],
  10: [400, 'Data channel is missing'],
  11: [400, 'Invalid data channel'],
  12: [400, 'Event field is required'],
  13: [400, 'Event field cannot be blank'],
  14: [400, 'ACK is disabled'],
  15: [400, 'Error in handling indexed fields'],
  16: [400, 'Query string authorization is not enabled'],
  17: [200, 'HEC is healthy'],
} as const satisfies Record<number, readonly [number, string]>;
type SplunkCode = keyof typeof SPLUNK_CODES;

const EVENT_PATHS = new Set(['/services/collector', '/services/collector/event', '/services/collector/event/1.0']);
const HEALTH_PATHS = new Set(['/services/collector/health', '/services/collector/health/1.0']);
const ACK_PATH = '/services/collector/ack';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const METRIC_PREFIX = 'metric_name:';
const METRIC_NAME = /^[A-Za-z.:][A-Za-z0-9_.:]*$/;
const MILLISECONDS_FROM = 1e11;

type AnswerBody = Record<string, unknown>;

/** A refused request: the answer to send and, when the client broke a rule, the problem. */
class Refusal {
  constructor(
    readonly status: number,
    readonly body: AnswerBody,
    readonly problem: string | undefined,
  ) {}

  static splunk(code: SplunkCode, problem: string | undefined, eventNumber?: number): Refusal {
    const [status, text] = SPLUNK_CODES[code];
    return new Refusal(status, { text, code, ...(eventNumber === undefined ? {} : { 'invalid-event-number': eventNumber }) }, problem);
  }

  static http(status: number, text: string, problem: string): Refusal {
    return new Refusal(status, { text, code: status }, problem);
  }
}

interface Answer {
  status: number;
  body: string | object;
  headers?: Record<string, string>;
  delayMs?: number;
  destroy?: boolean;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is string | number => typeof v === 'string' || typeof v === 'number';
const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** Index just past the object that starts at `start` (a `{`), or -1 when it never closes. */
function endOfObject(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charAt(i);
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) return i + 1;
  }
  return -1;
}

/** The body as concatenated top-level JSON objects (`{..}{..}`, whitespace allowed between). */
function parseConcatenated(text: string): Record<string, unknown>[] | Refusal {
  const objects: Record<string, unknown>[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && ' \t\r\n'.includes(text.charAt(i))) i++;
    if (i >= text.length) return objects;
    const n = objects.length;
    if (text.charAt(i) === '[' && n === 0) return Refusal.splunk(6, 'body is a JSON array; HEC wants concatenated objects {..}{..}', 0);
    const end = text.charAt(i) === '{' ? endOfObject(text, i) : -1;
    if (end < 0) return Refusal.splunk(6, `event ${n}: not a JSON object at offset ${i}`, n);
    try {
      objects.push(JSON.parse(text.slice(i, end)) as Record<string, unknown>);
    } catch {
      return Refusal.splunk(6, `event ${n}: invalid JSON at offset ${i}`, n);
    }
    i = end;
  }
}

/** `time` as epoch seconds: a number or a numeric string. */
function toTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

function checkFields(value: unknown, n: number): Record<string, HecFieldValue> | Refusal {
  if (!isPlainObject(value)) return Refusal.splunk(15, `event ${n}: "fields" is ${show(value)}, not an object`, n);
  for (const [key, v] of Object.entries(value)) {
    if (!isScalar(v) && !(Array.isArray(v) && v.every(isScalar))) {
      return Refusal.splunk(15, `event ${n}: fields.${key} is ${show(v)}; fields must be flat (string, number or array of those)`, n);
    }
  }
  return value as Record<string, HecFieldValue>;
}

/** The envelope of one object, checked (§1.3, §1.11 items 5–7 and 9); `note` gets non-fatal problems. */
function checkEnvelope(raw: Record<string, unknown>, n: number, token: HecTokenConfig, note: (p: string) => void): HecEnvelope | Refusal {
  if (!('event' in raw)) return Refusal.splunk(12, `event ${n}: no "event" key`, n);
  if (raw.event === null || raw.event === '') return Refusal.splunk(13, `event ${n}: "event" is blank (${show(raw.event)})`, n);
  const envelope: HecEnvelope = { event: raw.event };
  if ('time' in raw) {
    const time = toTime(raw.time);
    if (time === undefined) return Refusal.splunk(6, `event ${n}: time ${show(raw.time)} is not a number of epoch seconds`, n);
    if (time > MILLISECONDS_FROM) note(`event ${n}: time ${time} looks like milliseconds; HEC wants epoch seconds`);
    envelope.time = time;
  }
  for (const key of ['host', 'source', 'sourcetype', 'index'] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') return Refusal.splunk(6, `event ${n}: "${key}" is ${show(value)}, not a string`, n);
    envelope[key] = value;
  }
  if (envelope.index !== undefined && token.indexes !== undefined && !token.indexes.includes(envelope.index)) {
    return Refusal.splunk(7, `event ${n}: index "${envelope.index}" is not allowed for this token (${token.indexes.join(', ')})`, n);
  }
  if ('fields' in raw) {
    const fields = checkFields(raw.fields, n);
    if (fields instanceof Refusal) return fields;
    envelope.fields = fields;
  }
  return envelope;
}

function checkMeasurement(name: unknown, value: unknown, where: string, n: number): Refusal | undefined {
  if (typeof name !== 'string' || !METRIC_NAME.test(name) || name.includes('metric_name')) {
    return Refusal.splunk(6, `event ${n}: metric name ${show(name)} (${where}) breaks the rule ^[A-Za-z.:][A-Za-z0-9_.:]*$ without "metric_name"`, n);
  }
  if (typeof value !== 'number') return Refusal.splunk(6, `event ${n}: value of ${where} is ${show(value)}, not a JSON number`, n);
  return undefined;
}

/** Measurements of a metric event (§1.4): single form (metric_name + _value) or multiple form (metric_name:<name>). */
function metricMeasurements(envelope: HecEnvelope, n: number): HecMeasurement[] | Refusal {
  const fields = envelope.fields ?? {};
  const multiKeys = Object.keys(fields).filter((k) => k.startsWith(METRIC_PREFIX));
  const dimensions = Object.fromEntries(Object.entries(fields).filter(([k]) => k !== 'metric_name' && k !== '_value' && !k.startsWith(METRIC_PREFIX)));
  const measurement = (name: string, value: number): HecMeasurement => ({ name, value, time: envelope.time, dimensions, envelope });
  if (multiKeys.length > 0) {
    const out: HecMeasurement[] = [];
    for (const key of multiKeys) {
      const name = key.slice(METRIC_PREFIX.length);
      const refusal = checkMeasurement(name, fields[key], `fields["${key}"]`, n);
      if (refusal) return refusal;
      out.push(measurement(name, fields[key] as number));
    }
    return out;
  }
  if (!('metric_name' in fields)) return Refusal.splunk(6, `event ${n}: metric event has neither metric_name + _value nor metric_name:<name> keys`, n);
  if (!('_value' in fields)) return Refusal.splunk(6, `event ${n}: metric event has metric_name but no _value`, n);
  const refusal = checkMeasurement(fields.metric_name, fields._value, 'fields._value', n);
  return refusal ?? [measurement(fields.metric_name as string, fields._value as number)];
}

/** `?token=` and the Authorization header (§1.2). */
function authenticate(req: IncomingMessage, url: URL, tokens: Record<string, HecTokenConfig>): { token: string; config: HecTokenConfig } | Refusal {
  const queryToken = url.searchParams.get('token');
  if (queryToken !== null) {
    return Object.hasOwn(tokens, queryToken) ? Refusal.splunk(16, 'token sent as ?token= instead of the Authorization header') : Refusal.splunk(4, 'unknown token sent as ?token=');
  }
  const header = req.headers.authorization;
  if (header === undefined || header === '') return Refusal.splunk(2, 'no Authorization header');
  const match = /^Splunk (.*)$/.exec(header);
  if (!match) return Refusal.splunk(3, `Authorization header does not start with "Splunk " (scheme "${header.split(' ')[0] ?? ''}")`);
  const token = (match[1] ?? '').trim();
  const config = Object.hasOwn(tokens, token) ? tokens[token] : undefined;
  return config === undefined ? Refusal.splunk(4, 'unknown token') : { token, config };
}

/** Decompressed, size-checked, non-empty body (§1.5, §1.8). */
function decodeBody(raw: Buffer, encoding: string, max: number | undefined): Buffer | Refusal {
  if (encoding !== '' && encoding !== 'gzip') return Refusal.http(415, 'Content-Encoding must be "gzip" or empty', `unsupported Content-Encoding "${encoding}"`);
  if (raw.length === 0) return Refusal.splunk(5, 'empty body');
  const tooLarge = Refusal.http(413, 'Content too large', `body is over maxContentLength (${max} bytes after decompression)`);
  let body = raw;
  if (encoding === 'gzip') {
    try {
      body = gunzipSync(raw, max === undefined ? {} : { maxOutputLength: max });
    } catch (err) {
      return (err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE' ? tooLarge : Refusal.splunk(6, 'Content-Encoding is gzip but the body is not valid gzip');
    }
  }
  if (max !== undefined && body.length > max) return tooLarge;
  if (body.toString('utf8').trim() === '') return Refusal.splunk(5, 'body is only whitespace');
  return body;
}

const DEFAULT_SCRIPTED_CODES: Record<number, SplunkCode> = { 400: 6, 401: 2, 403: 4, 500: 8, 503: 9 };

export async function startHecReceiver(options: HecReceiverOptions): Promise<HecReceiver> {
  const { tokens, ackAfterPolls = 0, maxContentLength } = options;
  const events: HecEnvelope[] = [];
  const measurements: HecMeasurement[] = [];
  const requests: ReceivedRequest[] = [];
  const problems: string[] = [];
  const acked = new Set<number>();
  const scripted: ScriptedAnswer[] = [];
  const scriptedAcks: ScriptedAnswer[] = [];
  const rejectors: ((env: HecEnvelope) => boolean)[] = [];
  const channels = new Map<string, { next: number; polls: Map<number, number> }>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const channelState = (channel: string) => {
    const state = channels.get(channel) ?? { next: 0, polls: new Map<number, number>() };
    channels.set(channel, state);
    return state;
  };

  /** `POST /services/collector/ack` with `{"acks":[ids]}` (§1.6). */
  function pollAcks(body: Buffer, channel: string, note: (p: string) => void): Answer | Refusal {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return Refusal.splunk(6, 'ack body is not JSON');
    }
    const ids = isPlainObject(parsed) ? parsed.acks : undefined;
    if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id) && id >= 0)) return Refusal.splunk(6, `ack body ${show(parsed)} is not {"acks":[ids]}`);
    const state = channelState(channel);
    const answer: Record<string, boolean> = {};
    for (const id of ids as number[]) {
      if (id >= state.next) {
        note(`ackId ${id} was never issued on channel ${channel}`);
        answer[id] = false;
        continue;
      }
      const polls = (state.polls.get(id) ?? 0) + 1;
      state.polls.set(id, polls);
      answer[id] = polls > ackAfterPolls;
      if (answer[id]) acked.add(id);
    }
    return { status: 200, body: { acks: answer } };
  }

  /** An event request that passed auth: parse, check, then reject / script / accept. */
  function receiveEvents(body: Buffer, token: HecTokenConfig, channel: string | undefined, record: ReceivedRequest, note: (p: string) => void): Answer | Refusal {
    const objects = parseConcatenated(body.toString('utf8'));
    if (objects instanceof Refusal) return objects;
    record.events = objects.length;
    const envelopes: HecEnvelope[] = [];
    const metrics: HecMeasurement[] = [];
    for (const [n, raw] of objects.entries()) {
      const envelope = checkEnvelope(raw, n, token, note);
      if (envelope instanceof Refusal) return envelope;
      if (envelope.event === 'metric') {
        const found = metricMeasurements(envelope, n);
        if (found instanceof Refusal) return found;
        metrics.push(...found);
      } else if (Object.keys(envelope.fields ?? {}).some((k) => k === 'metric_name' || k.startsWith(METRIC_PREFIX))) {
        note(`event ${n}: fields carry metric names but "event" is ${show(envelope.event)}, not "metric"`);
      }
      envelopes.push(envelope);
    }
    const rejected = envelopes.findIndex((env) => rejectors.some((p) => p(env)));
    if (rejected >= 0) return Refusal.splunk(6, undefined, rejected);
    const script = scripted.shift();
    const accepted = script === undefined || (script.status >= 200 && script.status < 300);
    let success: AnswerBody = { text: 'Success', code: 0 };
    if (accepted) {
      events.push(...envelopes);
      measurements.push(...metrics);
      if (token.ack && channel !== undefined) success = { ...success, ackId: channelState(channel).next++ };
    }
    if (script === undefined) return { status: 200, body: success };
    const defaultCode = DEFAULT_SCRIPTED_CODES[script.status];
    const defaultBody = accepted ? success : defaultCode === undefined ? { text: 'Scripted answer', code: script.status } : { text: SPLUNK_CODES[defaultCode][1], code: defaultCode };
    return { ...script, body: script.body ?? defaultBody };
  }

  function route(req: IncomingMessage, url: URL, raw: Buffer, record: ReceivedRequest, note: (p: string) => void): Answer | Refusal {
    const method = req.method ?? '';
    if (HEALTH_PATHS.has(url.pathname)) {
      if (method === 'GET' || method === 'POST') return { status: 200, body: { text: SPLUNK_CODES[17][1], code: 17 } };
      return Refusal.http(400, 'Only GET or POST is supported', `${method} on the health endpoint`);
    }
    const isAck = url.pathname === ACK_PATH;
    if (!isAck && !EVENT_PATHS.has(url.pathname)) return Refusal.http(404, 'The requested URL was not found on this server.', 'unknown HEC path');
    if (method !== 'POST') return Refusal.http(400, 'Only POST is supported', `${method} instead of POST`);
    const auth = authenticate(req, url, tokens);
    if (auth instanceof Refusal) return auth;
    record.token = auth.token;
    const channel = req.headers['x-splunk-request-channel']?.toString() || url.searchParams.get('channel') || undefined;
    if (channel !== undefined) record.channel = channel;
    if (isAck && !auth.config.ack) return Refusal.splunk(14, 'ack query with a token that has indexer acknowledgement off');
    if (auth.config.ack && channel === undefined) return Refusal.splunk(10, 'ack token but no X-Splunk-Request-Channel header or ?channel=');
    if (auth.config.ack && !GUID.test(channel ?? '')) return Refusal.splunk(11, `channel "${channel}" is not a GUID`);
    const body = decodeBody(raw, record.contentEncoding?.trim().toLowerCase() ?? '', maxContentLength);
    if (body instanceof Refusal) return body;
    if (!isAck) return receiveEvents(body, auth.config, channel, record, note);
    const script = scriptedAcks.shift();
    return script === undefined ? pollAcks(body, channel ?? '', note) : { ...script, body: script.body ?? { acks: {} } };
  }

  async function respond(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://receiver');
    const encoding = req.headers['content-encoding'];
    const record: ReceivedRequest = { path: url.pathname, status: 0, bytes: raw.length, events: 0, problems: [], ...(encoding ? { contentEncoding: encoding } : {}) };
    requests.push(record);
    const note = (problem: string) => {
      const line = `${req.method ?? ''} ${url.pathname}: ${problem}`;
      record.problems.push(line);
      problems.push(line);
    };
    const outcome = route(req, url, raw, record, note);
    if (outcome instanceof Refusal && outcome.problem !== undefined) note(outcome.problem);
    const answer: Answer = outcome instanceof Refusal ? { status: outcome.status, body: outcome.body } : outcome;
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    const code = answerCode(text);
    record.status = answer.destroy ? 0 : answer.status;
    if (code !== undefined) record.code = code;
    if (answer.delayMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, answer.delayMs);
        timers.add(timer);
      });
    }
    if (answer.destroy) {
      req.socket.destroy();
      return;
    }
    const headers = Object.fromEntries(Object.entries(answer.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    res.writeHead(answer.status, { 'content-type': 'application/json', ...headers }).end(text);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void respond(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    measurements,
    requests,
    problems,
    acked,
    script: (...answers) => void scripted.push(...answers),
    scriptAcks: (...answers) => void scriptedAcks.push(...answers),
    rejectEvents: (predicate) => void rejectors.push(predicate),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answerCode(text: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return isPlainObject(parsed) && typeof parsed.code === 'number' ? parsed.code : undefined;
  } catch {
    return undefined;
  }
}
