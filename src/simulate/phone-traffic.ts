// Zoom Phone QoS events (Zoom README §2.6). A simulated call has two legs, caller (0) and callee (1).
// `phone.call_qos` carries ONE leg object with ONE qos object (`call_qos: {type, id, qos: {…}}`);
// `phone.call_qos_summary` carries an ARRAY of legs, each with a qos ARRAY (`user_id`, not `id`).
// Values are bare numbers without units ("80", "0.0", "23", "4.5"). Pure, like qss-traffic.ts.
import { envelope, degradationRandom, familySeed, zoomDateTime, type QssEventBody, type TrafficContext } from './qss-traffic.ts';
import { createSeededRandom, mixSeed, type SeededRandom } from './seeded-random.ts';
import { BASE64URL_ALPHABET } from './simulated-participant.ts';

/** Every call has exactly these two legs. */
export const PHONE_LEGS = 2;

const FIRST = ['ada', 'bruno', 'chen', 'dana', 'emeka', 'fatima', 'goran', 'hana', 'ivan', 'jill', 'kenji', 'lucia'];
const NETWORKS = ['LAN', 'LAN', 'WiFi', 'WiFi', 'VPN', 'Cellular'] as const;

export interface SimulatedCallLeg {
  type: 'caller' | 'callee';
  /** The leg's user key: `id` in phone.call_qos, `user_id` in phone.call_qos_summary. */
  id: string;
  email: string;
  network: (typeof NETWORKS)[number];
  /** Codec bitrate range in kbps (G.711 ≈ 80, Opus ≈ 24–48). */
  kbps: [number, number];
  delayMs: number;
  jitterMs: number;
  lossPct: number;
  /** Degraded leg: a share of the bitrate and loss bursts. */
  degradation?: { bitrateFactor: number; burstChance: number };
}

export interface SimulatedCall {
  /** Zoom's call ids are 19-digit numbers, as strings. */
  callId: string;
  /** How long the call had been going when the run started, so call_start_time is in the past. */
  startedBeforeMs: number;
}

export function simulatedCall(ctx: TrafficContext, callIndex: number): SimulatedCall {
  const random = createSeededRandom(mixSeed(familySeed(ctx, 'phone'), 0xca11, callIndex));
  const callId = `69${random.chars(17, '0123456789')}`;
  return { callId, startedBeforeMs: random.int(5, 600) * 1000 };
}

export function simulatedCallLeg(ctx: TrafficContext, callIndex: number, legIndex: number): SimulatedCallLeg {
  const random = createSeededRandom(mixSeed(familySeed(ctx, 'phone'), 0x1e9, callIndex, legIndex));
  const network = random.pick(NETWORKS);
  const wireless = network === 'WiFi' || network === 'Cellular';
  const g711 = random.chance(0.5);
  const leg: SimulatedCallLeg = {
    type: legIndex === 0 ? 'caller' : 'callee',
    id: random.chars(22, BASE64URL_ALPHABET),
    email: `${random.pick(FIRST)}.${random.int(10, 99)}@example.com`,
    network,
    kbps: g711 ? [78, 90] : [24, 48],
    delayMs: random.int(15, 60) + (network === 'Cellular' ? 60 : 0) + (network === 'VPN' ? 25 : 0),
    jitterMs: (wireless ? 4 : 1) + random.int(0, 8),
    lossPct: wireless ? random.float(0.05, 0.8) : random.float(0, 0.15),
  };
  const bad = degradationRandom(ctx, 'phone', callIndex, legIndex);
  if (bad === undefined) return leg;
  return {
    ...leg,
    delayMs: leg.delayMs + bad.int(80, 300),
    jitterMs: bad.int(25, 80),
    lossPct: bad.float(1.5, 6),
    degradation: { bitrateFactor: bad.float(0.2, 0.5), burstChance: bad.float(0.2, 0.45) },
  };
}

