// The map stage's PII policy for event bodies: keep, drop or keyed-hash every personal field
// (src/pipeline/map/pii-fields.ts) wherever it appears inside `payload`. Pure: the input is never
// mutated; copy-on-write along changed paths only, unchanged subtrees are shared. See docs/pii.md.
import { createHmac } from 'node:crypto';
import { isPiiField } from './pii-fields.ts';

export type PiiPolicy = { mode: 'keep' } | { mode: 'drop' } | { mode: 'hash'; key: string };

export interface PiiResult {
  /** The input itself when nothing changed; otherwise a partial copy sharing unchanged subtrees. */
  body: unknown;
  /** Fields dropped or hashed. */
  changed: number;
}

/** Hash format: `hmac:` + the first 32 hex digits (128 bits) of HMAC-SHA256(key, String(value)). */
export const PII_HASH_PREFIX = 'hmac:';
const PII_HASH_HEX_LENGTH = 32;

interface Walk {
  /** undefined = drop mode. */
  key: string | undefined;
  changed: number;
}

export function applyPiiPolicy(body: unknown, policy: PiiPolicy): PiiResult {
  if (policy.mode === 'keep') return { body, changed: 0 };
  if (policy.mode === 'hash' && (typeof policy.key !== 'string' || policy.key === '')) {
    throw new TypeError('pii hash key must be a non-empty string');
  }
  if (!isRecord(body)) return { body, changed: 0 };
  const payload = body.payload;
  if (typeof payload !== 'object' || payload === null) return { body, changed: 0 };
  const walk: Walk = { key: policy.mode === 'hash' ? policy.key : undefined, changed: 0 };
  const next = scrub(payload, walk);
  if (next === payload) return { body, changed: 0 };
  const copy = copyRecord(body);
  copy.payload = next;
  return { body: copy, changed: walk.changed };
}

/** HMAC-SHA256 of the value's string form, hex, truncated, prefixed. */
export function hashPiiValue(value: string | number, key: string): string {
  const text = String(value);
  let memo = HASH_MEMOS.get(key);
  if (memo === undefined) {
    if (HASH_MEMOS.size >= HASH_MEMO_MAX_KEYS) HASH_MEMOS.clear();
    memo = new Map();
    HASH_MEMOS.set(key, memo);
  }
  let hash = memo.get(text);
  if (hash === undefined) {
    hash = PII_HASH_PREFIX + createHmac('sha256', key).update(text).digest('hex').slice(0, PII_HASH_HEX_LENGTH);
    if (memo.size >= HASH_MEMO_MAX_VALUES) memo.delete(memo.keys().next().value as string); // oldest first
    memo.set(text, hash);
  }
  return hash;
}

/**
 * One HMAC costs ~3 µs, and the same person's values (email, name, IPs) recur in every event of a
 * meeting: recent hashes are remembered per key. Invisible to callers (same output either way);
 * bounded, so at most HASH_MEMO_MAX_VALUES recent values per key stay in memory.
 */
const HASH_MEMO_MAX_KEYS = 8;
const HASH_MEMO_MAX_VALUES = 10_000;
const HASH_MEMOS = new Map<string, Map<string, string>>();

/** `value` scrubbed: the same reference when nothing inside it changed. */
function scrub(value: object, walk: Walk): object {
  return Array.isArray(value) ? scrubArray(value, walk) : scrubRecord(value as Record<string, unknown>, walk);
}

function scrubArray(items: readonly unknown[], walk: Walk): readonly unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    const next = typeof v === 'object' && v !== null ? scrub(v, walk) : v;
    if (next !== v && out === undefined) out = items.slice(0, i);
    if (out !== undefined) out.push(next);
  }
  return out ?? items;
}

const DROP = Symbol('drop');

function scrubRecord(record: Record<string, unknown>, walk: Walk): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const v = record[k];
    let next: unknown = v;
    if (isPiiField(k)) {
      next = scrubPiiValue(v, walk);
      if (next !== v) walk.changed++;
    } else if (typeof v === 'object' && v !== null) {
      next = scrub(v, walk);
    }
    if (next !== v && out === undefined) {
      out = {};
      for (let j = 0; j < i; j++) setOwn(out, keys[j] as string, record[keys[j] as string]);
    }
    if (out !== undefined && next !== DROP) setOwn(out, k, next);
  }
  return out ?? record;
}

/** The replacement of a PII value: DROP, a hash, or the value itself (null and "" in hash mode). */
function scrubPiiValue(v: unknown, walk: Walk): unknown {
  if (walk.key === undefined) return DROP;
  if (v === null || v === '') return v;
  if (typeof v === 'string' || typeof v === 'number') return hashPiiValue(v, walk.key);
  return DROP; // objects, arrays, booleans under a PII key: nothing safe to hash
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function copyRecord(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(record)) setOwn(out, k, record[k]);
  return out;
}

/** Plain assignment, except for an own `__proto__` key (JSON.parse makes one), which must stay data. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
