// What a `simulate` run reports (its progress while it runs, its summary at the end) and the tally
// that counts it as it goes: every request and answer, and what became of every generated event.
import type { WebhookResult } from './create-webhook-sender.ts';
import { createLatencyHistogram, createLatencySeries, type LatencyHistogram, type LatencySecond, type LatencySeries, type LatencyStats } from './latency-histogram.ts';
import type { TrafficPhase } from './traffic-plan.ts';

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

/** The counts of a run, kept as it goes. */
export interface SimulationTally {
  counts: { sent: number; accepted: number; rejected: number; networkErrors: number };
  rejectedByStatus: Record<string, number>;
  sentByEvent: Record<string, number>;
  deliveries: SimulationSummary['deliveries'];
  events: SimulationEvents;
  /** One entry per generated event, in generation order. */
  ledger: EventLedgerEntry[];
  latency: LatencyHistogram;
  latencyBySecond: LatencySeries;
  /** Counts one answer (or network error); `isCrc`: the URL validation, kept out of the event deliveries. */
  record(result: WebhookResult, isCrc: boolean): void;
  countRequest(event: string): void;
  /** Moves the event from one outcome count to another. Once acked, it stays acked. */
  setOutcome(entry: EventLedgerEntry, outcome: EventOutcome): void;
}

/** `retries`: how many of Zoom's retries the run makes; `elapsedMs`: time since the run started. */
export function createSimulationTally(retries: number, retryDelays: readonly number[], elapsedMs: () => number): SimulationTally {
  const latency = createLatencyHistogram();
  const latencyBySecond = createLatencySeries();
  const rejectedByStatus: Record<string, number> = {};
  const sentByEvent: Record<string, number> = {};
  const counts = { sent: 0, accepted: 0, rejected: 0, networkErrors: 0 };
  const deliveries: SimulationSummary['deliveries'] = {
    sent: 0, firstAttempts: 0, duplicates: 0, retries: 0, retriesByAttempt: retryDelays.slice(0, retries).map(() => 0),
    byStatus: {}, networkErrors: 0, networkErrorsByCode: {},
  };
  const events: SimulationEvents = { generated: 0, byType: {}, acked: 0, rejected: 0, abandoned: 0, cancelled: 0, duplicated: 0, reordered: 0 };

  const record = (result: WebhookResult, isCrc: boolean): void => {
    if (!result.ok) {
      counts.networkErrors++;
      if (!isCrc) {
        latencyBySecond.record(elapsedMs(), undefined, true);
        deliveries.networkErrors++;
        deliveries.networkErrorsByCode[result.error] = (deliveries.networkErrorsByCode[result.error] ?? 0) + 1;
      }
      return;
    }
    latency.record(result.latencyMs);
    if (!isCrc) latencyBySecond.record(elapsedMs(), result.latencyMs, result.status >= 500);
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
  return { counts, rejectedByStatus, sentByEvent, deliveries, events, ledger: [], latency, latencyBySecond, record, countRequest, setOutcome };
}