/** One direction's details for a sampling period, in Zoom Phone's bare-number format. */
function legDetails(random: SeededRandom, leg: SimulatedCallLeg, withNetwork: boolean): Record<string, string> {
  const burst = leg.degradation !== undefined && random.chance(leg.degradation.burstChance);
  const avgLoss = burst ? random.float(8, 30) : random.around(leg.lossPct, leg.lossPct * 0.8, 0, 100);
  const maxLoss = avgLoss === 0 ? 0 : Math.min(100, avgLoss * random.float(1.5, 6));
  const jitter = random.around(leg.jitterMs, leg.jitterMs * 0.6 + 1, 0, 500) * (burst ? random.float(1.5, 3) : 1);
  const delay = random.around(leg.delayMs, leg.delayMs * 0.2, 1, 3000);
  const bitrate = random.around((leg.kbps[0] + leg.kbps[1]) / 2, (leg.kbps[1] - leg.kbps[0]) / 2, leg.kbps[0], leg.kbps[1]) * (leg.degradation?.bitrateFactor ?? 1);
  // An E-model-like estimate: 4.5 for a clean line, down with loss, jitter and delay; Zoom: < 3.5 is poor.
  const mos = Math.min(4.5, Math.max(1, random.float(4.3, 4.5) - avgLoss * 0.12 - jitter / 60 - Math.max(0, delay - 150) / 200));
  const details: Record<string, string> = {
    bitrate: String(Math.max(1, Math.round(bitrate))),
    avg_loss: avgLoss.toFixed(1),
    max_loss: maxLoss.toFixed(1),
    jitter: String(Math.round(jitter)),
    network_delay: String(Math.round(delay)),
    mos: mos.toFixed(1),
  };
  if (withNetwork) details.network = leg.network;
  return details;
}

function callTimes(ctx: TrafficContext, call: SimulatedCall, timeMs: number): string {
  return zoomDateTime((ctx.startedAtMs ?? timeMs) - call.startedBeforeMs);
}

/** One leg, one direction, while the call is going on. The direction alternates with the time. */
export function phoneCallQosBody(ctx: TrafficContext, callIndex: number, legIndex: number, timeMs: number): QssEventBody {
  const call = simulatedCall(ctx, callIndex);
  const leg = simulatedCallLeg(ctx, callIndex, legIndex);
  const random = createSeededRandom(mixSeed(familySeed(ctx, 'phone'), 0x9005, callIndex, legIndex, timeMs));
  const direction = random.chance(0.5) ? 'sending' : 'receiving';
  return envelope(ctx, 'phone.call_qos', timeMs, {
    call_id: call.callId,
    call_start_time: callTimes(ctx, call, timeMs),
    call_qos: {
      type: leg.type,
      id: leg.id,
      user_email: leg.email,
      qos: { date_time: zoomDateTime(timeMs), type: direction, details: legDetails(random, leg, true) },
    },
  });
}

/** Once per call, when it ends: both legs, each with a sending and a receiving item. */
export function phoneCallQosSummaryBody(ctx: TrafficContext, callIndex: number, timeMs: number): QssEventBody {
  const call = simulatedCall(ctx, callIndex);
  const random = createSeededRandom(mixSeed(familySeed(ctx, 'phone'), 0x5e55, callIndex, timeMs));
  const dateTime = zoomDateTime(timeMs);
  const legs = [0, 1].map((legIndex) => {
    const leg = simulatedCallLeg(ctx, callIndex, legIndex);
    return {
      type: leg.type,
      user_id: leg.id,
      user_email: leg.email,
      qos: [
        { date_time: dateTime, type: 'sending', details: legDetails(random, leg, true) },
        { date_time: dateTime, type: 'receiving', details: legDetails(random, leg, true) },
      ],
    };
  });
  return envelope(ctx, 'phone.call_qos_summary', timeMs, {
    call_id: call.callId,
    call_start_time: callTimes(ctx, call, timeMs),
    call_end_time: dateTime,
    call_qos: legs,
  });
}
