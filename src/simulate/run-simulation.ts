// The `simulate` engine: a signed CRC first, then data events for every participant at join,
// per-minute QoS for the duration, and summaries when everyone leaves — for meetings, webinars,
// Video SDK sessions and phone calls. On top, Zoom's delivery behaviour: retries of answers ≥ 500
// and of failed deliveries (network errors, no answer within the timeout) at +5, +25 and +85
// minutes after the first attempt (scaled by `retryTimeScale`), and optionally duplicates and
// out-of-order delivery. Requests go through a keep-alive pool with at most `concurrency` in flight;
// every answer is counted and nothing is thrown for them. Every event keeps its bytes, its
// x-zm-request-id and its content key (event-identity.ts) across all of its deliveries.
import { setTimeout as delay } from 'node:timers/promises';
import { createWebhookSender, newDeliveryIds, type DeliveryIds, type WebhookResult } from './create-webhook-sender.ts';
import { eventIdentity } from './event-identity.ts';
import { checkSimulationOptions, ZOOM_RETRY_AFTER_MS, ZOOM_TIMEOUT_MS, type SimulationDeps, type SimulationOptions } from './simulation-options.ts';
import { createSimulationTally, type EventLedgerEntry, type EventOutcome, type SimulationPhase, type SimulationProgress, type SimulationSummary } from './simulation-summary.ts';
import { createRequestSlots } from './request-slots.ts';
import { createTrafficContext, isCrcAnswer, urlValidationBody } from './qss-traffic.ts';
import {
  buildEventBody,
  createDeliveryFaults,
  createUniqueEventTimes,
  degradedSubjectCount,
  phaseEvents,
  subjectAt,
  subjectCount,
  type SimulatedEventName,
  type TrafficMix,
  type TrafficSubject,
} from './traffic-plan.ts';

const PROGRESS_EVERY_MS = 250;
const ZOOM_QOS_PERIOD_MS = 60_000;
/** A held-back event waits for between 1 and this many later events (at least one round of QoS). */
const MIN_HOLD = 8;
const MAX_HOLD = 1000;

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
  checkSimulationOptions(options);
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
  const tally = createSimulationTally(retries, ZOOM_RETRY_AFTER_MS, () => now() - startedAt);
  const { counts, deliveries, events, ledger, latency, record, countRequest, setOutcome } = tally;
  let phase: SimulationPhase = 'crc';
  const slots = createRequestSlots(concurrency);
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

  const settle = (tracked: TrackedEvent, outcome: EventOutcome): void => setOutcome(tracked.entry, outcome);

  const scheduleRetry = (tracked: TrackedEvent): void => {
    const after = (ZOOM_RETRY_AFTER_MS[tracked.attempts - 1] ?? 0) * retryScale;
    const waitMs = Math.max(0, tracked.firstSentAt + after - now());
    const timer = setTimeout(() => {
      waitingRetries.set(tracked, undefined);
      void attempt(tracked, 'retry').finally(() => {
        waitingRetries.delete(tracked);
        slots.changed();
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
    slots.changed();
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
    await slots.take();
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
        slots.free();
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

  const uniqueTs = createUniqueEventTimes();

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
    crcOk = crcResult.ok && isCrcAnswer(crcResult.status, crcResult.body, options.secret, crc.payload.plainToken);
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
    while (slots.active() > 0 || waitingRetries.size > 0) {
      if (slots.active() === 0) phase = 'retry';
      await slots.nextChange();
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
    rejectedByStatus: tally.rejectedByStatus,
    networkErrors: counts.networkErrors,
    crcOk,
    latencyMs: final.latencyMs,
    latencyBySecond: tally.latencyBySecond.rows(),
    durationMs: final.elapsedMs,
    eventsPerSecond: final.eventsPerSecond,
    sentByEvent: tally.sentByEvent,
    startedAtMs: startedAt,
    interrupted: stopped(),
    deliveries,
    events,
    participants: { total, degraded: degradedSubjectCount(ctx, mix) },
    ledger,
  };
}
