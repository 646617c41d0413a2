// `qss-forwarder simulate`: resolves the target and the Secret Token, runs the simulation, shows live
// progress on stderr and the summary on stdout (a table, then one `{"summary": …}` JSON line).
// Exit code: 0 when the CRC was answered correctly and every request was accepted, 1 when not,
// 2 for bad options or no Secret Token. The secret itself is never printed.
import { readLocalSecretToken } from '../ingress/local-secret-token.ts';
import { formatProgressLine, formatSummaryTable } from './format-summary-table.ts';
import { parseDuration } from './parse-duration.ts';
import { runSimulation, type SimulationProgress } from './run-simulation.ts';

export interface SimulateCommandOptions {
  url?: string;
  secret?: string;
  meetings: number;
  participants: number;
  /** "60s", "5m", "500ms", "2h", "1h30m". */
  duration: string;
  /** Total QoS events per second; absent: Zoom's one per participant per minute. */
  rate?: number;
  concurrency: number;
  seed: number;
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

function optionProblem(opts: SimulateCommandOptions, url: string): string | undefined {
  const whole = (n: number): boolean => Number.isInteger(n) && n >= 1;
  if (!whole(opts.meetings)) return '--meetings must be a whole number ≥ 1';
  if (!whole(opts.participants)) return '--participants must be a whole number ≥ 1';
  if (!whole(opts.concurrency)) return '--concurrency must be a whole number ≥ 1';
  if (!Number.isInteger(opts.seed)) return '--seed must be a whole number';
  if (opts.rate !== undefined && !(Number.isFinite(opts.rate) && opts.rate > 0)) return '--rate must be a number > 0';
  try {
    const protocol = new URL(url).protocol;
    if (protocol !== 'http:' && protocol !== 'https:') return `--url must be http:// or https://, got "${url}"`;
  } catch {
    return `--url is not a valid URL: "${url}"`;
  }
  return undefined;
}

async function resolveSecret(opts: SimulateCommandOptions, env: SimulateCommandIo['env']): Promise<{ secret?: string; source: string }> {
  if (opts.secret !== undefined && opts.secret !== '') return { secret: opts.secret, source: '--secret' };
  const fromEnv = env.ZOOM_WEBHOOK_SECRET_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') return { secret: fromEnv, source: 'ZOOM_WEBHOOK_SECRET_TOKEN' };
  return { secret: await readLocalSecretToken(opts.dataDir), source: `the local token in ${opts.dataDir}` };
}

export async function runSimulateCommand(opts: SimulateCommandOptions, io: SimulateCommandIo): Promise<number> {
  const fail = (message: string): number => {
    io.stderr.write(`simulate: ${message}\n`);
    return 2;
  };
  const url = opts.url ?? opts.defaultUrl;
  const duration = parseDuration(opts.duration);
  if (!duration.ok) return fail(duration.message);
  const problem = optionProblem(opts, url);
  if (problem !== undefined) return fail(problem);

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
  const pace = opts.rate === undefined ? "Zoom's cadence (1 QoS event per participant per minute)" : `${opts.rate} QoS events/s`;
  io.stderr.write(
    `simulate: ${opts.meetings} meeting(s) × ${opts.participants} participant(s) for ${opts.duration} at ${pace} → ${url} (signed with ${resolved.source})\n`,
  );
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
      meetings: opts.meetings,
      participants: opts.participants,
      durationMs: duration.ms,
      ratePerSecond: opts.rate,
      concurrency: opts.concurrency,
      seed: opts.seed,
    },
    { now, onProgress, signal: io.signal },
  );
  if (rewrote) io.stderr.write('\n');
  if (!summary.crcOk) io.stderr.write('simulate: the URL validation (CRC) answer was missing or wrong — is the Secret Token the one the forwarder uses?\n');
  if (summary.networkErrors > 0 && summary.sent === summary.networkErrors) io.stderr.write(`simulate: could not reach ${url} — is the forwarder running?\n`);
  io.stdout.write(formatSummaryTable(summary, url));
  io.stdout.write(`${JSON.stringify({ summary })}\n`);
  const allAccepted = summary.sent > 0 && summary.accepted === summary.sent;
  return summary.crcOk && allAccepted ? 0 : 1;
}
