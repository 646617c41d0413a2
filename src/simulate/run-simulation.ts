// The `simulate` engine: a signed CRC first, then data events for every participant at join,
// per-minute QoS for the duration, and summaries when everyone leaves — for meetings, webinars,
// Video SDK sessions and phone calls. On top, Zoom's delivery behaviour: retries of answers ≥ 500
// and of failed deliveries (network errors, no answer within the timeout) at +5, +25 and +85
// minutes after the first attempt (scaled by `retryTimeScale`), and optionally duplicates and
// out-of-order delivery. Requests go through a keep-alive pool with at most `concurrency` in flight;
// every answer is counted and nothing is thrown for them. Every event keeps its bytes, its
// x-zm-request-id and its content key (event-identity.ts) across all of its deliveries.
import { setTimeout as delay } from 'node:timers/promises';
import { zoomCrcToken } from '../zoom/zoom-signature.ts';
import { createWebhookSender, newDeliveryIds, type DeliveryIds, type WebhookResult } from './create-webhook-sender.ts';
import { eventIdentity } from './event-identity.ts';
import { createLatencyHistogram, createLatencySeries, type LatencySecond, type LatencyStats } from './latency-histogram.ts';
import { createTrafficContext, urlValidationBody } from './qss-traffic.ts';
import {
  buildEventBody,
  createDeliveryFaults,
  degradedSubjectCount,
  phaseEvents,
  subjectAt,
  subjectCount,
  type SimulatedEventName,
  type TrafficMix,
  type TrafficPhase,
  type TrafficSubject,
} from './traffic-plan.ts';

export interface SimulationOptions {
  url: string;
  secret: string;
  meetings: number;
  /** Webinars, Video SDK sessions, phone calls (2 legs each); default 0. */
  webinars?: number;
  sessions?: number;
  calls?: number;
  /** Per meeting, webinar and session. */
  participants: number;
  durationMs: number;
  /**
   * Total new events per second, in every phase (join, QoS, leave). Absent: Zoom's cadence — join
   * and leave events at once, one QoS record per participant per 60 s, spread evenly.
   */
  ratePerSecond?: number;
  /** Requests in flight at most (default 32). */
  concurrency?: number;
  seed: number;
  /** Share of participants with a degraded network, 0–1 (default 0). */
  degraded?: number;
  /** Share of events delivered twice, 0–1 (default 0). */
  duplicates?: number;
  /** Share of events held back and delivered later, out of order, 0–1 (default 0). */
  reorder?: number;
  /** Retries after a failed delivery, 0–3 (default 0; Zoom makes 3). */
  retries?: number;
  /** Multiplies Zoom's retry delays (+5, +25, +85 min); 0.001 → 300 ms, 1.5 s, 5.1 s. Default 1. */
  retryTimeScale?: number;
  /** A delivery with no answer after this long has failed (default 3000, Zoom's limit). */
  timeoutMs?: number;
  /** Keep the acknowledged and unacknowledged event identities (default true). */
  keepIdentities?: boolean;
}

export type SimulationPhase = 'crc' | TrafficPhase | 'retry' | 'done';

export interface SimulationProgress {
  phase: SimulationPhase;
  sent: number;
  accepted: number;
  rejected: number;
  networkErrors: number;
  retries: number;
  pendingRetries: number;
  abandoned: number;
  elapsedMs: number;
  eventsPerSecond: number;
  latencyMs: LatencyStats;
}

export interface SimulationDeps {
  now: () => number;
  onProgress?: (progress: SimulationProgress) => void;
  signal?: AbortSignal;
}

/** What became of one generated event ('pending' only while the run is going on). */
export type EventOutcome = 'pending' | 'acked' | 'abandoned' | 'cancelled' | `rejected:${number}`;

export interface EventLedgerEntry {
  requestId: string;
  /** event|instance|participant|event_ts (event-identity.ts). */
  key: string;
  /** 2xx answers it got (more than 1 when a duplicate was accepted too). */
  acks: number;
  outcome: EventOutcome;
}

