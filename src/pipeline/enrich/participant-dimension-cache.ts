// The enrich stage's memory: the latest `*_data` dimensions per (account, instance, participant),
// bounded by entry count and by estimated bytes, expiring `ttlMs` after the participant's last data
// record, evicting the least recently used entry (put or get) when full. Pure: no I/O, no timers;
// the clock is injected. One Map in insertion order = LRU order (a touched entry is deleted and
// re-inserted at the end), so every operation is O(1) apart from the bounded expiry sweep on put
// (evictions for room are amortised O(1): each entry is evicted at most once). See docs/enrichment.md.
import type { ParticipantDimensions, ParticipantKey } from '../normalize/participant-dimensions.ts';

export interface ParticipantDimensionCacheOptions {
  /** Most participants held; a new participant beyond this evicts the least recently used one. */
  maxEntries: number;
  /** An entry expires this long after its last `put` (gets do not extend it). */
  ttlMs: number;
  /** Most estimated bytes held (entryBytes); beyond this the least recently used entries are evicted. Absent: no byte bound. */
  maxBytes?: number;
  /** Epoch ms. */
  now: () => number;
}

export interface ParticipantDimensionCacheStats {
  /** Entries held now, including expired ones not yet dropped (at most maxEntries). */
  entries: number;
  /** `get` calls that returned dimensions. */
  hits: number;
  /** `get` calls that found nothing, or only an expired entry. */
  misses: number;
  /** Entries dropped to make room for a new participant. */
  evicted_capacity: number;
  /** Expired entries dropped (on get, on put to the same key, or by the sweep). */
  evicted_ttl: number;
  /** Entries dropped to keep the estimated bytes within maxBytes. */
  evicted_memory: number;
  /** Estimated bytes held now (the sum of entryBytes; at most maxBytes). */
  bytes: number;
}

export interface ParticipantDimensionCache {
  put(record: ParticipantDimensions): void;
  /** The participant's dimensions (frozen: the same object until the next put). */
  get(key: ParticipantKey): Readonly<Record<string, string>> | undefined;
  stats(): ParticipantDimensionCacheStats;
}

/** Oldest entries (in LRU order) checked for expiry on each put. */
export const EXPIRY_SWEEP_LIMIT = 8;

/**
 * The estimate's fixed parts, measured on Node 20 (V8 11.3) with the heap of 100 000 entries
 * (docs/enrichment.md): an entry's Map slot, Entry object, values/times objects and a get's
 * snapshot; and per dimension, its slots in those objects, the time's heap number and a string header.
 */
export const ENTRY_OVERHEAD_BYTES = 400;
export const DIMENSION_OVERHEAD_BYTES = 64;

/**
 * Estimated heap bytes of one entry: fixed overhead, plus 2 bytes per character of the key and of
 * each value (V8 keeps Latin-1 strings at 1 byte a character, so this errs on the safe side), plus
 * a per-dimension overhead. Dimension names are shared constants and are not counted.
 */
export function entryBytes(key: string, values: Readonly<Record<string, string>>): number {
  let bytes = ENTRY_OVERHEAD_BYTES + 2 * key.length;
  for (const name in values) bytes += DIMENSION_OVERHEAD_BYTES + 2 * (values[name] as string).length;
  return bytes;
}

interface Entry {
  /** entryBytes of this entry as it is now. */
  bytes: number;
  expiresAtMs: number;
  /** dimension name → value. Plain objects (fast, ~half the memory of null-prototype ones); read with Object.hasOwn. */
  values: Record<string, string>;
  /** dimension name → time_ms of the record that set it. */
  times: Record<string, number>;
  /** A frozen copy of `values` handed out by `get`, made again after the next put. */
  snapshot: Readonly<Record<string, string>> | undefined;
}

/** Unambiguous whatever the ids hold (meeting UUIDs have `/`, `+`, `=`): each part length-prefixed. */
export function participantCacheKey(key: ParticipantKey): string {
  return `${key.account_id.length}:${key.account_id}${key.instance.length}:${key.instance}${key.participant}`;
}

