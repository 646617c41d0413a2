// applyPiiPolicy over Zoom's example bodies (test/fixtures/zoom) and the normalize fixtures' inputs,
// checked against a naive reference implementation; plus odd shapes, the hash format, and the
// docs/pii.md tables against PII_FIELDS / PII_FIELD_SUFFIXES.
import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyPiiPolicy } from '../../../../src/pipeline/map/apply-pii-policy.ts';
import type { PiiPolicy } from '../../../../src/pipeline/map/apply-pii-policy.ts';
import { isPiiField, PII_FIELD_SUFFIXES, PII_FIELDS } from '../../../../src/pipeline/map/pii-fields.ts';

const ZOOM_EXAMPLES = join(import.meta.dirname, '../../../fixtures/zoom');
const NORMALIZE_INPUTS = join(import.meta.dirname, '../../../fixtures/normalize');
const DOC = join(import.meta.dirname, '../../../../docs/pii.md');

const KEY = 'test-pii-key';
const OTHER_KEY = 'another-pii-key';
const DROP: PiiPolicy = { mode: 'drop' };
const HASH: PiiPolicy = { mode: 'hash', key: KEY };
const HASHED = /^hmac:[0-9a-f]{32}$/;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const readJson = (file: string): Json => JSON.parse(readFileSync(file, 'utf8')) as Json;
const isObject = (v: Json | undefined): v is { [k: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

const bodies: { name: string; body: Json }[] = [
  ...readdirSync(ZOOM_EXAMPLES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: `zoom/${f}`, body: readJson(join(ZOOM_EXAMPLES, f)) })),
  ...readdirSync(NORMALIZE_INPUTS)
    .filter((f) => f.endsWith('.input.json'))
    .sort()
    .map((f) => ({ name: `normalize/${f}`, body: readJson(join(NORMALIZE_INPUTS, f)) })),
];

/** Every key/value pair under `value`, at any depth (into PII subtrees too). */
function* entries(value: Json | undefined): Generator<[string, Json]> {
  if (Array.isArray(value)) for (const v of value) yield* entries(v);
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      yield [k, v];
      yield* entries(v);
    }
  }
}

/** Reference implementation (naive: clone, then edit in place). `hash` undefined = drop. */
function reference(body: Json, hash: ((v: string | number) => string) | undefined): { body: Json; changed: number } {
  const copy = structuredClone(body);
  let changed = 0;
  const visit = (v: Json): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (isObject(v)) {
      for (const k of Object.keys(v)) {
        const x = v[k] as Json;
        if (!isPiiField(k)) visit(x);
        else if (hash !== undefined && (x === null || x === '')) continue;
        else if (hash !== undefined && (typeof x === 'string' || typeof x === 'number')) {
          v[k] = hash(x);
          changed++;
        } else {
          delete v[k];
          changed++;
        }
      }
    }
  };
  if (isObject(copy) && typeof copy.payload === 'object' && copy.payload !== null) visit(copy.payload);
  return { body: changed === 0 ? body : copy, changed };
}

const hmac = (key: string) => (v: string | number) => 'hmac:' + createHmac('sha256', key).update(String(v)).digest('hex').slice(0, 32);

/** Whether a key/value pair is changed: any PII key when dropping; a PII key with a value when hashing. */
const dropChanges = (k: string): boolean => isPiiField(k);
const hashChanges = (k: string, v: Json): boolean => isPiiField(k) && v !== null && v !== '';