export interface SimulationEvents {
  /** Events generated (each counted once, whatever its deliveries). */
  generated: number;
  byType: Record<string, number>;
  /** At least one 2xx answer. */
  acked: number;
  /** Final answer 3xx/4xx (Zoom does not retry those), never acked. */
  rejected: number;
  /** Still failing (≥ 500, network error, timeout) after the last retry, never acked. */
  abandoned: number;
  /** The run was stopped while the event waited for a retry or for its held-back delivery. */
  cancelled: number;
  /** Events delivered a second time on purpose (`duplicates`). */
  duplicated: number;
  /** Events held back and delivered after later ones (`reorder`). */
  reordered: number;
}

export interface SimulationSummary {
  /** Every HTTP request, the CRC included. */
  sent: number;
  /** Every 2xx answer, the CRC included. */
  accepted: number;
  rejectedByStatus: Record<string, number>;
  networkErrors: number;
  crcOk: boolean;
  latencyMs: LatencyStats;
  /** Event deliveries second by second (the CRC excluded): answered, failed (≥ 500 or no answer), ack latency. */
  latencyBySecond: LatencySecond[];
  durationMs: number;
  eventsPerSecond: number;
  /** Requests by event, the CRC, retries and duplicates included. */
  sentByEvent: Record<string, number>;
  startedAtMs: number;
  /** Stopped by the signal before the end. */
  interrupted: boolean;
  /** Event deliveries (the CRC excluded): every HTTP status answered, and network errors by code. */
  deliveries: {
    sent: number;
    firstAttempts: number;
    duplicates: number;
    retries: number;
    /** retriesByAttempt[i]: how many (i+1)-th retries were sent. */
    retriesByAttempt: number[];
    byStatus: Record<string, number>;
    networkErrors: number;
    networkErrorsByCode: Record<string, number>;
  };
  events: SimulationEvents;
  participants: { total: number; degraded: number };
  /** One entry per generated event, in generation order (empty unless keepIdentities). */
  ledger: EventLedgerEntry[];
}

const PROGRESS_EVERY_MS = 250;
const ZOOM_QOS_PERIOD_MS = 60_000;
/** Zoom retries 5 min after the first attempt, 20 min after that, 60 min after that (README §3.5). */
export const ZOOM_RETRY_AFTER_MS: readonly number[] = [5 * 60_000, 25 * 60_000, 85 * 60_000];
export const ZOOM_TIMEOUT_MS = 3000;
/** A held-back event waits for between 1 and this many later events (at least one round of QoS). */
const MIN_HOLD = 8;
const MAX_HOLD = 1000;

function crcAnswerOk(result: WebhookResult, secret: string, plainToken: string): boolean {
  if (!result.ok || result.status < 200 || result.status > 299) return false;
  try {
    const answer = JSON.parse(result.body) as { plainToken?: unknown; encryptedToken?: unknown };
    return answer.plainToken === plainToken && answer.encryptedToken === zoomCrcToken(secret, plainToken);
  } catch {
    return false;
  }
}

const share = (n: number | undefined): boolean => n === undefined || (n >= 0 && n <= 1);

