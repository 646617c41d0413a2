// The `qss-forwarder` command line: the only module that reads argv and process.env and exits.
// Subcommands are imported when run, so `--help` and `validate` do not load the server stack.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseForwarderConfig } from '../config/load-config.ts';

const DEFAULT_CONFIG = 'config/forwarder.yaml';
const DEFAULT_SINKS = 'config/sinks.yaml';
const io = { stdout: process.stdout, stderr: process.stderr };
// `qss-forwarder explain … | head`: the reader went away; stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const env = process.env;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0');
  return n;
}

function exit(code: number): void {
  process.exitCode = code;
  // Let stdout/stderr drain, then leave even if a handle (timer, socket) is still open.
  setTimeout(() => process.exit(code), 50).unref();
}

/** Where `simulate` sends by default: this machine's webhook port and data_dir, from the config. */
function localTarget(configPath: string): { url: string; dataDir: string } {
  let port = 8080;
  let dataDir = './data';
  try {
    const parsed = parseForwarderConfig(configPath, readFileSync(configPath, 'utf8'), env);
    if (parsed.ok) {
      port = parsed.value.server.port;
      dataDir = parsed.value.data_dir;
      const scheme = parsed.value.server.tls ? 'https' : 'http';
      return { url: `${scheme}://127.0.0.1:${port}/webhooks/zoom`, dataDir };
    }
  } catch {
    // no readable config: fall back to the defaults
  }
  return { url: `http://127.0.0.1:${port}/webhooks/zoom`, dataDir };
}

const program = new Command('qss-forwarder')
  .description('Receives Zoom QSS webhooks, stores them durably and forwards them to your observability stack.')
  .showHelpAfterError();

const withConfig = (cmd: Command): Command =>
  cmd
    .option('-c, --config <file>', 'forwarder config (server, Zoom apps, bus, worker)', DEFAULT_CONFIG)
    .option('-s, --sinks <file>', 'sinks config (where events go)', DEFAULT_SINKS);

const ROLES = {
  serve: 'Run the webhook ingress and the sink workers in one process (embedded bus by default, or Kafka).',
  ingress: 'Run only the webhook ingress: verify, publish to the bus, answer Zoom (stateless with Kafka: scale it out).',
  worker: 'Run only the sink workers: consume the bus (one consumer group per sink with Kafka), deliver, commit.',
} as const;
for (const [role, description] of Object.entries(ROLES) as [keyof typeof ROLES, string][]) {
  withConfig(program.command(role))
    .description(description)
    .action(async (opts: { config: string; sinks: string }) => {
      const { runForwarder } = await import('./run-forwarder.ts');
      exit(await runForwarder(role, opts, io, env));
    });
}

withConfig(program.command('validate'))
  .description('Check both config files; print every problem with file:line:column. Exit 1 if any.')
  .action(async (opts: { config: string; sinks: string }) => {
    const { runValidate } = await import('./run-validate.ts');
    exit(await runValidate(opts, io, env));
  });

withConfig(program.command('explain'))
  .description('Show what each sink would receive for Zoom bodies: normalized samples, routing, the exact events or metric points. Deterministic; connects nowhere.')
  .requiredOption('-e, --event <file...>', 'a Zoom webhook body (JSON), a JSON array of bodies, or JSON Lines (bodies, or the file sink\'s lines)')
  .option('--app <name>', 'Zoom app the events are taken to come from (for routes matching apps)', 'default')
  .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
  .action(async (opts: { config: string; sinks: string; event: string[]; app: string; format: 'text' | 'json' }) => {
    const { runExplain } = await import('./run-explain.ts');
    exit(await runExplain(opts, io, env));
  });

