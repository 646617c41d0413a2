// The `simulate` engine: a signed CRC first, then participant_data for every participant at join,
// per-minute participant_qos for the duration, and qos/data summaries when everyone leaves.
// Requests go through a keep-alive pool with at most `concurrency` in flight; every answer is counted
// (2xx accepted, other statuses by code, network errors apart) and nothing is thrown for them.
import { setTimeout as delay } from 'node:timers/promises';
import { zoomCrcToken } from '../zoom/zoom-signature.ts';
import { createWebhookSender, type WebhookResult } from './create-webhook-sender.ts';
import { createLatencyHistogram, type LatencyStats } from './latency-histogram.ts';
import {
  createTrafficContext,
  participantDataBody,
  participantDataSummaryBody,
  participantQosBody,
  participantQosSummaryBody,
  urlValidationBody,
  type QssEventBody,
  type TrafficContext,
} from './qss-traffic.ts';

export interface SimulationOptions {
  url: string;
  secret: string;
  meetings: number;
  participants: number;
  durationMs: number;
  /** Total QoS events per second. Absent: Zoom's cadence, one per participant per 60 s, spread evenly. */
  ratePerSecond?: number;
  /** Requests in flight at most (default 32). */
  concurrency?: number;
  seed: number;
}

export type SimulationPhase = 'crc' | 'join' | 'qos' | 'leave' | 'done';

export interface SimulationProgress {
  phase: SimulationPhase;
  sent: number;
  accepted: number;
  rejected: number;
  networkErrors: number;
  elapsedMs: number;
  eventsPerSecond: number;
  latencyMs: LatencyStats;
}

export interface SimulationDeps {
  now: () => number;
  onProgress?: (progress: SimulationProgress) => void;
  signal?: AbortSignal;
}

export interface SimulationSummary {
  sent: number;
  accepted: number;
  rejectedByStatus: Record<string, number>;
  networkErrors: number;
  crcOk: boolean;
  latencyMs: LatencyStats;
  durationMs: number;
  eventsPerSecond: number;
  sentByEvent: Record<string, number>;
}

const PROGRESS_EVERY_MS = 250;
const ZOOM_QOS_PERIOD_MS = 60_000;

function crcAnswerOk(result: WebhookResult, secret: string, plainToken: string): boolean {
  if (!result.ok || result.status < 200 || result.status > 299) return false;
  try {
    const answer = JSON.parse(result.body) as { plainToken?: unknown; encryptedToken?: unknown };
    return answer.plainToken === plainToken && answer.encryptedToken === zoomCrcToken(secret, plainToken);
  } catch {
    return false;
  }
}

/** Bad options are a caller's bug (the command validates them first), so they throw. */
function checkOptions(o: SimulationOptions): void {
  const whole = (n: number): boolean => Number.isInteger(n) && n >= 1;
  if (!whole(o.meetings) || !whole(o.participants)) throw new RangeError('meetings and participants must be whole numbers ≥ 1');
  if (!(o.durationMs >= 0)) throw new RangeError('durationMs must be ≥ 0');
  if (o.ratePerSecond !== undefined && !(o.ratePerSecond > 0 && Number.isFinite(o.ratePerSecond))) throw new RangeError('ratePerSecond must be > 0');
}

export async function runSimulation(options: SimulationOptions, deps: SimulationDeps): Promise<SimulationSummary> {
  checkOptions(options);
  const { now, signal } = deps;
  const concurrency = Math.max(1, options.concurrency ?? 32);
  const ctx = createTrafficContext(options.seed);
  const sender = createWebhookSender({ url: options.url, secret: options.secret, connections: concurrency, now });
  const latency = createLatencyHistogram();
  const rejectedByStatus: Record<string, number> = {};
  const sentByEvent: Record<string, number> = {};
  const counts = { sent: 0, accepted: 0, rejected: 0, networkErrors: 0 };
  const startedAt = now();
  let phase: SimulationPhase = 'crc';
  const inFlight = new Set<Promise<void>>();
  const stopped = (): boolean => signal?.aborted === true;

  const progress = (): SimulationProgress => {
    const elapsedMs = Math.max(0, now() - startedAt);
    const done = counts.accepted + counts.rejected + counts.networkErrors;
    const eventsPerSecond = elapsedMs > 0 ? Math.round((done / elapsedMs) * 10_000) / 10 : 0;
    return { phase, ...counts, elapsedMs, eventsPerSecond, latencyMs: latency.stats() };
  };
  const ticker = deps.onProgress ? setInterval(() => deps.onProgress?.(progress()), PROGRESS_EVERY_MS) : undefined;

  const record = (result: WebhookResult): void => {
    if (!result.ok) {
      counts.networkErrors++;
      return;
    }
    latency.record(result.latencyMs);
    if (result.status >= 200 && result.status <= 299) counts.accepted++;
    else {
      counts.rejected++;
      rejectedByStatus[String(result.status)] = (rejectedByStatus[String(result.status)] ?? 0) + 1;
    }
  };
  const send = async (body: QssEventBody | ReturnType<typeof urlValidationBody>): Promise<WebhookResult> => {
    counts.sent++;
    sentByEvent[body.event] = (sentByEvent[body.event] ?? 0) + 1;
    const result = await sender.send(body);
    record(result);
    return result;
  };
  /** Waits for a free slot, then builds the body (so its timestamps are fresh) and sends it. */
  const dispatch = async (build: (timeMs: number) => QssEventBody): Promise<void> => {
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    const request: Promise<void> = send(build(now())).then(() => {
      inFlight.delete(request);
    });
    inFlight.add(request);
  };
  type Build = (traffic: TrafficContext, m: number, p: number, timeMs: number) => QssEventBody;
  /** Each participant in turn, every builder for that participant (e.g. both summaries on leave). */
  const everyone = async (...builds: Build[]): Promise<void> => {
    for (let m = 0; m < options.meetings && !stopped(); m++) {
      for (let p = 0; p < options.participants && !stopped(); p++) {
        for (const build of builds) await dispatch((t) => build(ctx, m, p, t));
      }
    }
  };

  let crcOk: boolean;
  try {
    const crc = urlValidationBody(options.seed, now());
    const crcResult = await send(crc);
    crcOk = crcAnswerOk(crcResult, options.secret, crc.payload.plainToken);
    // Unreachable forwarder: stop here instead of counting a whole run of connection errors.
    if (crcResult.ok) {
      phase = 'join';
      await everyone(participantDataBody);
      phase = 'qos';
      const total = options.meetings * options.participants;
      const intervalMs = options.ratePerSecond !== undefined ? 1000 / options.ratePerSecond : ZOOM_QOS_PERIOD_MS / total;
      const qosStart = now();
      const qosEnd = qosStart + options.durationMs;
      for (let i = 0; !stopped(); ) {
        const due = qosStart + i * intervalMs;
        const t = now();
        if (due >= qosEnd || t >= qosEnd) break;
        if (due > t) {
          await delay(Math.min(due, qosEnd) - t, undefined, { signal }).catch(() => undefined);
          continue;
        }
        const k = i % total;
        const m = Math.floor(k / options.participants);
        const p = k % options.participants;
        await dispatch((timeMs) => participantQosBody(ctx, m, p, timeMs));
        i++;
      }
      phase = 'leave';
      await everyone(participantQosSummaryBody, participantDataSummaryBody);
    }
    await Promise.all(inFlight);
  } finally {
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
    durationMs: final.elapsedMs,
    eventsPerSecond: final.eventsPerSecond,
    sentByEvent,
  };
}
