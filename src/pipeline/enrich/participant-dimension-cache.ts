// The enrich stage's memory: the latest `*_data` dimensions per (account, instance, participant),
// bounded by entry count, expiring `ttlMs` after the participant's last data record, evicting the
// least recently used entry (put or get) when full. Pure: no I/O, no timers; the clock is injected.
// One Map in insertion order = LRU order (a touched entry is deleted and re-inserted at the end),
// so every operation is O(1) apart from the bounded expiry sweep on put. See docs/enrichment.md.
import type { ParticipantDimensions, ParticipantKey } from '../normalize/participant-dimensions.ts';

export interface ParticipantDimensionCacheOptions {
  /** Most participants held; a new participant beyond this evicts the least recently used one. */
  maxEntries: number;
  /** An entry expires this long after its last `put` (gets do not extend it). */
  ttlMs: number;
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
}

export interface ParticipantDimensionCache {
  put(record: ParticipantDimensions): void;
  /** The participant's dimensions (frozen: the same object until the next put). */
  get(key: ParticipantKey): Readonly<Record<string, string>> | undefined;
  stats(): ParticipantDimensionCacheStats;
}

/** Oldest entries (in LRU order) checked for expiry on each put. */
export const EXPIRY_SWEEP_LIMIT = 8;

interface Entry {
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
  const { maxEntries, ttlMs, now } = options;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`ttlMs must be a positive number, got ${ttlMs}`);

  const entries = new Map<string, Entry>();
  const counts = { hits: 0, misses: 0, evicted_capacity: 0, evicted_ttl: 0 };

  const expired = (entry: Entry, t: number): boolean => entry.expiresAtMs <= t;

  function sweep(t: number): void {
    let checked = 0;
    for (const [k, entry] of entries) {
      if (checked++ >= EXPIRY_SWEEP_LIMIT) break;
      if (expired(entry, t)) {
        entries.delete(k);
        counts.evicted_ttl++;
      }
    }
  }

  function put(record: ParticipantDimensions): void {
    const names = Object.keys(record.dimensions);
    if (names.length === 0) return;
    const t = now();
    const k = participantCacheKey(record.key);
    let entry = entries.get(k);
    if (entry !== undefined) {
      entries.delete(k);
      if (expired(entry, t)) {
        counts.evicted_ttl++;
        entry = undefined;
      }
    }
    sweep(t);
    if (entry === undefined) {
      // Make room: the sweep may already have; else the least recently used entry goes.
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        entries.delete(oldest.value);
        counts.evicted_capacity++;
      }
      entry = { expiresAtMs: 0, values: {}, times: {}, snapshot: undefined };
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
    entries.set(k, entry);
  }

  function get(key: ParticipantKey): Record<string, string> | undefined {
    const k = participantCacheKey(key);
    const entry = entries.get(k);
    if (entry === undefined) {
      counts.misses++;
      return undefined;
    }
    entries.delete(k);
    if (expired(entry, now())) {
      counts.evicted_ttl++;
      counts.misses++;
      return undefined;
    }
    entries.set(k, entry);
    counts.hits++;
    entry.snapshot ??= Object.freeze({ ...entry.values });
    return entry.snapshot;
  }

  return { put, get, stats: () => ({ entries: entries.size, ...counts }) };
}
