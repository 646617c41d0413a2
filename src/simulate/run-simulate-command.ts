// `qss-forwarder simulate`: checks the options, resolves the target and the Secret Token, runs the
// simulation, shows live progress on stderr and the summary on stdout (a table, then one
// `{"summary": …}` JSON line), and writes the result file when asked (`--result`).
// Exit code: 0 when the CRC was answered correctly and every event was acknowledged (2xx, possibly
// after retries), 1 when not (or the result file could not be written), 2 for bad options or no
// Secret Token. The secret itself is never printed.
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { readLocalSecretToken } from '../ingress/local-secret-token.ts';
import { formatProgressLine, formatSummaryTable } from './format-summary-table.ts';
import { parseDuration } from './parse-duration.ts';
import { runSimulation } from './run-simulation.ts';
import { ZOOM_RETRY_AFTER_MS, ZOOM_TIMEOUT_MS } from './simulation-options.ts';
import type { SimulationProgress } from './simulation-summary.ts';
import { simulationResult, writeResultFile, type SimulationResultOptions } from './simulation-result.ts';

/** Numbers come from the command line as text; tests pass numbers. */
type NumberLike = number | string;

export interface SimulateCommandOptions {
  url?: string;
  secret?: string;
  /** Default 2, or 0 when webinars, sessions or calls are given. */
  meetings?: NumberLike;
  webinars?: NumberLike;
  sessions?: NumberLike;
  /** Phone calls, two legs each. */
  calls?: NumberLike;
  participants: number;
  /** "60s", "5m", "500ms", "2h", "1h30m". */
  duration: string;
  /** Total new events per second; absent: Zoom's cadence (1 QoS event per participant per minute). */
  rate?: number;
  concurrency: number;
  seed: number;
  /** Shares 0–1. */
  degraded?: NumberLike;
  duplicates?: NumberLike;
  reorder?: NumberLike;
  /** 0–3; default 3 when retryTimeScale is given, else 0. */
  retries?: NumberLike;
  retryTimeScale?: NumberLike;
  /** A duration; default 3s (Zoom's limit). */
  timeout?: string;
  /** Where to write the JSON result. */
  result?: string;
  dataDir: string;
  defaultUrl: string;
}

export interface SimulateCommandIo {
  stderr: NodeJS.WritableStream;
  stdout: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  /** Abort (e.g. on SIGINT): stop sending, wait for answers in flight, print the summary. */
  signal?: AbortSignal;
  now?: () => number;
}

const NON_TTY_PROGRESS_EVERY_MS = 5000;

/** A number written in full ("0.1", "3", "1e-3"); anything else (including "") is NaN. */
function readNumber(v: NumberLike | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  return v.trim() === '' ? Number.NaN : Number(v);
}

type Checked = { ok: true; options: SimulationResultOptions } | { ok: false; message: string };