withConfig(program.command('replay'))
  .description('Put dead-lettered events back on the bus for the sink that refused them (the other sinks are not sent them again), or what Kafka refused back into the ingress spool.')
  .option('--from-dlq', 'replay from the dead-letter store (Kafka: the dead-letter topic; embedded: its dead_letters table)', false)
  .option('--from-spool', 'Kafka bus: what Kafka refused from this ingress\'s spool (set aside in its dead_letters table), back into the spool to be sent again', false)
  .option('--sink <name>', 'only what this sink dead-lettered')
  .option('--since <time>', 'only what was dead-lettered at or after this time (ISO 8601)')
  .action(async (opts: { config: string; sinks: string; fromDlq: boolean; fromSpool: boolean; sink?: string; since?: string }) => {
    const { runReplay } = await import('./run-replay.ts');
    exit(await runReplay(opts, io, env));
  });

program
  .command('simulate')
  .description(
    'Send realistic signed QSS webhooks (CRC first, participant data, per-minute QoS, summaries) for meetings, webinars, Video SDK sessions and phone calls, ' +
      'with Zoom\'s retries, optional degraded participants, duplicates and out-of-order delivery. See docs/simulate.md.',
  )
  .option('-c, --config <file>', 'forwarder config to take the local URL and secret from', DEFAULT_CONFIG)
  .option('--url <url>', 'webhook URL (default: this machine\'s forwarder from --config)')
  .option('--secret <token>', 'Zoom Secret Token to sign with (default: ZOOM_WEBHOOK_SECRET_TOKEN, else the local generated token)')
  .option('--meetings <n>', 'concurrent meetings (default: 2, or 0 when --webinars, --sessions or --calls is given)')
  .option('--webinars <n>', 'concurrent webinars (default: 0)')
  .option('--sessions <n>', 'concurrent Video SDK sessions (default: 0)')
  .option('--calls <n>', 'concurrent Zoom Phone calls, two legs each (default: 0)')
  .option('--participants <n>', 'participants per meeting, webinar and session', positiveInt, 5)
  .option('--duration <time>', 'how long to send QoS, e.g. 30s, 5m (data events come before, summaries after)', '60s')
  .option('--rate <events/s>', 'send all events at this total rate instead of Zoom\'s cadence (one QoS per participant per minute)', positiveNumber)
  .option('--concurrency <n>', 'requests in flight at most', positiveInt, 32)
  .option('--seed <n>', 'random seed (same seed, same traffic)', positiveInt, 1)
  .option('--degraded <share>', 'share of participants on a bad network (loss bursts, high jitter, low bitrate), e.g. 0.1 (default: 0)')
  .option('--duplicates <share>', 'share of events delivered twice, identical bodies and x-zm-request-id, e.g. 0.01 (default: 0)')
  .option('--reorder <share>', 'share of events held back and delivered after later ones, e.g. 0.01 (default: 0)')
  .option('--retries <n>', 'retries like Zoom\'s after an answer ≥ 500 or a failed delivery, 0–3 (default: 0, or 3 with --retry-time-scale)')
  .option('--retry-time-scale <factor>', 'multiply Zoom\'s retry delays (+5, +25, +85 min), e.g. 0.001 → 0.3 s, 1.5 s, 5.1 s (default: 1)')
  .option('--timeout <time>', 'a delivery with no answer after this long has failed, like an answer ≥ 500 (default: 3s, Zoom\'s limit)')
  .option('--result <file>', 'write a JSON result: counts by status, retries, latency percentiles, acknowledged event identities')
  .action(async (opts: {
    config: string; url?: string; secret?: string; meetings?: string; webinars?: string; sessions?: string; calls?: string; participants: number;
    duration: string; rate?: number; concurrency: number; seed: number; degraded?: string; duplicates?: string; reorder?: string;
    retries?: string; retryTimeScale?: string; timeout?: string; result?: string;
  }) => {
    const { runSimulateCommand } = await import('../simulate/run-simulate-command.ts');
    const target = localTarget(opts.config);
    const interrupted = new AbortController(); // Ctrl-C: stop sending, still print the summary
    process.once('SIGINT', () => interrupted.abort());
    const code = await runSimulateCommand(
      { ...opts, dataDir: target.dataDir, defaultUrl: target.url },
      { stdout: process.stdout, stderr: process.stderr, env, signal: interrupted.signal },
    );
    exit(code);
  });

await program.parseAsync(process.argv);