export function createParticipantDimensionCache(options: ParticipantDimensionCacheOptions): ParticipantDimensionCache {
  const { maxEntries, ttlMs, maxBytes = Number.POSITIVE_INFINITY, now } = options;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`ttlMs must be a positive number, got ${ttlMs}`);
  if (Number.isNaN(maxBytes) || maxBytes <= 0) throw new RangeError(`maxBytes must be a positive number, got ${maxBytes}`);

  const entries = new Map<string, Entry>();
  const counts = { hits: 0, misses: 0, evicted_capacity: 0, evicted_ttl: 0, evicted_memory: 0 };
  let bytes = 0;

  const expired = (entry: Entry, t: number): boolean => entry.expiresAtMs <= t;

  /** Drops an entry that is in the map; every removal goes through here so `bytes` stays exact. */
  function remove(k: string, entry: Entry, reason: 'evicted_capacity' | 'evicted_ttl' | 'evicted_memory'): void {
    entries.delete(k);
    bytes -= entry.bytes;
    counts[reason]++;
  }

  /** Drops the least recently used entry; false when there is none. */
  function evictOldest(reason: 'evicted_capacity' | 'evicted_memory'): boolean {
    const oldest = entries.entries().next();
    if (oldest.done === true) return false;
    remove(oldest.value[0], oldest.value[1], reason);
    return true;
  }

  function sweep(t: number): void {
    let checked = 0;
    for (const [k, entry] of entries) {
      if (checked++ >= EXPIRY_SWEEP_LIMIT) break;
      if (expired(entry, t)) remove(k, entry, 'evicted_ttl');
    }
  }

  function put(record: ParticipantDimensions): void {
    const names = Object.keys(record.dimensions);
    if (names.length === 0) return;
    const t = now();
    const k = participantCacheKey(record.key);
    let entry = entries.get(k);
    if (entry !== undefined) {
      if (expired(entry, t)) {
        remove(k, entry, 'evicted_ttl');
        entry = undefined;
      } else {
        // Out of the map while it is updated (and re-inserted as the most recently used).
        entries.delete(k);
        bytes -= entry.bytes;
      }
    }
    sweep(t);
    if (entry === undefined) {
      // Make room: the sweep may already have; else the least recently used entry goes.
      while (entries.size >= maxEntries && evictOldest('evicted_capacity'));
      entry = { bytes: 0, expiresAtMs: 0, values: {}, times: {}, snapshot: undefined };
    }
    for (const name of names) {
      const value = record.dimensions[name];
      if (value === undefined || name === '__proto__') continue;
      // Equal times: the later put wins (one event's data[] items share a time).
      if (!Object.hasOwn(entry.times, name) || (entry.times[name] ?? 0) <= record.time_ms) {
        entry.values[name] = value;
        entry.times[name] = record.time_ms;
      }
    }
    entry.expiresAtMs = t + ttlMs;
    entry.snapshot = undefined;
    entry.bytes = entryBytes(k, entry.values);
    if (entry.bytes > maxBytes) {
      // Alone over the budget (only possible with a cap on values far above the default): not kept.
      counts.evicted_memory++;
      return;
    }
    entries.set(k, entry);
    bytes += entry.bytes;
    // Over budget: the least recently used entries go (never the one just put).
    while (bytes > maxBytes && evictOldest('evicted_memory'));
  }

  function get(key: ParticipantKey): Record<string, string> | undefined {
    const k = participantCacheKey(key);
    const entry = entries.get(k);
    if (entry === undefined) {
      counts.misses++;
      return undefined;
    }
    if (expired(entry, now())) {
      remove(k, entry, 'evicted_ttl');
      counts.misses++;
      return undefined;
    }
    entries.delete(k);
    entries.set(k, entry);
    counts.hits++;
    entry.snapshot ??= Object.freeze({ ...entry.values });
    return entry.snapshot;
  }

  return { put, get, stats: () => ({ entries: entries.size, ...counts, bytes }) };
}