function checkOptions(opts: SimulateCommandOptions, url: string, durationMs: number): Checked {
  const bad = (message: string): Checked => ({ ok: false, message });
  const whole = (n: number): boolean => Number.isInteger(n) && n >= 1;
  const count = (n: number | undefined): boolean => n === undefined || (Number.isInteger(n) && n >= 0);
  const share = (n: number | undefined): boolean => n === undefined || (Number.isFinite(n) && n >= 0 && n <= 1);
  const shown = (v: NumberLike | undefined): string => JSON.stringify(String(v));

  const [webinars, sessions, calls] = [readNumber(opts.webinars), readNumber(opts.sessions), readNumber(opts.calls)];
  const given = readNumber(opts.meetings);
  if (!count(given)) return bad(`--meetings must be a whole number ≥ 0, got ${shown(opts.meetings)}`);
  if (!count(webinars)) return bad(`--webinars must be a whole number ≥ 0, got ${shown(opts.webinars)}`);
  if (!count(sessions)) return bad(`--sessions must be a whole number ≥ 0, got ${shown(opts.sessions)}`);
  if (!count(calls)) return bad(`--calls must be a whole number ≥ 0, got ${shown(opts.calls)}`);
  const others = (webinars ?? 0) + (sessions ?? 0) + (calls ?? 0);
  const meetings = given ?? (others > 0 ? 0 : 2);
  if (meetings + others < 1) return bad('--meetings must be a whole number ≥ 1 when no --webinars, --sessions or --calls are given');
  if (!whole(opts.participants)) return bad('--participants must be a whole number ≥ 1');
  if (!whole(opts.concurrency)) return bad('--concurrency must be a whole number ≥ 1');
  if (!Number.isInteger(opts.seed)) return bad('--seed must be a whole number');
  if (opts.rate !== undefined && !(Number.isFinite(opts.rate) && opts.rate > 0)) return bad('--rate must be a number > 0');
  const [degraded, duplicates, reorder] = [readNumber(opts.degraded), readNumber(opts.duplicates), readNumber(opts.reorder)];
  if (!share(degraded)) return bad(`--degraded must be a share between 0 and 1 (0.1 = 10 % of participants), got ${shown(opts.degraded)}`);
  if (!share(duplicates)) return bad(`--duplicates must be a share between 0 and 1 (0.01 = 1 % of events), got ${shown(opts.duplicates)}`);
  if (!share(reorder)) return bad(`--reorder must be a share between 0 and 1 (0.01 = 1 % of events), got ${shown(opts.reorder)}`);
  const scale = readNumber(opts.retryTimeScale);
  if (scale !== undefined && !(Number.isFinite(scale) && scale > 0)) {
    return bad(`--retry-time-scale must be a number > 0 (0.001 turns Zoom's +5/+25/+85 min into 0.3/1.5/5.1 s), got ${shown(opts.retryTimeScale)}`);
  }
  const retries = readNumber(opts.retries) ?? (scale === undefined ? 0 : ZOOM_RETRY_AFTER_MS.length);
  if (!(Number.isInteger(retries) && retries >= 0 && retries <= ZOOM_RETRY_AFTER_MS.length)) {
    return bad(`--retries must be 0, 1, 2 or 3 (Zoom retries 3 times), got ${shown(opts.retries)}`);
  }
  let timeoutMs = ZOOM_TIMEOUT_MS;
  if (opts.timeout !== undefined) {
    const parsed = parseDuration(opts.timeout);
    if (!parsed.ok) return bad(`--timeout: ${parsed.message}`);
    if (parsed.ms <= 0) return bad('--timeout must be longer than 0');
    timeoutMs = parsed.ms;
  }
  try {
    const protocol = new URL(url).protocol;
    if (protocol !== 'http:' && protocol !== 'https:') return bad(`--url must be http:// or https://, got "${url}"`);
  } catch {
    return bad(`--url is not a valid URL: "${url}"`);
  }
  return {
    ok: true,
    options: {
      seed: opts.seed, meetings, webinars: webinars ?? 0, sessions: sessions ?? 0, calls: calls ?? 0, participants: opts.participants,
      durationMs, rate: opts.rate ?? null, concurrency: opts.concurrency, degraded: degraded ?? 0, duplicates: duplicates ?? 0,
      reorder: reorder ?? 0, retries, retryTimeScale: scale ?? 1, timeoutMs,
    },
  };
}

async function resultFileProblem(path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  if (path.trim() === '') return '--result needs a file name';
  const full = resolve(path);
  const dir = await stat(dirname(full)).catch(() => undefined);
  if (dir === undefined || !dir.isDirectory()) return `--result: the directory ${dirname(full)} does not exist`;
  const file = await stat(full).catch(() => undefined);
  if (file?.isDirectory() === true) return `--result: ${full} is a directory`;
  return undefined;
}

async function resolveSecret(opts: SimulateCommandOptions, env: SimulateCommandIo['env']): Promise<{ secret?: string; source: string }> {
  if (opts.secret !== undefined && opts.secret !== '') return { secret: opts.secret, source: '--secret' };
  const fromEnv = env.ZOOM_WEBHOOK_SECRET_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') return { secret: fromEnv, source: 'ZOOM_WEBHOOK_SECRET_TOKEN' };
  return { secret: await readLocalSecretToken(opts.dataDir), source: `the local token in ${opts.dataDir}` };
}

const percent = (shareOf: number): string => `${Number((shareOf * 100).toPrecision(6))} %`;
const seconds = (ms: number): string => (ms < 1000 ? `${Math.round(ms)}ms` : `${Number((ms / 1000).toFixed(1))}s`);

