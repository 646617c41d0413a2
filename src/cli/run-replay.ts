// `qss-forwarder replay --from-dlq [--sink NAME] [--since TIME]`: dead letters back onto the bus,
// for the sink that refused them, on whichever bus the config selects.
import type { Env } from '../config/load-config.ts';
import { replayEmbeddedDeadLetters } from '../bus/embedded/replay-embedded-dead-letters.ts';
import type { ReplayResult } from '../bus/replay-filter.ts';
import { replayKafkaDeadLetters } from '../bus/kafka/replay-kafka-dead-letters.ts';
import { createLogger } from '../observability/create-logger.ts';
import { loadConfigOrReport, type CliIo } from './load-config-or-report.ts';

export interface ReplayOptions {
  config: string;
  sinks: string;
  fromDlq: boolean;
  fromSpool?: boolean;
  sink?: string;
  since?: string;
}

export async function runReplay(options: ReplayOptions, io: CliIo, env: Env): Promise<number> {
  if (options.fromDlq === (options.fromSpool === true)) {
    io.stderr.write('replay: say what to replay, one of: --from-dlq (what sinks dead-lettered) or --from-spool (what Kafka refused from this ingress\'s spool)\n');
    return 2;
  }
  if (options.fromSpool === true && options.sink !== undefined) {
    io.stderr.write('replay: --sink is for --from-dlq; --from-spool replays to Kafka, for every sink\n');
    return 2;
  }
  const sinceMs = options.since === undefined ? undefined : Date.parse(options.since);
  if (sinceMs !== undefined && Number.isNaN(sinceMs)) {
    io.stderr.write(`replay: --since ${JSON.stringify(options.since)} is not a date/time (e.g. 2026-11-27T10:00:00Z)\n`);
    return 2;
  }
  const loaded = await loadConfigOrReport(options, io, env);
  if (loaded === undefined) return 1;
  const { forwarder, sinks } = loaded;
  if (options.sink !== undefined && !(options.sink in sinks.sinks)) {
    io.stderr.write(`replay: no sink ${JSON.stringify(options.sink)} in ${options.sinks} (sinks: ${Object.keys(sinks.sinks).join(', ')})\n`);
    return 2;
  }
  const logger = createLogger({ level: forwarder.observability.log_level, format: forwarder.observability.log_format });
  const filter = { sink: options.sink, sinceMs };
  if (options.fromSpool === true) {
    if (forwarder.bus.type !== 'kafka') {
      io.stderr.write('replay: --from-spool is for the Kafka bus (the ingress spool, bus.kafka.spool.path); the embedded bus has no spool: use --from-dlq\n');
      return 2;
    }
    const path = forwarder.bus.kafka.spool.path;
    let spooled: ReplayResult;
    try {
      spooled = replayEmbeddedDeadLetters(path, filter, 'all');
    } catch (err) {
      io.stderr.write(`replay failed: ${path} (bus.kafka.spool.path): ${(err as Error).message}\n`);
      return 1;
    }
    io.stdout.write(
      `replayed ${spooled.replayed} of ${spooled.scanned} dead letters of the spool ${path}; skipped ${spooled.skipped.filtered} by filter. ` +
        'An ingress running on this spool sends them to Kafka now; otherwise the next one started does.\n',
    );
    return 0;
  }
  let result: ReplayResult;
  try {
    result =
      forwarder.bus.type === 'kafka'
        ? await replayKafkaDeadLetters(forwarder.bus.kafka, filter, logger)
        : replayEmbeddedDeadLetters(forwarder.bus.embedded.path, filter);
  } catch (err) {
    io.stderr.write(`replay failed: ${(err as Error).message}\n`);
    return 1;
  }
  io.stdout.write(
    `replayed ${result.replayed} of ${result.scanned} dead letters (${forwarder.bus.type} bus); skipped ${result.skipped.filtered} by filter, ${result.skipped.undecodable} undecodable\n`,
  );
  logger.flush();
  return 0;
}