/** Bad options are a caller's bug (the command validates them first), so they throw. */
function checkOptions(o: SimulationOptions): void {
  const whole = (n: number): boolean => Number.isInteger(n) && n >= 1;
  const count = (n: number | undefined): boolean => n === undefined || (Number.isInteger(n) && n >= 0);
  if (!count(o.meetings) || !count(o.webinars) || !count(o.sessions) || !count(o.calls)) throw new RangeError('meetings, webinars, sessions and calls must be whole numbers ≥ 0');
  if (o.meetings + (o.webinars ?? 0) + (o.sessions ?? 0) + (o.calls ?? 0) < 1) throw new RangeError('at least one meeting, webinar, session or call is needed');
  if (!whole(o.participants)) throw new RangeError('participants must be a whole number ≥ 1');
  if (!(o.durationMs >= 0)) throw new RangeError('durationMs must be ≥ 0');
  if (o.ratePerSecond !== undefined && !(o.ratePerSecond > 0 && Number.isFinite(o.ratePerSecond))) throw new RangeError('ratePerSecond must be > 0');
  if (!share(o.degraded) || !share(o.duplicates) || !share(o.reorder)) throw new RangeError('degraded, duplicates and reorder must be shares between 0 and 1');
  if (o.retries !== undefined && !(Number.isInteger(o.retries) && o.retries >= 0 && o.retries <= ZOOM_RETRY_AFTER_MS.length)) throw new RangeError('retries must be 0, 1, 2 or 3');
  if (o.retryTimeScale !== undefined && !(o.retryTimeScale > 0 && Number.isFinite(o.retryTimeScale))) throw new RangeError('retryTimeScale must be > 0');
  if (o.timeoutMs !== undefined && !(o.timeoutMs > 0 && Number.isFinite(o.timeoutMs))) throw new RangeError('timeoutMs must be > 0');
}

/** One generated event: its exact bytes and ids, reused by every delivery. */
interface TrackedEvent {
  event: SimulatedEventName;
  raw: Buffer;
  ids: DeliveryIds;
  entry: EventLedgerEntry;
  /** When its first attempt was sent: Zoom's retry delays count from there. */
  firstSentAt: number;
  /** Attempts of the original delivery so far (1 + retries). */
  attempts: number;
}

type DeliveryKind = 'first' | 'duplicate' | 'retry';

