import { expect } from 'chai';
import {
  createParticipantDimensionCache,
  entryBytes,
  EXPIRY_SWEEP_LIMIT,
  participantCacheKey,
  type ParticipantDimensionCache,
  type ParticipantDimensionCacheStats,
} from '../../../../src/pipeline/enrich/participant-dimension-cache.ts';
import { normalizeQssEvent } from '../../../../src/pipeline/normalize/normalize-qss-event.ts';
import type { ParticipantDimensions, ParticipantKey } from '../../../../src/pipeline/normalize/participant-dimensions.ts';

const MINUTE = 60_000;
const DEVICE = 'zoom.participant.device';
const NETWORK = 'zoom.participant.network_type';
const LOCATION = 'zoom.participant.location';
const VERSION = 'zoom.client.version';

const key = (participant: string, instance = 'uuid-1==', account_id = 'acct-A'): ParticipantKey => ({ account_id, instance, participant });
const rec = (k: ParticipantKey, time_ms: number, dimensions: Record<string, string>): ParticipantDimensions => ({ key: k, time_ms, dimensions });

/** The stats' counters (bytes has its own tests). */
function counts(cache: ParticipantDimensionCache): Omit<ParticipantDimensionCacheStats, 'bytes'> {
  const { bytes: _bytes, ...rest } = cache.stats();
  return rest;
}

function setup(maxEntries = 100, ttlMs = 240 * MINUTE, maxBytes?: number) {
  const clock = { t: 1_700_000_000_000 };
  const cache = createParticipantDimensionCache({ maxEntries, ttlMs, now: () => clock.t, ...(maxBytes === undefined ? {} : { maxBytes }) });
  return { clock, cache };
}

const DEVICE_0_9_MB = 'D'.repeat(900_000);

/** A signed sender's data event: participant `i`, a 0.9 MB `device`. */
function hostileDataEvent(i: number): unknown {
  const data = [{ device: DEVICE_0_9_MB, network_type: 'Wired' }];
  return { event: 'meeting.participant_data', event_ts: 1_700_000_000_000 + i, payload: { account_id: 'acct-A', object: { uuid: 'uuid-1==', participant: { participant_id: `p${i}`, data } } } };
}