/** Subtrees of `input` that nothing changes in must come back as the very same objects. */
function expectShared(input: Json, output: Json, changes: (k: string, v: Json) => boolean, path: string): void {
  if (typeof input !== 'object' || input === null) return;
  if (![...entries(input)].some(([k, v]) => changes(k, v))) {
    expect(output, `${path} is shared`).to.equal(input);
    return;
  }
  expect(output, `${path} is copied`).to.not.equal(input);
  if (Array.isArray(input) && Array.isArray(output)) input.forEach((v, i) => expectShared(v, output[i] as Json, changes, `${path}[${i}]`));
  else if (isObject(input) && isObject(output)) {
    for (const [k, v] of Object.entries(input)) if (!isPiiField(k)) expectShared(v, output[k] as Json, changes, `${path}.${k}`);
  }
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

describe('applyPiiPolicy', () => {
  it('reads all 15 Zoom examples and the normalize inputs', () => {
    expect(bodies.filter((b) => b.name.startsWith('zoom/'))).to.have.length(15);
    expect(bodies.length).to.be.greaterThan(30);
  });

  it('the examples hold PII of every kind the rules name (so the table tests below mean something)', () => {
    const keys = new Set(bodies.flatMap((b) => [...entries(b.body)].map(([k]) => k)));
    for (const k of ['email', 'user_name', 'name', 'user_key', 'session_name', 'user_email', 'pc_name', 'domain', 'mac_addr', 'harddisk_id', 'microphone', 'speaker', 'camera', 'signaling_ip_address', 'audio_internal_ip_port', 'destination_ip_domain']) {
      expect(keys, k).to.include(k);
    }
  });

  describe('over every example body', () => {
    for (const { name, body } of bodies) {
      describe(name, () => {
        it('keep: returns the identical object', () => {
          const r = applyPiiPolicy(body, { mode: 'keep' });
          expect(r.body).to.equal(body);
          expect(r.changed).to.equal(0);
        });

        it('drop: no PII key left anywhere in payload, everything else unchanged, input not mutated', () => {
          const before = structuredClone(body);
          const r = applyPiiPolicy(deepFreeze(structuredClone(body)), DROP);
          const again = applyPiiPolicy(body, DROP);
          expect(body).to.deep.equal(before);
          const out = again.body as Json;
          const payload = isObject(out) ? out.payload : undefined;
          expect([...entries(payload)].map(([k]) => k).filter(isPiiField)).to.deep.equal([]);
          const want = reference(body, undefined);
          expect(r.body).to.deep.equal(want.body);
          expect(r.changed).to.equal(want.changed);
          expect(again.changed).to.equal(want.changed);
          if (want.changed === 0) expect(again.body).to.equal(body);
          if (isObject(body)) expectShared(body.payload ?? null, isObject(out) ? (out.payload ?? null) : null, dropChanges, '$.payload');
          if (isObject(body) && isObject(out)) {
            expect(out.event).to.equal(body.event);
            expect(out.event_ts).to.equal(body.event_ts);
          }
        });

        it('hash: PII values become hmac:<32 hex>, deterministic, key-dependent; the rest unchanged', () => {
          const before = structuredClone(body);
          const r = applyPiiPolicy(deepFreeze(structuredClone(body)), HASH);
          expect(body).to.deep.equal(before);
          const want = reference(body, hmac(KEY));
          expect(r.body).to.deep.equal(want.body);
          expect(r.changed).to.equal(want.changed);
          expect(applyPiiPolicy(body, HASH).body).to.deep.equal(r.body);
          const other = applyPiiPolicy(body, { mode: 'hash', key: OTHER_KEY });
          expect(other.changed).to.equal(r.changed);
          if (r.changed > 0) expect(other.body).to.not.deep.equal(r.body);
          else expect(applyPiiPolicy(body, HASH).body).to.equal(body);
          const inputs = [...entries(isObject(body) ? body.payload : undefined)].filter(([k]) => isPiiField(k));
          const outputs = [...entries(isObject(r.body as Json) ? (r.body as { payload?: Json }).payload : undefined)].filter(([k]) => isPiiField(k));
          for (const [k, v] of outputs) {
            if (v === null || v === '') continue;
            expect(v, k).to.match(HASHED);
            expect(inputs.map(([, x]) => x), k).to.not.include(v);
          }
          const fresh = applyPiiPolicy(body, HASH).body as Json;
          if (isObject(body)) expectShared(body.payload ?? null, isObject(fresh) ? (fresh.payload ?? null) : null, hashChanges, '$.payload');
        });
      });
    }
  });

  describe('the field rules', () => {
    // Every property name in Zoom's QSS OpenAPI document (all 14 events), sorted into personal or not.
    const SPEC_PII = ['as_internal_ip_address', 'as_internal_ip_port', 'audio_internal_ip_address', 'audio_internal_ip_port', 'camera', 'destination_ip_domain', 'destination_ip_port', 'domain', 'email', 'harddisk_id', 'mac_addr', 'microphone', 'name', 'pc_name', 'session_name', 'signaling_internal_ip_address', 'signaling_internal_ip_port', 'signaling_ip_address', 'speaker', 'user_email', 'user_key', 'user_name', 'video_internal_ip_address', 'video_internal_ip_port'];
    const SPEC_KEPT = ['Location', 'account_id', 'avg_bitrate', 'avg_frame_rate', 'avg_jitter', 'avg_latency', 'avg_loss', 'avg_rssi', 'bitrate', 'call_end_time', 'call_id', 'call_qos', 'call_start_time', 'client', 'connection_type', 'data', 'data_center', 'date_time', 'details', 'device', 'device_detail', 'event', 'event_ts', 'frame_rate', 'id', 'is_original_host', 'jitter', 'latency', 'location', 'max_bitrate', 'max_frame_rate', 'max_jitter', 'max_latency', 'max_loss', 'max_rssi', 'min_bitrate', 'min_frame_rate', 'min_jitter', 'min_latency', 'min_loss', 'min_rssi', 'mos', 'network', 'network_delay', 'network_notification', 'network_type', 'object', 'participant', 'participant_id', 'participant_user_id', 'payload', 'qos', 'quality', 'quality_score', 'resolution', 'rssi_unit', 'session_id', 'session_key', 'system_avg_cpu_pressure_level', 'system_max_cpu_pressure_level', 'system_max_cpu_usage', 'system_min_cpu_pressure_level', 'type', 'user', 'user_id', 'uuid', 'version', 'zoom_avg_cpu_usage', 'zoom_max_cpu_usage', 'zoom_min_cpu_usage'];

    it('sorts all 94 keys of the QSS schemas', () => {
      expect(SPEC_PII.length + SPEC_KEPT.length).to.equal(94);
      expect(SPEC_PII.filter((k) => !isPiiField(k))).to.deep.equal([]);
      expect(SPEC_KEPT.filter(isPiiField)).to.deep.equal([]);
    });

    it('covers every key of the examples: personal ones are in SPEC_PII, the rest in SPEC_KEPT', () => {
      const keys = new Set(bodies.filter((b) => b.name.startsWith('zoom/')).flatMap((b) => [...entries(b.body)].map(([k]) => k)));
      keys.delete('plainToken');
      for (const k of keys) expect(isPiiField(k) ? SPEC_PII : SPEC_KEPT, k).to.include(k);
    });

    it('is exact and case-sensitive; suffixes need their underscore', () => {
      for (const k of ['Email', 'EMAIL', 'e-mail', 'emails', 'username', 'Name', 'names', 'pc_name2', 'ip_port', 'ip_domain', 'email_verified', 'my_ip', 'user_emails']) expect(isPiiField(k), k).to.equal(false);
      for (const k of ['email', 'user_email', 'host_email', 'public_ip_address', 'media_ip_port', 'source_ip_domain', 'ip_address', 'topic', 'caller_number']) expect(isPiiField(k), k).to.equal(true);
    });

    it('lists no exact name that a suffix already covers', () => {
      expect([...PII_FIELDS].filter((k) => PII_FIELD_SUFFIXES.some((s) => k.endsWith(s)))).to.deep.equal([]);
    });
  });

  describe('shapes and values', () => {
    it('leaves non-object bodies, root arrays and bodies without an object payload alone', () => {
      const odd: unknown[] = [null, undefined, 42, 'email', true, [], [{ payload: { email: 'a@b.c' } }], {}, { email: 'a@b.c' }, { payload: null }, { payload: 'x' }, { payload: 7 }, { event: 'x', payload: {} }];
      for (const policy of [DROP, HASH]) {
        for (const body of odd) {
          const r = applyPiiPolicy(body, policy);
          expect(r.body).to.equal(body);
          expect(r.changed).to.equal(0);
        }
      }
    });

    it('only looks inside payload: top-level PII-named keys and the envelope stay', () => {
      const body = { event: 'meeting.participant_qos', event_ts: 1, email: 'top@example.com', payload: { object: { participant: { email: 'p@example.com' } } } };
      const r = applyPiiPolicy(body, DROP);
      expect(r.body).to.deep.equal({ event: 'meeting.participant_qos', event_ts: 1, email: 'top@example.com', payload: { object: { participant: {} } } });
      expect(r.changed).to.equal(1);
    });

    it('walks a payload that is an array and arrays of arrays', () => {
      const body = { payload: [[{ email: 'a@b.c', n: 1 }], [{ ok: [1, 2] }], 'x', null] };
      const r = applyPiiPolicy(body, DROP);
      expect(r.body).to.deep.equal({ payload: [[{ n: 1 }], [{ ok: [1, 2] }], 'x', null] });
      const p = (r.body as typeof body).payload;
      expect(p[1]).to.equal(body.payload[1]);
      expect(r.changed).to.equal(1);
    });

    it('covers both phone nestings: call_qos object and call_qos array', () => {
      const one = { payload: { object: { call_id: 'c', call_qos: { type: 'caller', id: 'u1', user_email: 'a@b.c', qos: { type: 'sending', details: { mos: '4.1' } } } } } };
      const many = { payload: { object: { call_id: 'c', call_qos: [{ type: 'caller', user_id: 'u1', user_email: 'a@b.c', qos: [] }, { type: 'callee', user_id: 'u2', user_email: '', qos: [] }] } } };
      expect(applyPiiPolicy(one, DROP).body).to.deep.equal({ payload: { object: { call_id: 'c', call_qos: { type: 'caller', id: 'u1', qos: { type: 'sending', details: { mos: '4.1' } } } } } });
      const r = applyPiiPolicy(many, HASH);
      expect(r.changed).to.equal(1);
      const legs = (r.body as typeof many).payload.object.call_qos;
      expect(legs[0]?.user_email).to.equal(hmac(KEY)('a@b.c'));
      expect(legs[1]).to.equal(many.payload.object.call_qos[1]); // "" stays: nothing changed in that leg
    });

    it('drop removes PII keys whatever the value; hash keeps null and "" (uncounted) and drops non-scalars', () => {
      const body = { payload: { a: { email: null, name: '', user_name: 'Jill', camera: { model: 'x' }, microphone: ['m'], speaker: true, caller_number: 15551234567 } } };
      const dropped = applyPiiPolicy(body, DROP);
      expect(dropped.body).to.deep.equal({ payload: { a: {} } });
      expect(dropped.changed).to.equal(7);
      const hashed = applyPiiPolicy(body, HASH);
      expect(hashed.body).to.deep.equal({ payload: { a: { email: null, name: '', user_name: hmac(KEY)('Jill'), caller_number: hmac(KEY)('15551234567') } } });
      expect(hashed.changed).to.equal(5);
    });

    it('hashes a number by its string form', () => {
      const n = applyPiiPolicy({ payload: { phone_number: 15551234567 } }, HASH).body;
      const s = applyPiiPolicy({ payload: { phone_number: '15551234567' } }, HASH).body;
      expect(n).to.deep.equal(s);
    });

    it('matches the documented test vector (openssl dgst -sha256 -hmac)', () => {
      const r = applyPiiPolicy({ payload: { email: 'user@example.com', signaling_ip_address: '192.0.2.1' } }, { mode: 'hash', key: 'qss-pii-example-key' });
      expect(r.body).to.deep.equal({ payload: { email: 'hmac:b7bee1b155bd9ca75835e668ec6c59ad', signaling_ip_address: 'hmac:b3df2922a07439a86da75f7c5c126ae8' } });
    });

    it('gives the same hash for the same value across events and keys, different across keys', () => {
      const a = applyPiiPolicy({ payload: { x: [{ email: 'j@example.com' }] } }, HASH).body as { payload: { x: { email: string }[] } };
      const b = applyPiiPolicy({ payload: { y: { user_email: 'j@example.com' } } }, HASH).body as { payload: { y: { user_email: string } } };
      const c = applyPiiPolicy({ payload: { email: 'j@example.com' } }, { mode: 'hash', key: OTHER_KEY }).body as { payload: { email: string } };
      expect(a.payload.x[0]?.email).to.equal(b.payload.y.user_email);
      expect(c.payload.email).to.match(HASHED).and.not.equal(b.payload.y.user_email);
    });

    it('keeps many keys apart (the hash memo never mixes keys or values)', () => {
      for (let i = 0; i < 20; i++) {
        const key = `k${i % 11}`;
        const value = `v${i % 7}`;
        expect(applyPiiPolicy({ payload: { email: value } }, { mode: 'hash', key }).body).to.deep.equal({ payload: { email: hmac(key)(value) } });
      }
    });

    it('refuses an empty hash key', () => {
      expect(() => applyPiiPolicy({ payload: {} }, { mode: 'hash', key: '' })).to.throw(TypeError);
    });

    it('keeps key order and an own __proto__ key as data', () => {
      const body = JSON.parse('{"payload":{"z":1,"email":"a@b.c","__proto__":{"polluted":true},"a":2},"event":"e"}') as Record<string, unknown>;
      const r = applyPiiPolicy(body, HASH);
      const payload = (r.body as Record<string, unknown>).payload as Record<string, unknown>;
      expect(Object.keys(r.body as object)).to.deep.equal(['payload', 'event']);
      expect(Object.keys(payload)).to.deep.equal(['z', 'email', '__proto__', 'a']);
      expect(Object.getPrototypeOf(payload)).to.equal(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(payload, '__proto__')?.value).to.deep.equal({ polluted: true });
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });
  });

  describe('docs/pii.md', () => {
    const doc = readFileSync(DOC, 'utf8');
    /** First cells (backticks stripped) of the table under `### heading`. */
    const firstCells = (heading: string): string[] => {
      const start = doc.indexOf(`\n### ${heading}\n`);
      expect(start, heading).to.be.greaterThan(-1);
      const rest = doc.slice(start + heading.length + 6);
      const section = rest.slice(0, rest.search(/\n#{2,3} /) === -1 ? undefined : rest.search(/\n#{2,3} /));
      return section
        .split('\n')
        .filter((l) => l.startsWith('| `'))
        .map((l) => (l.split('|')[1] ?? '').trim().replace(/`/g, ''));
    };

    it('lists exactly PII_FIELDS under "Exact key names"', () => {
      expect(firstCells('Exact key names').sort()).to.deep.equal([...PII_FIELDS].sort());
    });

    it('lists exactly PII_FIELD_SUFFIXES under "Key suffixes"', () => {
      expect(firstCells('Key suffixes').map((s) => s.replace(/^\*/, '')).sort()).to.deep.equal([...PII_FIELD_SUFFIXES].sort());
    });

    it('lists no personal key under "Kept on purpose"', () => {
      const kept = firstCells('Kept on purpose').flatMap((c) => c.split(',').map((k) => k.trim().split(' ')[0] ?? ''));
      expect(kept.length).to.be.greaterThan(15);
      expect(kept.filter(isPiiField)).to.deep.equal([]);
    });
  });
});