export async function runSimulation(options: SimulationOptions, deps: SimulationDeps): Promise<SimulationSummary> {
  checkOptions(options);
  const { now, signal } = deps;
  const concurrency = Math.max(1, options.concurrency ?? 32);
  const retries = options.retries ?? 0;
  const retryScale = options.retryTimeScale ?? 1;
  const keepIdentities = options.keepIdentities ?? true;
  const mix: TrafficMix = {
    meetings: options.meetings,
    webinars: options.webinars ?? 0,
    sessions: options.sessions ?? 0,
    calls: options.calls ?? 0,
    participants: options.participants,
  };
  const total = subjectCount(mix);
  const startedAt = now();
  const ctx = createTrafficContext(options.seed, { degradedShare: options.degraded ?? 0, startedAtMs: startedAt });
  const nextFaults = createDeliveryFaults(options.seed, {
    duplicates: options.duplicates ?? 0,
    reorder: options.reorder ?? 0,
    holdMax: Math.min(MAX_HOLD, Math.max(MIN_HOLD, 2 * total)),
  });
  const sender = createWebhookSender({ url: options.url, secret: options.secret, connections: concurrency, now, timeoutMs: options.timeoutMs ?? ZOOM_TIMEOUT_MS });
  const latency = createLatencyHistogram();
  const latencyBySecond = createLatencySeries();
  const rejectedByStatus: Record<string, number> = {};
  const sentByEvent: Record<string, number> = {};
  const counts = { sent: 0, accepted: 0, rejected: 0, networkErrors: 0 };
  const deliveries: SimulationSummary['deliveries'] = {
    sent: 0, firstAttempts: 0, duplicates: 0, retries: 0, retriesByAttempt: ZOOM_RETRY_AFTER_MS.slice(0, retries).map(() => 0),
    byStatus: {}, networkErrors: 0, networkErrorsByCode: {},
  };
  const events: SimulationEvents = { generated: 0, byType: {}, acked: 0, rejected: 0, abandoned: 0, cancelled: 0, duplicated: 0, reordered: 0 };
  const ledger: EventLedgerEntry[] = [];
  let phase: SimulationPhase = 'crc';
  // Slots for requests in flight: a counter and the senders waiting for one (no Promise.race over
  // every request in flight, which costs O(concurrency) per request).
  let active = 0;
  const slotWaiters: (() => void)[] = [];
  let onSettle: (() => void) | undefined;
  const changed = (): void => {
    const wake = onSettle;
    onSettle = undefined;
    wake?.();
  };
  const takeSlot = async (): Promise<void> => {
    while (active >= concurrency) await new Promise<void>((resolve) => slotWaiters.push(resolve));
    active++;
  };
  const freeSlot = (): void => {
    active--;
    slotWaiters.shift()?.();
    changed();
  };
  /** Retries waiting for their time: the timer until it fires, then until the retry is sent. */
  const waitingRetries = new Map<TrackedEvent, ReturnType<typeof setTimeout> | undefined>();
  const stopped = (): boolean => signal?.aborted === true;

  const progress = (): SimulationProgress => {
    const elapsedMs = Math.max(0, now() - startedAt);
    const done = counts.accepted + counts.rejected + counts.networkErrors;
    const eventsPerSecond = elapsedMs > 0 ? Math.round((done / elapsedMs) * 10_000) / 10 : 0;
    return {
      phase, ...counts, retries: deliveries.retries, pendingRetries: waitingRetries.size, abandoned: events.abandoned,
      elapsedMs, eventsPerSecond, latencyMs: latency.stats(),
    };
  };
  const ticker = deps.onProgress ? setInterval(() => deps.onProgress?.(progress()), PROGRESS_EVERY_MS) : undefined;

  const record = (result: WebhookResult, isCrc: boolean): void => {
    if (!result.ok) {
      counts.networkErrors++;
      if (!isCrc) {
        latencyBySecond.record(now() - startedAt, undefined, true);
        deliveries.networkErrors++;
        deliveries.networkErrorsByCode[result.error] = (deliveries.networkErrorsByCode[result.error] ?? 0) + 1;
      }
      return;
    }
    latency.record(result.latencyMs);
    if (!isCrc) latencyBySecond.record(now() - startedAt, result.latencyMs, result.status >= 500);
    const status = String(result.status);
    if (!isCrc) deliveries.byStatus[status] = (deliveries.byStatus[status] ?? 0) + 1;
    if (result.status >= 200 && result.status <= 299) counts.accepted++;
    else {
      counts.rejected++;
      rejectedByStatus[status] = (rejectedByStatus[status] ?? 0) + 1;
    }
  };
  const countRequest = (event: string): void => {
    counts.sent++;
    sentByEvent[event] = (sentByEvent[event] ?? 0) + 1;
  };

  /** Moves the event from one outcome count to another. Once acked, it stays acked. */
  const outcomeCount = (outcome: EventOutcome, by: number): void => {
    if (outcome === 'acked') events.acked += by;
    else if (outcome === 'abandoned') events.abandoned += by;
    else if (outcome === 'cancelled') events.cancelled += by;
    else if (outcome !== 'pending') events.rejected += by;
  };
  const setOutcome = (entry: EventLedgerEntry, outcome: EventOutcome): void => {
    if (entry.outcome === outcome || entry.outcome === 'acked') return;
    outcomeCount(entry.outcome, -1);
    outcomeCount(outcome, 1);
    entry.outcome = outcome;
  };
  const settle = (tracked: TrackedEvent, outcome: EventOutcome): void => setOutcome(tracked.entry, outcome);

  const scheduleRetry = (tracked: TrackedEvent): void => {
    const after = (ZOOM_RETRY_AFTER_MS[tracked.attempts - 1] ?? 0) * retryScale;
    const waitMs = Math.max(0, tracked.firstSentAt + after - now());
    const timer = setTimeout(() => {
      waitingRetries.set(tracked, undefined);
      void attempt(tracked, 'retry').finally(() => {
        waitingRetries.delete(tracked);
        changed();
      });
    }, waitMs);
    waitingRetries.set(tracked, timer);
  };
  /** Ctrl-C: the retries still waiting for their time are not sent. */
  const cancelRetries = (): void => {
    for (const [tracked, timer] of waitingRetries) {
      if (timer === undefined) continue; // being sent
      clearTimeout(timer);
      waitingRetries.delete(tracked);
      settle(tracked, 'cancelled');
    }
    changed();
  };
  signal?.addEventListener('abort', cancelRetries, { once: true });

  const answered = (tracked: TrackedEvent, kind: DeliveryKind, result: WebhookResult): void => {
    record(result, false);
    const ok = result.ok && result.status >= 200 && result.status <= 299;
    if (ok) {
      tracked.entry.acks++;
      // Also when the original delivery was refused and its duplicate accepted: acked after all.
      setOutcome(tracked.entry, 'acked');
      return;
    }
    if (kind === 'duplicate') return; // a duplicate is one extra delivery, never retried
    const retryable = !result.ok || result.status >= 500;
    if (!retryable) settle(tracked, `rejected:${result.status}`);
    else if (tracked.attempts <= retries && !stopped()) scheduleRetry(tracked);
    else settle(tracked, stopped() && tracked.attempts <= retries ? 'cancelled' : 'abandoned');
  };

  /** Waits for a free slot, then sends one delivery of the event (without waiting for the answer). */
  const attempt = async (tracked: TrackedEvent, kind: DeliveryKind): Promise<void> => {
    await takeSlot();
    countRequest(tracked.event);
    deliveries.sent++;
    if (kind === 'first') {
      deliveries.firstAttempts++;
      tracked.firstSentAt = now();
    } else if (kind === 'duplicate') deliveries.duplicates++;
    else {
      deliveries.retries++;
      const n = tracked.attempts - 1;
      deliveries.retriesByAttempt[n] = (deliveries.retriesByAttempt[n] ?? 0) + 1;
    }
    if (kind !== 'duplicate') tracked.attempts++;
    void sender.send(tracked.raw, tracked.ids).then((result) => {
      try {
        answered(tracked, kind, result);
      } finally {
        freeSlot();
      }
    });
  };

  const deliver = async (tracked: TrackedEvent, duplicate: boolean): Promise<void> => {
    await attempt(tracked, 'first');
    if (duplicate) {
      events.duplicated++;
      await attempt(tracked, 'duplicate');
    }
  };

  // event_ts is "now", bumped by 1 ms where needed, so event|instance|participant|event_ts is unique.
  const lastTs = new Map<string, number>();
  const uniqueTs = (event: SimulatedEventName, s: TrafficSubject, t: number): number => {
    const key = `${event}|${s.family}|${s.instance}|${s.participant}`;
    const last = lastTs.get(key);
    const ts = last !== undefined && t <= last ? last + 1 : t;
    lastTs.set(key, ts);
    return ts;
  };

  const held: { tracked: TrackedEvent; duplicate: boolean; releaseAt: number }[] = [];
  let created = 0;
  const releaseHeld = async (all: boolean): Promise<void> => {
    for (let i = 0; i < held.length; ) {
      const h = held[i]!;
      if (all || h.releaseAt <= created) {
        held.splice(i, 1);
        await deliver(h.tracked, h.duplicate);
      } else i++;
    }
  };

  /** Builds the next event (its body timestamped now), then sends it, holds it back, or sends it twice. */
  const newEvent = async (event: SimulatedEventName, subject: TrafficSubject): Promise<void> => {
    const faults = nextFaults();
    const body = buildEventBody(ctx, event, subject, uniqueTs(event, subject, now()));
    const raw = Buffer.from(JSON.stringify(body), 'utf8');
    const ids = newDeliveryIds();
    const entry: EventLedgerEntry = { requestId: ids.requestId, key: eventIdentity(body)?.key ?? '', acks: 0, outcome: 'pending' };
    if (keepIdentities) ledger.push(entry);
    const tracked: TrackedEvent = { event, raw, ids, entry, firstSentAt: 0, attempts: 0 };
    events.generated++;
    events.byType[event] = (events.byType[event] ?? 0) + 1;
    created++;
    if (faults.holdFor > 0) {
      events.reordered++;
      held.push({ tracked, duplicate: faults.duplicate, releaseAt: created + faults.holdFor });
    } else await deliver(tracked, faults.duplicate);
    await releaseHeld(false);
  };

  // --rate: one clock for every new event of every phase.
  let paced = 0;
  let paceStart = 0;
  /** Waits for the next slot of the fixed rate; false when it falls at or after `deadline`. */
  const pace = async (deadline = Infinity): Promise<boolean> => {
    if (options.ratePerSecond === undefined) return true;
    const due = paceStart + (paced * 1000) / options.ratePerSecond;
    if (due >= deadline) return false;
    // Timers fire in whole milliseconds: sleep only when a millisecond or more ahead, else go on.
    const t = now();
    if (due - t >= 1) await delay(due - t, undefined, signal ? { signal } : {}).catch(() => undefined);
    if (stopped()) return false;
    paced++;
    return true;
  };
  /** Every subject in turn, every event of the phase for that subject. */
  const everyone = async (which: 'join' | 'leave'): Promise<void> => {
    for (let k = 0; k < total && !stopped(); k++) {
      const subject = subjectAt(mix, k);
      for (const event of phaseEvents(subject, which)) {
        if (!(await pace()) || stopped()) return;
        await newEvent(event, subject);
      }
    }
  };
  const qosPhase = async (): Promise<void> => {
    const qosStart = now();
    const qosEnd = qosStart + options.durationMs;
    const intervalMs = ZOOM_QOS_PERIOD_MS / total;
    for (let i = 0; !stopped(); ) {
      if (options.ratePerSecond === undefined) {
        const due = qosStart + i * intervalMs;
        const t = now();
        if (due >= qosEnd || t >= qosEnd) break;
        if (due - t >= 1) {
          await delay(Math.min(due, qosEnd) - t, undefined, signal ? { signal } : {}).catch(() => undefined);
          continue;
        }
      } else if (!(await pace(qosEnd)) || now() >= qosEnd) break;
      const subject = subjectAt(mix, i % total);
      for (const event of phaseEvents(subject, 'qos')) await newEvent(event, subject);
      i++;
    }
  };

  let crcOk: boolean;
  try {
    const crc = urlValidationBody(options.seed, now());
    countRequest(crc.event);
    const crcResult = await sender.send(crc);
    record(crcResult, true);
    crcOk = crcAnswerOk(crcResult, options.secret, crc.payload.plainToken);
    // Unreachable forwarder: stop here instead of counting a whole run of connection errors.
    if (crcResult.ok) {
      paceStart = now();
      phase = 'join';
      await everyone('join');
      phase = 'qos';
      await qosPhase();
      phase = 'leave';
      await everyone('leave');
      if (!stopped()) await releaseHeld(true);
    }
    // Answers in flight, then the retries still waiting (they may add answers in flight again).
    while (active > 0 || waitingRetries.size > 0) {
      if (active === 0) phase = 'retry';
      await new Promise<void>((resolve) => {
        onSettle = resolve;
      });
    }
    for (const h of held.splice(0)) settle(h.tracked, 'cancelled');
  } finally {
    signal?.removeEventListener('abort', cancelRetries);
    for (const timer of waitingRetries.values()) if (timer !== undefined) clearTimeout(timer);
    if (ticker) clearInterval(ticker);
    await sender.close();
  }
  phase = 'done';
  const final = progress();
  deps.onProgress?.(final);
  return {
    sent: counts.sent,
    accepted: counts.accepted,
    rejectedByStatus,
    networkErrors: counts.networkErrors,
    crcOk,
    latencyMs: final.latencyMs,
    latencyBySecond: latencyBySecond.rows(),
    durationMs: final.elapsedMs,
    eventsPerSecond: final.eventsPerSecond,
    sentByEvent,
    startedAtMs: startedAt,
    interrupted: stopped(),
    deliveries,
    events,
    participants: { total, degraded: degradedSubjectCount(ctx, mix) },
    ledger,
  };
}
