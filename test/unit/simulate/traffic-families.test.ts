// Webinar, Video SDK session and Zoom Phone bodies follow Zoom's examples (../shared/zoom/examples,
// Zoom README §1–2.6); every generated body of every family is one the worker can normalize.
import { expect } from 'chai';
import { normalizeQssEvent } from '../../../src/pipeline/normalize/normalize-qss-event.ts';
import { eventIdentity } from '../../../src/simulate/event-identity.ts';
import { phoneCallQosBody, phoneCallQosSummaryBody } from '../../../src/simulate/phone-traffic.ts';
import {
  createTrafficContext,
  isDegraded,
  participantQosBody,
  webinarParticipantDataBody,
  webinarParticipantDataSummaryBody,
  webinarParticipantQosBody,
  webinarParticipantQosSummaryBody,
  type QssEventBody,
  type TrafficContext,
} from '../../../src/simulate/qss-traffic.ts';
import { sessionUserDataBody, sessionUserDataSummaryBody, sessionUserQosBody, sessionUserQosSummaryBody } from '../../../src/simulate/session-traffic.ts';
import {
  buildEventBody,
  createDeliveryFaults,
  degradedSubjectCount,
  phaseEvents,
  subjectAt,
  subjectCount,
  type TrafficMix,
  type TrafficPhase,
} from '../../../src/simulate/traffic-plan.ts';

type Json = Record<string, unknown>;
type Item = { date_time?: string; type: string; details: Record<string, string | number> };

const T0 = Date.UTC(2025, 4, 6, 14, 30, 12, 345);
const ctx = createTrafficContext(42, { startedAtMs: T0 - 60_000 });
const object = (body: QssEventBody): Json => (body.payload as { object: Json }).object;
const user = (body: QssEventBody): Json => object(body).user as Json;
const participant = (body: QssEventBody): Json => object(body).participant as Json;
const KBPS = /^\d+(\.\d+)? kbps$/;
const MS = /^\d+ ms$/;
const PCT = /^\d+(\.\d+)?%$/;
const BARE = /^\d+(\.\d+)?$/;
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const num = (s: unknown): number => Number.parseFloat(String(s));
const MIX: TrafficMix = { meetings: 2, webinars: 2, sessions: 2, calls: 3, participants: 3 };

/** Every body of every phase for every subject of `mix`, at T0 + k seconds. */
function everyBody(traffic: TrafficContext, mix: TrafficMix): QssEventBody[] {
  const out: QssEventBody[] = [];
  for (const phase of ['join', 'qos', 'leave'] as TrafficPhase[]) {
    for (let k = 0; k < subjectCount(mix); k++) {
      const subject = subjectAt(mix, k);
      for (const event of phaseEvents(subject, phase)) out.push(buildEventBody(traffic, event, subject, T0 + k * 1000));
    }
  }
  return out;
}

