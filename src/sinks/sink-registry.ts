// Every sink type, listed explicitly: its config schema and its factory. No folder scanning.
// Every sink's write is wrapped in the delivery retry loop (src/delivery/retry-writes.ts): the
// one retry of a whole write (file, stdout) and the guard of a write that throws (a bug); the
// HTTP sinks retry per request inside their write, through the same loop.
import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { RetryPolicy } from '../delivery/retry-with-backoff.ts';
import { retryingWrite } from '../delivery/retry-writes.ts';
import type { SelfMetrics } from '../observability/self-metrics.ts';
import { blackholeSinkConfigSchema, type BlackholeSinkConfig } from './blackhole/blackhole-sink-config.ts';
import { createBlackholeSink } from './blackhole/create-blackhole-sink.ts';
import { checkFileSink, createFileSink } from './file/create-file-sink.ts';
import { fileSinkConfigSchema, type FileSinkConfig } from './file/file-sink-config.ts';
import { errnoReason } from '../files/ensure-private-directory.ts';
import { createDatadogSink } from './datadog/create-datadog-sink.ts';
import { datadogSinkConfigSchema, type DatadogSinkConfig } from './datadog/datadog-sink-config.ts';
import { createOtlpSink } from './otlp/create-otlp-sink.ts';
import { otlpSinkConfigSchema, type OtlpSinkConfig } from './otlp/otlp-sink-config.ts';
import { createPrometheusSink } from './prometheus/create-prometheus-sink.ts';
import { prometheusSinkConfigSchema, type PrometheusSinkConfig } from './prometheus/prometheus-sink-config.ts';
import type { Sink } from './sink.ts';
import { createSplunkHecSink } from './splunk-hec/create-splunk-hec-sink.ts';
import { splunkHecSinkConfigSchema, type SplunkHecSinkConfig } from './splunk-hec/splunk-hec-sink-config.ts';
import { createStdoutSink } from './stdout/create-stdout-sink.ts';
import { stdoutSinkConfigSchema, type StdoutSinkConfig } from './stdout/stdout-sink-config.ts';

export type SinkConfig = FileSinkConfig | StdoutSinkConfig | BlackholeSinkConfig | OtlpSinkConfig | SplunkHecSinkConfig | DatadogSinkConfig | PrometheusSinkConfig;

export interface SinkFactoryDeps {
  stdout: Writable;
  retry: RetryPolicy;
  metrics: SelfMetrics;
  logger: Logger;
}

export const sinkConfigSchemas = [fileSinkConfigSchema, stdoutSinkConfigSchema, blackholeSinkConfigSchema, otlpSinkConfigSchema, splunkHecSinkConfigSchema, datadogSinkConfigSchema, prometheusSinkConfigSchema] as const;

export function createSink(name: string, config: SinkConfig, deps: SinkFactoryDeps): Sink {
  const http = { retry: deps.retry, metrics: deps.metrics, logger: deps.logger.child({ component: 'sink', sink: name }) };
  const sink = createUnguardedSink(name, config, deps.stdout, http);
  return { name: sink.name, type: sink.type, write: retryingWrite(sink.write.bind(sink), { name, ...http }), close: () => sink.close() };
}

function createUnguardedSink(name: string, config: SinkConfig, stdout: Writable, http: Pick<SinkFactoryDeps, 'retry' | 'metrics' | 'logger'>): Sink {
  switch (config.type) {
    case 'file':
      return createFileSink(name, config);
    case 'stdout':
      return createStdoutSink(name, config, stdout);
    case 'blackhole':
      return createBlackholeSink(name, config);
    case 'otlp':
      return createOtlpSink(name, config, http);
    case 'splunk_hec':
      return createSplunkHecSink(name, config, http);
    case 'datadog':
      return createDatadogSink(name, config, http);
    case 'prometheus':
      return createPrometheusSink(name, config, { logger: http.logger });
  }
}

/**
 * What a sink needs before it starts, checked at start-up and before a reload touches anything
 * running: a `file` sink's file must open for appending; an HTTP sink's `tls.ca_file` must be
 * readable (it is read when the sink is created). Each problem names the setting
 * (`sinks.<name>.path: cannot open …`). Nothing else is checked: network backends may come and go,
 * and their delivery retries.
 */
export async function checkSinkStart(name: string, config: SinkConfig): Promise<string[]> {
  if (config.type === 'file') {
    const problem = await checkFileSink(config);
    return problem === undefined ? [] : [`sinks.${name}.path: ${problem}`];
  }
  const caFile = 'tls' in config ? config.tls.ca_file : undefined;
  if (caFile === undefined) return [];
  try {
    await readFile(caFile);
    return [];
  } catch (err) {
    return [`sinks.${name}.tls.ca_file: cannot read ${caFile} (${errnoReason(err)})`];
  }
}
