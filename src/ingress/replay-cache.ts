// Signatures of accepted events, remembered until their timestamp leaves the replay window, so that
// an exact replay (same body, timestamp and signature) is answered without being stored again. Pure
// apart from the clock it is given. Bounded: entries expire at timestamp + max_clock_skew_seconds
// (the signature check refuses the request after that anyway), and past maxEntries the oldest is
// evicted (counted through onEvict).
//
// A key is the first 128 bits of the HMAC, base64: a fresh 24-character string, about 70 bytes with
// its Map entry. Accidental collisions of 128-bit HMAC prefixes do not happen at any rate this
// process can take, so a distinct event is never taken for a replay.

export interface ReplayCache {
  /** Whether this signature belongs to an event accepted within its replay window. */
  has(key: string): boolean;
  remember(key: string, expiresAtSeconds: number): void;
  size(): number;
}

export interface ReplayCacheOptions {
  maxEntries: number;
  nowSeconds: () => number;
  /** Entries held went up or down by this many (expired ones are let go when the next is added). */
  onSize: (delta: number) => void;
  /** A live entry was dropped to make room. */
  onEvict: () => void;
}

/** The cache key of a verified `v0=<64 hex>` signature header. */
export function replayKey(signatureHeader: string): string {
  return Buffer.from(signatureHeader.slice(3, 35), 'hex').toString('base64');
}

export function createReplayCache(options: ReplayCacheOptions): ReplayCache {
  // Insertion order is about timestamp order (Zoom stamps a request when it sends it), so the
  // oldest entries are at the front: expiring them is a walk from the front that stops at the
  // first live one. An entry stamped earlier than one before it waits behind it, at most one window.
  const entries = new Map<string, number>();
  const expire = (now: number): void => {
    let expired = 0;
    for (const [key, expiresAt] of entries) {
      if (expiresAt >= now) break;
      entries.delete(key);
      expired++;
    }
    if (expired > 0) options.onSize(-expired);
  };
  return {
    has: (key) => {
      const expiresAt = entries.get(key);
      return expiresAt !== undefined && expiresAt >= options.nowSeconds();
    },
    remember: (key, expiresAtSeconds) => {
      if (options.maxEntries === 0) return;
      expire(options.nowSeconds());
      if (entries.size >= options.maxEntries) {
        entries.delete(entries.keys().next().value as string);
        options.onEvict();
      } else {
        options.onSize(1);
      }
      entries.set(key, expiresAtSeconds);
    },
    size: () => entries.size,
  };
}