describe('participant dimension cache', () => {
  it('returns what was put, frozen (the same object until the next put), and counts hits and misses', () => {
    const { cache } = setup();
    cache.put(rec(key('p1'), 1000, { [DEVICE]: 'WIN', [NETWORK]: 'Wired' }));
    const got = cache.get(key('p1'));
    expect(got).to.deep.equal({ [DEVICE]: 'WIN', [NETWORK]: 'Wired' });
    expect(Object.isFrozen(got)).to.equal(true);
    expect(cache.get(key('p1'))).to.equal(got);
    expect(cache.get(key('p2'))).to.equal(undefined);
    expect(counts(cache)).to.deep.equal({ entries: 1, hits: 2, misses: 1, evicted_capacity: 0, evicted_ttl: 0, evicted_memory: 0 });
  });

  it('merges newer data over older: present fields win, absent fields keep old values', () => {
    const { cache } = setup();
    cache.put(rec(key('p1'), 1000, { [DEVICE]: 'WIN', [NETWORK]: 'Wired', [LOCATION]: 'New York' }));
    cache.put(rec(key('p1'), 2000, { [NETWORK]: 'Wifi', [VERSION]: '5.17.0' }));
    expect(cache.get(key('p1'))).to.deep.equal({ [DEVICE]: 'WIN', [NETWORK]: 'Wifi', [LOCATION]: 'New York', [VERSION]: '5.17.0' });
    expect(cache.stats().entries).to.equal(1);
  });

  it('lets the later put win when two records share a time (one event, several data[] items)', () => {
    const { cache } = setup();
    cache.put(rec(key('p1'), 1000, { [NETWORK]: 'Wired' }));
    cache.put(rec(key('p1'), 1000, { [NETWORK]: 'Wifi' }));
    expect(cache.get(key('p1'))).to.deep.equal({ [NETWORK]: 'Wifi' });
  });

  it('does not let an older (out-of-order, retried) record overwrite newer fields, but fills in missing ones', () => {
    const { cache } = setup();
    cache.put(rec(key('p1'), 2000, { [NETWORK]: 'Wifi', [DEVICE]: 'MAC' }));
    cache.put(rec(key('p1'), 1000, { [NETWORK]: 'Wired', [DEVICE]: 'WIN', [LOCATION]: 'New York' }));
    expect(cache.get(key('p1'))).to.deep.equal({ [NETWORK]: 'Wifi', [DEVICE]: 'MAC', [LOCATION]: 'New York' });
    // Per field: a field last set at 1000 can still be replaced by a record from 1500.
    cache.put(rec(key('p1'), 1500, { [LOCATION]: 'Boston', [NETWORK]: 'Cellular' }));
    expect(cache.get(key('p1'))).to.deep.equal({ [NETWORK]: 'Wifi', [DEVICE]: 'MAC', [LOCATION]: 'Boston' });
  });

  it('keeps accounts, instances and participants apart even with the same participant id', () => {
    const { cache } = setup();
    cache.put(rec(key('16778240', 'uuid-1==', 'acct-A'), 1000, { [DEVICE]: 'A1' }));
    cache.put(rec(key('16778240', 'uuid-1==', 'acct-B'), 1000, { [DEVICE]: 'B1' }));
    cache.put(rec(key('16778240', 'uuid-2==', 'acct-A'), 1000, { [DEVICE]: 'A2' }));
    expect(cache.get(key('16778240', 'uuid-1==', 'acct-A'))).to.deep.equal({ [DEVICE]: 'A1' });
    expect(cache.get(key('16778240', 'uuid-1==', 'acct-B'))).to.deep.equal({ [DEVICE]: 'B1' });
    expect(cache.get(key('16778240', 'uuid-2==', 'acct-A'))).to.deep.equal({ [DEVICE]: 'A2' });
    expect(cache.get(key('16778240', 'uuid-2==', 'acct-B'))).to.equal(undefined);
    expect(cache.stats().entries).to.equal(3);
  });

  it('builds keys that cannot collide through separators in ids', () => {
    expect(participantCacheKey(key('c', 'a/b', 'x'))).to.not.equal(participantCacheKey(key('b/c', 'a', 'x')));
    expect(participantCacheKey(key('p', 'i|j', 'a'))).to.not.equal(participantCacheKey(key('j|p', 'i', 'a')));
    const { cache } = setup();
    cache.put(rec(key('c', 'a/b', 'x'), 1, { [DEVICE]: 'one' }));
    expect(cache.get(key('b/c', 'a', 'x'))).to.equal(undefined);
  });

  it('expires an entry ttl after its last put; gets do not extend it; a put does', () => {
    const { clock, cache } = setup(100, 10 * MINUTE);
    cache.put(rec(key('p1'), 1000, { [DEVICE]: 'WIN' }));
    clock.t += 9 * MINUTE;
    expect(cache.get(key('p1'))).to.deep.equal({ [DEVICE]: 'WIN' });
    clock.t += 1 * MINUTE - 1;
    expect(cache.get(key('p1'))).to.deep.equal({ [DEVICE]: 'WIN' });
    clock.t += 1; // exactly ttl after the put
    expect(cache.get(key('p1'))).to.equal(undefined);
    expect(counts(cache)).to.deep.equal({ entries: 0, hits: 2, misses: 1, evicted_capacity: 0, evicted_ttl: 1, evicted_memory: 0 });

    cache.put(rec(key('p2'), 1000, { [DEVICE]: 'MAC' }));
    clock.t += 9 * MINUTE;
    cache.put(rec(key('p2'), 2000, { [NETWORK]: 'Wifi' })); // refresh
    clock.t += 9 * MINUTE;
    expect(cache.get(key('p2'))).to.deep.equal({ [DEVICE]: 'MAC', [NETWORK]: 'Wifi' });
  });

  it('starts afresh when data arrives for an expired entry (stale fields are not merged back)', () => {
    const { clock, cache } = setup(100, 10 * MINUTE);
    cache.put(rec(key('p1'), 1000, { [DEVICE]: 'WIN', [LOCATION]: 'New York' }));
    clock.t += 10 * MINUTE;
    cache.put(rec(key('p1'), 500, { [NETWORK]: 'Wifi' }));
    expect(cache.get(key('p1'))).to.deep.equal({ [NETWORK]: 'Wifi' });
    expect(cache.stats()).to.include({ entries: 1, evicted_ttl: 1, evicted_capacity: 0 });
  });

  it('drops expired entries with a bounded sweep on put, before evicting live ones for capacity', () => {
    const { clock, cache } = setup(3, 10 * MINUTE);
    cache.put(rec(key('old1'), 1, { [DEVICE]: 'a' }));
    cache.put(rec(key('old2'), 1, { [DEVICE]: 'b' }));
    clock.t += 5 * MINUTE;
    cache.put(rec(key('live'), 1, { [DEVICE]: 'c' }));
    clock.t += 5 * MINUTE; // old1, old2 expired; live not
    cache.put(rec(key('new'), 1, { [DEVICE]: 'd' }));
    expect(counts(cache)).to.deep.equal({ entries: 2, hits: 0, misses: 0, evicted_capacity: 0, evicted_ttl: 2, evicted_memory: 0 });
    expect(cache.get(key('live'))).to.deep.equal({ [DEVICE]: 'c' });
    expect(cache.get(key('new'))).to.deep.equal({ [DEVICE]: 'd' });
  });

  it('sweeps at most EXPIRY_SWEEP_LIMIT entries per put', () => {
    const n = EXPIRY_SWEEP_LIMIT * 3;
    const { clock, cache } = setup(1000, MINUTE);
    for (let i = 0; i < n; i++) cache.put(rec(key(`p${i}`), 1, { [DEVICE]: 'x' }));
    clock.t += MINUTE;
    cache.put(rec(key('fresh'), 1, { [DEVICE]: 'y' }));
    expect(cache.stats()).to.include({ entries: n - EXPIRY_SWEEP_LIMIT + 1, evicted_ttl: EXPIRY_SWEEP_LIMIT });
  });

  it('evicts the least recently used entry (by put or get) at the bound, with exact stats', () => {
    const { cache } = setup(3);
    cache.put(rec(key('a'), 1, { [DEVICE]: 'a' }));
    cache.put(rec(key('b'), 1, { [DEVICE]: 'b' }));
    cache.put(rec(key('c'), 1, { [DEVICE]: 'c' }));
    expect(cache.get(key('a'))).to.not.equal(undefined); // order now b, c, a
    cache.put(rec(key('d'), 1, { [DEVICE]: 'd' })); // evicts b
    cache.put(rec(key('c'), 2, { [NETWORK]: 'Wifi' })); // update, no eviction; order a, d, c
    cache.put(rec(key('e'), 1, { [DEVICE]: 'e' })); // evicts a
    expect(counts(cache)).to.deep.equal({ entries: 3, hits: 1, misses: 0, evicted_capacity: 2, evicted_ttl: 0, evicted_memory: 0 });
    expect(cache.get(key('a'))).to.equal(undefined);
    expect(cache.get(key('b'))).to.equal(undefined);
    expect(cache.get(key('c'))).to.deep.equal({ [DEVICE]: 'c', [NETWORK]: 'Wifi' });
    expect(cache.get(key('d'))).to.deep.equal({ [DEVICE]: 'd' });
    expect(cache.get(key('e'))).to.deep.equal({ [DEVICE]: 'e' });
    expect(counts(cache)).to.deep.equal({ entries: 3, hits: 4, misses: 2, evicted_capacity: 2, evicted_ttl: 0, evicted_memory: 0 });
  });

  it('never holds more than maxEntries, even after 10× maxEntries participants', () => {
    const maxEntries = 50;
    const { clock, cache } = setup(maxEntries, 10 * MINUTE);
    let most = 0;
    for (let i = 0; i < maxEntries * 10; i++) {
      cache.put(rec(key(`p${i}`, `uuid-${i % 7}`), i, { [DEVICE]: `d${i}`, [NETWORK]: 'Wifi' }));
      if (i % 3 === 0) cache.get(key(`p${i - 5}`, `uuid-${(i - 5) % 7}`));
      clock.t += 1000;
      most = Math.max(most, cache.stats().entries);
    }
    const stats = cache.stats();
    expect(most).to.equal(maxEntries);
    expect(stats.entries).to.equal(maxEntries);
    expect(stats.evicted_capacity + stats.evicted_ttl).to.equal(maxEntries * 10 - maxEntries);
    // The newest participants are the ones kept.
    expect(cache.get(key(`p${maxEntries * 10 - 1}`, `uuid-${(maxEntries * 10 - 1) % 7}`))).to.deep.equal({ [DEVICE]: `d${maxEntries * 10 - 1}`, [NETWORK]: 'Wifi' });
  });

  describe('byte budget (maxBytes)', () => {
    it('holds at most maxBytes after 900 participants whose 0.9 MB device was cut to 256 characters, evicting the least recently used (counted as evicted_memory)', () => {
      const maxBytes = 256 * 1024;
      const { cache } = setup(100_000, 240 * MINUTE, maxBytes);
      let most = 0;
      for (let i = 0; i < 900; i++) {
        const n = normalizeQssEvent(hostileDataEvent(i), 0, undefined, 256);
        if (n.kind !== 'dimensions') throw new Error(n.kind);
        for (const r of n.records) cache.put(r);
        if (i === 10) expect(cache.get(key('p0'))).to.not.equal(undefined); // p0 is now more recent than p1…p10
        most = Math.max(most, cache.stats().bytes);
      }
      const stats = cache.stats();
      expect(most).to.be.at.most(maxBytes);
      expect(stats.bytes).to.be.at.most(maxBytes).and.above(maxBytes - 2000);
      expect(stats.entries).to.be.above(100).and.below(900);
      expect(stats.evicted_memory).to.equal(900 - stats.entries);
      expect(stats.evicted_capacity).to.equal(0);
      expect(cache.get(key('p899'))?.[DEVICE]).to.have.length(256);
      expect(cache.get(key('p1'))).to.equal(undefined);
    });

    it('does not keep an entry that alone is over the budget, and evicts nothing else for it', () => {
      const { cache } = setup(100, 240 * MINUTE, 1024 * 1024);
      cache.put(rec(key('small'), 1, { [DEVICE]: 'WIN' }));
      cache.put(rec(key('huge'), 1, { [DEVICE]: 'D'.repeat(900_000) })); // ~1.8 MB estimated
      expect(cache.get(key('huge'))).to.equal(undefined);
      expect(cache.get(key('small'))).to.deep.equal({ [DEVICE]: 'WIN' });
      expect(cache.stats()).to.include({ entries: 1, evicted_memory: 1 });
      cache.put(rec(key('small'), 2, { [DEVICE]: 'D'.repeat(900_000) })); // an update that makes it too big drops it
      expect(cache.get(key('small'))).to.equal(undefined);
      expect(cache.stats()).to.include({ entries: 0, bytes: 0, evicted_memory: 2 });
    });

    it('tracks bytes exactly as the sum of entryBytes of the entries held, through merges, expiry and evictions', () => {
      const { clock, cache } = setup(3, 10 * MINUTE, 1_000_000);
      const expected = (...entries: [ParticipantKey, Record<string, string>][]): number => entries.reduce((sum, [k, v]) => sum + entryBytes(participantCacheKey(k), v), 0);
      cache.put(rec(key('a'), 1, { [DEVICE]: 'WIN' }));
      cache.put(rec(key('a'), 2, { [NETWORK]: 'Wifi', [DEVICE]: 'MAC-longer' }));
      expect(cache.stats().bytes).to.equal(expected([key('a'), { [DEVICE]: 'MAC-longer', [NETWORK]: 'Wifi' }]));
      cache.put(rec(key('b'), 1, { [DEVICE]: 'b' }));
      cache.put(rec(key('c'), 1, { [DEVICE]: 'c' }));
      cache.put(rec(key('d'), 1, { [DEVICE]: 'd' })); // evicts a (capacity)
      expect(cache.stats().bytes).to.equal(expected([key('b'), { [DEVICE]: 'b' }], [key('c'), { [DEVICE]: 'c' }], [key('d'), { [DEVICE]: 'd' }]));
      clock.t += 10 * MINUTE;
      expect(cache.get(key('b'))).to.equal(undefined); // expired on get
      cache.put(rec(key('e'), 1, { [DEVICE]: 'e' })); // the sweep drops c and d
      expect(cache.stats()).to.include({ entries: 1, bytes: expected([key('e'), { [DEVICE]: 'e' }]) });
    });

    it('estimates 400 bytes per entry plus 2 per character of key and values plus 64 per dimension', () => {
      expect(entryBytes('k'.repeat(10), { a: 'x'.repeat(5), b: '' })).to.equal(400 + 20 + 64 + 10 + 64);
    });

    it('rejects a budget that is not positive', () => {
      const now = () => 0;
      expect(() => createParticipantDimensionCache({ maxEntries: 1, ttlMs: 1, maxBytes: 0, now })).to.throw(RangeError);
      expect(() => createParticipantDimensionCache({ maxEntries: 1, ttlMs: 1, maxBytes: Number.NaN, now })).to.throw(RangeError);
    });
  });

  it('treats Object.prototype names as ordinary dimension names and ignores __proto__', () => {
    const { cache } = setup();
    cache.put(rec(key('p1'), 1000, JSON.parse('{"constructor":"c","toString":"t","__proto__":"x"}') as Record<string, string>));
    cache.put(rec(key('p1'), 500, { constructor: 'older' }));
    expect(cache.get(key('p1'))).to.deep.equal({ constructor: 'c', toString: 't' });
  });

  it('ignores a record without dimensions', () => {
    const { cache } = setup();
    cache.put(rec(key('p1'), 1, {}));
    expect(cache.stats().entries).to.equal(0);
  });

  it('rejects a bound or ttl that is not positive', () => {
    const now = () => 0;
    expect(() => createParticipantDimensionCache({ maxEntries: 0, ttlMs: 1, now })).to.throw(RangeError);
    expect(() => createParticipantDimensionCache({ maxEntries: 1.5, ttlMs: 1, now })).to.throw(RangeError);
    expect(() => createParticipantDimensionCache({ maxEntries: 1, ttlMs: 0, now })).to.throw(RangeError);
    expect(() => createParticipantDimensionCache({ maxEntries: 1, ttlMs: Number.NaN, now })).to.throw(RangeError);
  });
});