describe('simulated webinars, Video SDK sessions and phone calls', () => {
  it('builds webinar events like meeting events, without id/device_detail/client in the data summary', () => {
    const qos = webinarParticipantQosBody(ctx, 0, 1, T0);
    expect(qos.event).to.equal('webinar.participant_qos');
    expect(Object.keys(object(qos))).to.deep.equal(['uuid', 'participant']);
    expect(Object.keys(participant(qos))).to.deep.equal(['user_id', 'participant_user_id', 'email', 'qos']);
    for (const item of participant(qos).qos as Item[]) {
      expect(item.date_time).to.match(DATE_TIME);
      if (item.details.bitrate !== undefined) expect(item.details.bitrate).to.match(KBPS);
      if (item.details.latency !== undefined) expect(item.details.latency).to.match(MS);
      if (item.details.avg_loss !== undefined) expect(item.details.avg_loss).to.match(PCT);
    }
    const summary = webinarParticipantQosSummaryBody(ctx, 0, 1, T0);
    expect(Object.keys(object(summary))).to.deep.equal(['uuid', 'id', 'participant']);
    expect(object(summary).id).to.match(/^\d{11}$/);
    const dataSummary = webinarParticipantDataSummaryBody(ctx, 0, 1, T0);
    expect(Object.keys(object(dataSummary))).to.deep.equal(['uuid', 'participant']);
    const data = (participant(dataSummary).data as Json[])[0] as Json;
    expect(data).to.not.have.any.keys('device_detail', 'client');
    expect(data).to.deep.equal((participant(webinarParticipantDataBody(ctx, 0, 1, T0)).data as Json[])[0]);
    // A webinar is not the meeting with the same index.
    expect(object(qos).uuid).to.not.equal(object(participantQosBody(ctx, 0, 1, T0)).uuid);
  });

  it('builds session.user_* events with session_id/session_name/session_key and user{id, name, user_key, is_original_host}', () => {
    const host = sessionUserQosBody(ctx, 1, 0, T0);
    const guest = sessionUserQosBody(ctx, 1, 2, T0);
    expect(Object.keys(object(host))).to.deep.equal(['session_id', 'session_name', 'session_key', 'user']);
    expect(Object.keys(user(host))).to.deep.equal(['id', 'name', 'user_key', 'is_original_host', 'qos']);
    expect(user(host).is_original_host).to.equal(true);
    expect(user(guest).is_original_host).to.equal(false);
    expect(object(host).session_id).to.equal(object(guest).session_id).and.match(/^[A-Za-z0-9+/]{22}==$/);
    expect(object(host).session_key).to.match(/^[A-Za-z0-9]{12}$/);
    expect(user(host).id).to.not.equal(user(guest).id);
    for (const item of user(host).qos as Item[]) expect(item.date_time).to.match(DATE_TIME);

    const summary = sessionUserQosSummaryBody(ctx, 1, 2, T0);
    for (const item of user(summary).qos as Item[]) expect(item).to.not.have.property('date_time');
    expect(Object.keys((user(sessionUserDataBody(ctx, 1, 2, T0)).data as Json[])[0] as Json)).to.have.length(24);
    const dataSummary = (user(sessionUserDataSummaryBody(ctx, 1, 2, T0)).data as Json[])[0] as Json;
    expect(dataSummary).to.include.keys('device_detail', 'client');
  });

  it('builds phone.call_qos with ONE leg object and ONE qos object, values as bare numbers', () => {
    const directions = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const body = phoneCallQosBody(ctx, 0, i % 2, T0 + i * 60_000);
      expect(Object.keys(object(body))).to.deep.equal(['call_id', 'call_start_time', 'call_qos']);
      expect(object(body).call_id).to.match(/^\d{19}$/);
      expect(object(body).call_start_time).to.match(DATE_TIME);
      const leg = object(body).call_qos as Json;
      expect(leg).to.not.be.an('array');
      expect(Object.keys(leg)).to.deep.equal(['type', 'id', 'user_email', 'qos']);
      expect(leg.type).to.equal(i % 2 === 0 ? 'caller' : 'callee');
      const qos = leg.qos as Item;
      expect(qos).to.not.be.an('array');
      expect(qos.date_time).to.match(DATE_TIME);
      directions.add(qos.type);
      for (const k of ['bitrate', 'avg_loss', 'max_loss', 'jitter', 'network_delay', 'mos']) expect(qos.details[k], k).to.match(BARE);
      expect(num(qos.details.mos)).to.be.within(1, 4.5);
      expect(qos.details.network).to.be.oneOf(['LAN', 'WiFi', 'VPN', 'Cellular']);
    }
    expect([...directions].sort()).to.deep.equal(['receiving', 'sending']);
  });

  it('builds phone.call_qos_summary with an ARRAY of both legs (user_id), each with sending and receiving', () => {
    const body = phoneCallQosSummaryBody(ctx, 2, T0);
    expect(Object.keys(object(body))).to.deep.equal(['call_id', 'call_start_time', 'call_end_time', 'call_qos']);
    expect(Date.parse(String(object(body).call_start_time))).to.be.below(Date.parse(String(object(body).call_end_time)));
    const legs = object(body).call_qos as Json[];
    expect(legs.map((l) => l.type)).to.deep.equal(['caller', 'callee']);
    for (const leg of legs) {
      expect(Object.keys(leg)).to.deep.equal(['type', 'user_id', 'user_email', 'qos']);
      expect((leg.qos as Item[]).map((q) => q.type)).to.deep.equal(['sending', 'receiving']);
    }
    const live = object(phoneCallQosBody(ctx, 2, 1, T0)).call_qos as Json;
    expect(live.id).to.equal(legs[1]?.user_id);
    expect(object(phoneCallQosBody(ctx, 2, 1, T0)).call_id).to.equal(object(body).call_id);
  });

  it('gives every body of every family a shape the worker normalizes (qos or dimensions, never invalid)', () => {
    for (const traffic of [ctx, createTrafficContext(7, { degradedShare: 0.5 })]) {
      const seen = new Set<string>();
      for (const body of everyBody(traffic, MIX)) {
        seen.add(body.event);
        const n = normalizeQssEvent(JSON.parse(JSON.stringify(body)), T0);
        expect(n.kind, `${body.event}: ${JSON.stringify(n)}`).to.be.oneOf(['qos', 'dimensions']);
        if (n.kind === 'qos') {
          expect(n.samples.length, body.event).to.be.greaterThan(0);
          // The only thing left out: Zoom's "" resolution of a camera that is off.
          for (const s of n.skipped) expect(s, body.event).to.deep.include({ field: 'resolution', reason: 'empty' });
        }
        if (n.kind === 'dimensions') expect(n.records, body.event).to.have.length(1);
      }
      expect(seen.size).to.equal(14);
    }
  });

  it('gives every body an identity (event|instance|participant|event_ts) that tells participants apart', () => {
    const keys = everyBody(ctx, MIX).map((b) => eventIdentity(b));
    for (const id of keys) expect(id).to.not.equal(undefined);
    expect(new Set(keys.map((k) => k?.key)).size).to.equal(keys.length);
    const qos = eventIdentity(participantQosBody(ctx, 1, 2, T0));
    expect(qos).to.deep.include({ event: 'meeting.participant_qos', participant: String(16_777_216 + 3 * 1024), eventTs: T0 });
    const leg = eventIdentity(phoneCallQosBody(ctx, 0, 1, T0));
    expect(leg?.participant).to.equal((object(phoneCallQosBody(ctx, 0, 1, T0)).call_qos as Json).id);
    expect(eventIdentity(phoneCallQosSummaryBody(ctx, 0, T0))?.key).to.match(/^phone\.call_qos_summary\|\d{19}\|\|\d+$/);
    expect(eventIdentity(sessionUserQosBody(ctx, 0, 1, T0))?.instance).to.equal(object(sessionUserQosBody(ctx, 0, 1, T0)).session_id);
    for (const bad of [null, [], { event: 'meeting.participant_qos' }, { event: 'meeting.participant_qos', event_ts: '1', payload: { object: { uuid: 'u', participant: { user_id: '1' } } } }]) {
      expect(eventIdentity(bad), JSON.stringify(bad)).to.equal(undefined);
    }
  });

  it('degrades the asked share of participants: low bitrate, more loss and jitter; the others do not change', () => {
    const mix: TrafficMix = { meetings: 40, webinars: 10, sessions: 10, calls: 50, participants: 20 };
    const bad = createTrafficContext(42, { degradedShare: 0.1 });
    const n = degradedSubjectCount(bad, mix);
    expect(n / subjectCount(mix)).to.be.within(0.08, 0.12);
    expect(degradedSubjectCount(createTrafficContext(42), mix)).to.equal(0);
    expect(degradedSubjectCount(createTrafficContext(42, { degradedShare: 1 }), mix)).to.equal(subjectCount(mix));

    const stats = { healthy: { loss: 0, jitter: 0, kbps: 0, n: 0 }, degraded: { loss: 0, jitter: 0, kbps: 0, n: 0 } };
    for (let m = 0; m < 15; m++) {
      for (let p = 0; p < 20; p++) {
        const t = T0 + p * 60_000;
        const body = participantQosBody(bad, m, p, t);
        const degraded = isDegraded(bad, 'meeting', m, p);
        if (!degraded) expect(body).to.deep.equal(participantQosBody(ctx, m, p, t));
        const audio = (participant(body).qos as Item[]).find((i) => i.type === 'audio_input');
        const s = stats[degraded ? 'degraded' : 'healthy'];
        s.loss += num(audio?.details.avg_loss);
        s.jitter += num(audio?.details.jitter);
        s.kbps += num(audio?.details.bitrate);
        s.n++;
      }
    }
    const avg = (s: { loss: number; jitter: number; kbps: number; n: number }) => ({ loss: s.loss / s.n, jitter: s.jitter / s.n, kbps: s.kbps / s.n });
    const [healthy, degraded] = [avg(stats.healthy), avg(stats.degraded)];
    expect(degraded.loss).to.be.greaterThan(healthy.loss * 4);
    expect(degraded.jitter).to.be.greaterThan(healthy.jitter * 3);
    expect(degraded.kbps).to.be.below(healthy.kbps * 0.5);
  });

  it('degrades phone legs too: more loss, lower MOS', () => {
    const bad = createTrafficContext(5, { degradedShare: 0.5 });
    const mos: Record<'bad' | 'good', number[]> = { bad: [], good: [] };
    for (let call = 0; call < 60; call++) {
      for (const leg of [0, 1]) {
        const details = ((object(phoneCallQosBody(bad, call, leg, T0)).call_qos as Json).qos as Item).details;
        mos[isDegraded(bad, 'phone', call, leg) ? 'bad' : 'good'].push(num(details.mos));
      }
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mos.bad.length).to.be.greaterThan(20);
    expect(mean(mos.bad)).to.be.below(mean(mos.good) - 0.5);
  });

  it('repeats for a seed: same bodies, same degraded set, same duplicate/reorder decisions; another seed differs', () => {
    const a = everyBody(createTrafficContext(9, { degradedShare: 0.3, startedAtMs: T0 }), MIX);
    const b = everyBody(createTrafficContext(9, { degradedShare: 0.3, startedAtMs: T0 }), MIX);
    const c = everyBody(createTrafficContext(10, { degradedShare: 0.3, startedAtMs: T0 }), MIX);
    expect(a).to.deep.equal(b);
    expect(a.map((x) => JSON.stringify(x))).to.not.deep.equal(c.map((x) => JSON.stringify(x)));
    const faults = (seed: number) => {
      const next = createDeliveryFaults(seed, { duplicates: 0.2, reorder: 0.2, holdMax: 10 });
      return Array.from({ length: 200 }, next);
    };
    expect(faults(9)).to.deep.equal(faults(9));
    expect(faults(9)).to.not.deep.equal(faults(10));
    const nine = faults(9);
    expect(nine.filter((f) => f.duplicate).length).to.be.within(20, 60);
    expect(nine.filter((f) => f.holdFor > 0).length).to.be.within(20, 60);
    expect(nine.every((f) => f.holdFor >= 0 && f.holdFor <= 10)).to.equal(true);
  });

  it('orders subjects meetings first (as before), then webinars, sessions and call legs', () => {
    const mix: TrafficMix = { meetings: 1, webinars: 1, sessions: 1, calls: 1, participants: 2 };
    expect(subjectCount(mix)).to.equal(8);
    expect(Array.from({ length: 8 }, (_, k) => subjectAt(mix, k))).to.deep.equal([
      { family: 'meeting', instance: 0, participant: 0 },
      { family: 'meeting', instance: 0, participant: 1 },
      { family: 'webinar', instance: 0, participant: 0 },
      { family: 'webinar', instance: 0, participant: 1 },
      { family: 'session', instance: 0, participant: 0 },
      { family: 'session', instance: 0, participant: 1 },
      { family: 'phone', instance: 0, participant: 0 },
      { family: 'phone', instance: 0, participant: 1 },
    ]);
    expect(phaseEvents({ family: 'phone', instance: 0, participant: 0 }, 'leave')).to.deep.equal(['phone.call_qos_summary']);
    expect(phaseEvents({ family: 'phone', instance: 0, participant: 1 }, 'leave')).to.deep.equal([]);
    expect(phaseEvents({ family: 'phone', instance: 0, participant: 1 }, 'join')).to.deep.equal([]);
  });
});
