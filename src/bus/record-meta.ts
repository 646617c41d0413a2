// The bus record's metadata, field by field: the one table every representation of it is made
// from — the type (BusRecordMeta), the SQL columns of an embedded store's events and dead_letters
// (and their migration), the Kafka headers, the JSON Lines fields, and the Zoom request headers the
// ingress fills some fields from. Adding a field is one row here. Pure.

/** On Kafka, the field travels as the message key rather than as a header. */
export const KAFKA_KEY = 'key';

interface MetaField {
  key: string;
  /** Column in events (and in dead_letters unless `deadLetters: false`). */
  column: string;
  /** `time`: epoch milliseconds (an SQL integer, a decimal Kafka header, ISO 8601 in JSON). */
  type?: 'time';
  required?: true;
  /** Kafka header name, or KAFKA_KEY. */
  kafka: string;
  /** Field name in JSON Lines; absent: not written there. */
  json?: string;
  /** The Zoom request header the ingress fills the field from. */
  zoomHeader?: string;
  /** The column comes after `body` (added to the tables later: ALTER TABLE appends; new stores match). */
  afterBody?: true;
  /** Not kept in dead_letters. */
  deadLetters?: false;
}

export const RECORD_META_FIELDS = [
  /** When the ingress accepted the event, epoch milliseconds. */
  { key: 'receivedAt', column: 'received_at', type: 'time', required: true, kafka: 'qss-received-at', json: 'received_at' },
  /** Name of the Zoom app (URL path segment) the event came in on. */
  { key: 'app', column: 'app', required: true, kafka: 'qss-app', json: 'app' },
  /** Zoom event type, e.g. `meeting.participant_qos`. */
  { key: 'event', column: 'event', required: true, kafka: 'qss-event', json: 'event' },
  { key: 'accountId', column: 'account_id', kafka: 'qss-account-id', json: 'account_id' },
  /** Meeting/webinar uuid, session id, call id or account id: keeps one instance in order. */
  { key: 'instanceKey', column: 'instance_key', kafka: KAFKA_KEY, json: 'instance_key' },
  /** Zoom's `x-zm-request-id` header, when present. */
  { key: 'requestId', column: 'request_id', kafka: 'qss-zm-request-id', json: 'request_id', zoomHeader: 'x-zm-request-id' },
  /** Zoom's `x-zm-trackingid` header, when present. */
  { key: 'trackingId', column: 'tracking_id', kafka: 'qss-zm-trackingid', json: 'tracking_id', zoomHeader: 'x-zm-trackingid' },
  /**
   * Set by `replay`: only this sink delivers the record; the others pass it by. Not kept in
   * dead_letters: replay addresses a dead letter to the consumer that dead-lettered it.
   */
  { key: 'targetSink', column: 'target_sink', kafka: 'qss-target-sink', afterBody: true, deadLetters: false },
] as const satisfies readonly MetaField[];

type Field = (typeof RECORD_META_FIELDS)[number];
type ValueOf<F extends Field> = F extends { type: 'time' } ? number : string;
type RequiredField = Extract<Field, { required: true }>;
type OptionalField = Exclude<Field, RequiredField>;
type ZoomHeaderField = Extract<Field, { zoomHeader: string }>;
type JsonField = Extract<Field, { json: string }>;

/** The metadata of a bus record (bus.ts re-exports it): one property per row of the table. */
export type BusRecordMeta = { [F in RequiredField as F['key']]: ValueOf<F> } & { [F in OptionalField as F['key']]?: ValueOf<F> | undefined };
export type MetaKey = Field['key'];
/** The fields the ingress fills from Zoom's request headers. */
export type ZoomHeaderMeta = { [F in ZoomHeaderField as F['key']]: string | undefined };
/** The metadata as JSON Lines writes it. */
export type MetaJson = { [F in JsonField as F['json']]: F extends RequiredField ? string : string | null };

const FIELDS: readonly MetaField[] = RECORD_META_FIELDS;
const inDeadLetters = (f: MetaField): boolean => f.deadLetters !== false;

// ---- SQL (embedded store) ----

/** One field's column definition; `migrating`: as ALTER TABLE adds it to a store that has rows. */
export function columnDefinition(f: MetaField, migrating = false): string {
  const type = f.type === 'time' ? 'INTEGER' : 'TEXT';
  if (f.required !== true) return `${f.column} ${type}`;
  return `${f.column} ${type} NOT NULL${migrating ? ` DEFAULT ${type === 'INTEGER' ? '0' : "''"}` : ''}`;
}

/** The fields of a table, in column order, with `body` where it goes. */
const withBody = (fields: readonly MetaField[]): (MetaField | 'body')[] => [...fields.filter((f) => f.afterBody !== true), 'body', ...fields.filter((f) => f.afterBody === true)];
const EVENT_LAYOUT = withBody(FIELDS);
const DEAD_LETTER_LAYOUT = withBody(FIELDS.filter(inDeadLetters));
const columnOf = (c: MetaField | 'body'): string => (c === 'body' ? 'body' : c.column);
const definitionOf = (c: MetaField | 'body'): string => (c === 'body' ? 'body BLOB NOT NULL' : columnDefinition(c));

