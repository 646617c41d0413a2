// The machine-readable result of a run (`simulate --result FILE`): counts by HTTP status, retries,
// abandoned events, duplicates, reordering, ack latency, events by type, and the identity of every
// event, acknowledged or not, so an accounting harness can find each one again at a sink
// (docs/simulate.md, "Result file"). Building it is pure; writing goes to a temporary file that is
// then renamed, so a reader never sees half a file.
import { open, rename, rm } from 'node:fs/promises';
import type { SimulationSummary } from './simulation-summary.ts';

export const RESULT_SCHEMA = 'qss-forwarder/simulate-result/v1';

export interface SimulationResultOptions {
  seed: number;
  meetings: number;
  webinars: number;
  sessions: number;
  calls: number;
  participants: number;
  durationMs: number;
  /** null: Zoom's cadence. */
  rate: number | null;
  concurrency: number;
  degraded: number;
  duplicates: number;
  reorder: number;
  retries: number;
  retryTimeScale: number;
  timeoutMs: number;
}

export interface SimulationResult {
  schema: typeof RESULT_SCHEMA;
  target: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  interrupted: boolean;
  options: SimulationResultOptions;
  crc: { ok: boolean };
  participants: SimulationSummary['participants'];
  events: SimulationSummary['events'];
  requests: {
    /** Every event delivery sent (first attempts + retries + duplicates); the CRC is not counted. */
    sent: number;
    firstAttempts: number;
    retries: number;
    retriesByAttempt: number[];
    duplicates: number;
    /** Every HTTP status answered, e.g. {"200": 5981, "503": 12, "404": 1}. */
    byStatus: Record<string, number>;
    byClass: { '2xx': number; '3xx': number; '4xx': number; '5xx': number };
    /** No HTTP answer: connection refused/reset, DNS, or "timeout" (no answer within the timeout). */
    networkErrors: number;
    networkErrorsByCode: Record<string, number>;
  };
  /** Over every answered request (network errors excluded). */
  ackLatencyMs: { p50: number; p90: number; p99: number; max: number };
  ackLatencyBySecondColumns: ['second', 'answered', 'failed', 'p50', 'p99', 'max'];
  /** Event deliveries second by second from the start: answered (any status), failed (≥ 500 or no answer), ack latency in ms. */
  ackLatencyBySecond: SimulationSummary['latencyBySecond'];
  identity: { requestIdHeader: 'x-zm-request-id'; key: 'event|instance|participant|event_ts' };
  ackedColumns: ['request_id', 'key', 'acks'];
  /** Every event answered 2xx at least once: one row each, in generation order. */
  acked: [string, string, number][];
  unackedColumns: ['request_id', 'key', 'outcome'];
  /** Every other event, with why: "abandoned", "rejected:<status>", "cancelled". */
  unacked: [string, string, string][];
}

function byClass(byStatus: Record<string, number>): SimulationResult['requests']['byClass'] {
  const out = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
  for (const [status, n] of Object.entries(byStatus)) {
    const cls = `${status[0] ?? ''}xx`;
    if (cls === '2xx' || cls === '3xx' || cls === '4xx' || cls === '5xx') out[cls] += n;
  }
  return out;
}

export function simulationResult(summary: SimulationSummary, target: string, options: SimulationResultOptions): SimulationResult {
  const d = summary.deliveries;
  const acked: SimulationResult['acked'] = [];
  const unacked: SimulationResult['unacked'] = [];
  for (const e of summary.ledger) {
    if (e.outcome === 'acked') acked.push([e.requestId, e.key, e.acks]);
    else unacked.push([e.requestId, e.key, e.outcome]);
  }
  return {
    schema: RESULT_SCHEMA,
    target,
    startedAt: new Date(summary.startedAtMs).toISOString(),
    finishedAt: new Date(summary.startedAtMs + summary.durationMs).toISOString(),
    durationMs: summary.durationMs,
    interrupted: summary.interrupted,
    options,
    crc: { ok: summary.crcOk },
    participants: summary.participants,
    events: summary.events,
    requests: {
      sent: d.sent,
      firstAttempts: d.firstAttempts,
      retries: d.retries,
      retriesByAttempt: d.retriesByAttempt,
      duplicates: d.duplicates,
      byStatus: d.byStatus,
      byClass: byClass(d.byStatus),
      networkErrors: d.networkErrors,
      networkErrorsByCode: d.networkErrorsByCode,
    },
    ackLatencyMs: summary.latencyMs,
    ackLatencyBySecondColumns: ['second', 'answered', 'failed', 'p50', 'p99', 'max'],
    ackLatencyBySecond: summary.latencyBySecond,
    identity: { requestIdHeader: 'x-zm-request-id', key: 'event|instance|participant|event_ts' },
    ackedColumns: ['request_id', 'key', 'acks'],
    acked,
    unackedColumns: ['request_id', 'key', 'outcome'],
    unacked,
  };
}

const ROWS_PER_WRITE = 5000;

/** Pretty-printed JSON with one identity row per line (large runs have millions of rows). */
export async function writeResultFile(path: string, result: SimulationResult): Promise<void> {
  const { acked, unacked, ...head } = result;
  const temporary = `${path}.${process.pid}.tmp`;
  const file = await open(temporary, 'w');
  try {
    await file.write(`${JSON.stringify(head, null, 2).slice(0, -2)},\n`);
    const list = async (name: string, rows: readonly unknown[], last: boolean): Promise<void> => {
      await file.write(`  "${name}": [${rows.length === 0 ? '' : '\n'}`);
      for (let i = 0; i < rows.length; i += ROWS_PER_WRITE) {
        const chunk = rows.slice(i, i + ROWS_PER_WRITE).map((r) => `    ${JSON.stringify(r)}`).join(',\n');
        await file.write(`${chunk}${i + ROWS_PER_WRITE < rows.length ? ',' : ''}\n`);
      }
      await file.write(`${rows.length === 0 ? '' : '  '}]${last ? '' : ','}\n`);
    };
    await list('acked', acked, false);
    await list('unacked', unacked, true);
    await file.write('}\n');
    await file.close();
    await rename(temporary, path);
  } catch (err) {
    await file.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw err;
  }
}
