// What a `simulate` run is asked to do (the options the command has validated) and Zoom's delivery
// limits it imitates; a bad option is a caller's bug, so checking them throws.
import type { SimulationProgress } from './simulation-summary.ts';

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

export interface SimulationDeps {
  now: () => number;
  onProgress?: (progress: SimulationProgress) => void;
  signal?: AbortSignal;
}

/** Zoom retries 5 min after the first attempt, 20 min after that, 60 min after that (README §3.5). */
export const ZOOM_RETRY_AFTER_MS: readonly number[] = [5 * 60_000, 25 * 60_000, 85 * 60_000];
export const ZOOM_TIMEOUT_MS = 3000;

const share = (n: number | undefined): boolean => n === undefined || (n >= 0 && n <= 1);

/** Bad options are a caller's bug (the command validates them first), so they throw. */
export function checkSimulationOptions(o: SimulationOptions): void {
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