/** The record's columns of events (metadata and body), in order: `received_at, app, …`. */
export const EVENT_COLUMNS = EVENT_LAYOUT.map(columnOf).join(', ');
/** The record's columns of dead_letters (metadata and body), in order. */
export const DEAD_LETTER_COLUMNS = DEAD_LETTER_LAYOUT.map(columnOf).join(', ');
/** The column of one field. */
export const metaColumn = (key: MetaKey): string => FIELDS.find((f) => f.key === key)!.column;
/** `?, ?, …`: one placeholder per column of `columns`. */
export const placeholders = (columns: string): string => columns.split(', ').map(() => '?').join(', ');

/** The record's column definitions in a table's DDL, one per line, after `indent`. */
export function columnDefinitions(table: 'events' | 'dead_letters', indent: string): string {
  return (table === 'events' ? EVENT_LAYOUT : DEAD_LETTER_LAYOUT).map((c) => indent + definitionOf(c)).join(',\n');
}

/** The metadata columns of a table, for a migration to add what an older store lacks. */
export function metaColumnsOf(table: 'events' | 'dead_letters'): readonly MetaField[] {
  return table === 'events' ? FIELDS : FIELDS.filter(inDeadLetters);
}

type SqlValue = string | number | Buffer | null;

function sqlValues(layout: readonly (MetaField | 'body')[], meta: BusRecordMeta, body: Buffer): SqlValue[] {
  const m = meta as Record<string, string | number | undefined>;
  return layout.map((c) => (c === 'body' ? body : (m[c.key] ?? null)));
}

/** Values for EVENT_COLUMNS, in order. */
export const eventValues = (meta: BusRecordMeta, body: Buffer): SqlValue[] => sqlValues(EVENT_LAYOUT, meta, body);
/** Values for DEAD_LETTER_COLUMNS, in order. */
export const deadLetterValues = (meta: BusRecordMeta, body: Buffer): SqlValue[] => sqlValues(DEAD_LETTER_LAYOUT, meta, body);

/** A row of events (by column name) → metadata; NULL is absent. */
export function rowToMeta(row: Readonly<Record<string, unknown>>): BusRecordMeta {
  const meta: Record<string, unknown> = {};
  for (const f of FIELDS) meta[f.key] = row[f.column] ?? undefined;
  return meta as BusRecordMeta;
}

// ---- Kafka ----

/** The Kafka header names of the fields that travel as headers. */
export const META_HEADERS = Object.fromEntries(FIELDS.filter((f) => f.kafka !== KAFKA_KEY).map((f) => [f.key, f.kafka])) as {
  readonly [F in Exclude<Field, { kafka: typeof KAFKA_KEY }> as F['key']]: F['kafka'];
};

/** Version 1 wrote these headers first, in this order; the others follow in table order. */
const LEADING_HEADERS: readonly MetaKey[] = ['event', 'app', 'receivedAt'];
const HEADER_FIELDS = [...LEADING_HEADERS.map((k) => FIELDS.find((f) => f.key === k)!), ...FIELDS.filter((f) => !LEADING_HEADERS.includes(f.key as MetaKey) && f.kafka !== KAFKA_KEY)];

/** The metadata as Kafka headers (after `first`, e.g. the schema version); absent fields are left out. */
export function metaToKafkaHeaders(meta: BusRecordMeta, first: Record<string, string> = {}): Record<string, string> {
  const m = meta as Record<string, string | number | undefined>;
  const h: Record<string, string> = { ...first };
  for (const f of HEADER_FIELDS) {
    const v = m[f.key];
    if (v !== undefined) h[f.kafka] = String(v);
  }
  return h;
}

/** Kafka headers and key → metadata, or undefined when a required field is missing (or a time is not a number). */
export function kafkaHeadersToMeta(header: (name: string) => string | undefined, key: string | undefined): BusRecordMeta | undefined {
  const meta: Record<string, string | number | undefined> = {};
  for (const f of FIELDS) {
    const text = f.kafka === KAFKA_KEY ? key : header(f.kafka);
    if (text === undefined && f.required === true) return undefined;
    if (f.type === 'time' && text !== undefined) {
      const n = Number(text);
      if (!Number.isFinite(n)) return undefined;
      meta[f.key] = n;
    } else meta[f.key] = text;
  }
  return meta as BusRecordMeta;
}

// ---- JSON Lines ----

/** The metadata as JSON Lines writes it, in table order; absent fields are null. */
export function metaToJson(meta: BusRecordMeta): MetaJson {
  const m = meta as Record<string, string | number | undefined>;
  const out: Record<string, string | null> = {};
  for (const f of FIELDS) {
    if (f.json === undefined) continue;
    const v = m[f.key];
    out[f.json] = v === undefined ? null : f.type === 'time' ? new Date(v).toISOString() : String(v);
  }
  return out as MetaJson;
}

// ---- Ingress ----

const ZOOM_HEADER_FIELDS = FIELDS.filter((f) => f.zoomHeader !== undefined);

/** The fields filled from Zoom's request headers, read with `header` (lower-case names). */
export function zoomHeaderMeta(header: (name: string) => string | undefined): ZoomHeaderMeta {
  return Object.fromEntries(ZOOM_HEADER_FIELDS.map((f) => [f.key, header(f.zoomHeader!)])) as ZoomHeaderMeta;
}

/** Just the Zoom-header fields of `source` (e.g. a request that carries them among others). */
export function pickZoomHeaderMeta(source: ZoomHeaderMeta): ZoomHeaderMeta {
  const s = source as Record<string, string | undefined>;
  return Object.fromEntries(ZOOM_HEADER_FIELDS.map((f) => [f.key, s[f.key]])) as ZoomHeaderMeta;
}