function describeRun(o: SimulationResultOptions, duration: string): string {
  const who = [
    ...(o.meetings > 0 ? [`${o.meetings} meeting(s)`] : []),
    ...(o.webinars > 0 ? [`${o.webinars} webinar(s)`] : []),
    ...(o.sessions > 0 ? [`${o.sessions} session(s)`] : []),
  ];
  const people = who.length > 0 ? [`${who.join(' + ')} × ${o.participants} participant(s)`] : [];
  const calls = o.calls > 0 ? [`${o.calls} phone call(s)`] : [];
  const pace = o.rate === null ? "Zoom's cadence (1 QoS event per participant per minute)" : `${o.rate} events/s`;
  const extras = [
    ...(o.degraded > 0 ? [`${percent(o.degraded)} degraded`] : []),
    ...(o.duplicates > 0 ? [`${percent(o.duplicates)} duplicated`] : []),
    ...(o.reorder > 0 ? [`${percent(o.reorder)} reordered`] : []),
    ...(o.retries > 0 ? [`${o.retries} retries at ${ZOOM_RETRY_AFTER_MS.slice(0, o.retries).map((ms) => `+${seconds(ms * o.retryTimeScale)}`).join(', ')}`] : []),
  ];
  return `${[...people, ...calls].join(' and ')} for ${duration} at ${pace}${extras.length > 0 ? `; ${extras.join(', ')}` : ''}`;
}

export async function runSimulateCommand(opts: SimulateCommandOptions, io: SimulateCommandIo): Promise<number> {
  const fail = (message: string): number => {
    io.stderr.write(`simulate: ${message}\n`);
    return 2;
  };
  const url = opts.url ?? opts.defaultUrl;
  const duration = parseDuration(opts.duration);
  if (!duration.ok) return fail(duration.message);
  const checked = checkOptions(opts, url, duration.ms);
  if (!checked.ok) return fail(checked.message);
  const o = checked.options;
  const resultProblem = await resultFileProblem(opts.result);
  if (resultProblem !== undefined) return fail(resultProblem);

  let resolved: { secret?: string; source: string };
  try {
    resolved = await resolveSecret(opts, io.env);
  } catch (err) {
    return fail(`cannot read the local Secret Token in ${opts.dataDir} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (resolved.secret === undefined) {
    return fail(`no Secret Token: pass --secret, set ZOOM_WEBHOOK_SECRET_TOKEN, or start the forwarder once (\`qss-forwarder serve\`) so it creates a local token in ${opts.dataDir}`);
  }

  const now = io.now ?? Date.now;
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  io.stderr.write(`simulate: ${describeRun(o, opts.duration)} → ${url} (signed with ${resolved.source})\n`);
  let lastPrinted = now();
  let rewrote = false;
  const onProgress = (p: SimulationProgress): void => {
    if (tty) {
      io.stderr.write(`\r\x1b[2K${formatProgressLine(p)}`);
      rewrote = true;
    } else if (p.phase === 'done' || now() - lastPrinted >= NON_TTY_PROGRESS_EVERY_MS) {
      lastPrinted = now();
      io.stderr.write(`${formatProgressLine(p)}\n`);
    }
  };

  const summary = await runSimulation(
    {
      url,
      secret: resolved.secret,
      meetings: o.meetings,
      webinars: o.webinars,
      sessions: o.sessions,
      calls: o.calls,
      participants: o.participants,
      durationMs: o.durationMs,
      ratePerSecond: o.rate ?? undefined,
      concurrency: o.concurrency,
      seed: o.seed,
      degraded: o.degraded,
      duplicates: o.duplicates,
      reorder: o.reorder,
      retries: o.retries,
      retryTimeScale: o.retryTimeScale,
      timeoutMs: o.timeoutMs,
      keepIdentities: opts.result !== undefined,
    },
    { now, onProgress, signal: io.signal },
  );
  if (rewrote) io.stderr.write('\n');
  if (!summary.crcOk) io.stderr.write('simulate: the URL validation (CRC) answer was missing or wrong — is the Secret Token the one the forwarder uses?\n');
  if (summary.networkErrors > 0 && summary.sent === summary.networkErrors) io.stderr.write(`simulate: could not reach ${url} — is the forwarder running?\n`);
  io.stdout.write(formatSummaryTable(summary, url));
  const { ledger: _ledger, latencyBySecond: _bySecond, ...printed } = summary;
  io.stdout.write(`${JSON.stringify({ summary: printed })}\n`);

  let written = true;
  if (opts.result !== undefined) {
    try {
      await writeResultFile(opts.result, simulationResult(summary, url, o));
      io.stderr.write(`simulate: result written to ${opts.result}\n`);
    } catch (err) {
      written = false;
      io.stderr.write(`simulate: cannot write the result file ${opts.result} (${(err as NodeJS.ErrnoException).code ?? String(err)})\n`);
    }
  }
  const allAcked = summary.sent > 0 && summary.events.acked === summary.events.generated;
  return summary.crcOk && allAcked && written ? 0 : 1;
}
