// The real OpenTelemetry Collector as the receiving end of the sink tests (built by
// test/support/peers/build-peers.sh from test/support/peers/go): its OTLP/HTTP, Splunk HEC and
// Datadog receivers listen on free ports, its Prometheus receiver scrapes the given targets, and
// each receiver's pipeline ends in a file exporter writing OTLP JSON that the tests read back.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerFolder } from './peers.ts';
import { freePort } from './start-forwarder.ts';

export type CollectorPipeline = 'otlp' | 'hec_metrics' | 'hec_logs' | 'datadog' | 'prometheus';

export interface Collector {
  /** http://127.0.0.1:<port> of the OTLP/HTTP receiver (the otlp sink appends /v1/metrics). */
  otlpUrl: string;
  /** http://127.0.0.1:<port> of the Splunk HEC receiver (any token is accepted). */
  hecUrl: string;
  /** http://127.0.0.1:<port> of the Datadog receiver (the datadog sink's `url`). */
  datadogUrl: string;
  /** Every OTLP JSON line the file exporter of `pipeline` wrote so far, parsed. */
  read(pipeline: CollectorPipeline): OtlpJson[];
  logs(): string;
  stop(): Promise<void>;
}

/** The file exporter's OTLP JSON (protobuf JSON mapping), the parts the tests read. */
export interface OtlpJson {
  resourceMetrics?: { resource?: { attributes?: KeyValue[] }; scopeMetrics?: { metrics?: OtlpMetric[] }[] }[];
  resourceLogs?: { resource?: { attributes?: KeyValue[] }; scopeLogs?: { logRecords?: { timeUnixNano?: string; body?: AnyValue; attributes?: KeyValue[] }[] }[] }[];
}
export interface KeyValue {
  key: string;
  value: AnyValue;
}
export interface AnyValue {
  stringValue?: string;
  intValue?: string;
  doubleValue?: number;
  boolValue?: boolean;
  kvlistValue?: { values?: KeyValue[] };
  arrayValue?: { values?: AnyValue[] };
}

/** An OTLP JSON AnyValue as the JSON value it holds (maps, arrays, numbers, strings, booleans). */
export function anyValueToJson(v: AnyValue | undefined): unknown {
  if (v === undefined) return null;
  if (v.kvlistValue) return Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, anyValueToJson(kv.value)]));
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyValueToJson);
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  return v.stringValue ?? null;
}
export interface OtlpPoint {
  timeUnixNano?: string;
  asDouble?: number;
  asInt?: string;
  attributes?: KeyValue[];
}
export interface OtlpMetric {
  name: string;
  unit?: string;
  gauge?: { dataPoints?: OtlpPoint[] };
  sum?: { dataPoints?: OtlpPoint[] };
}

/** Starts the Collector; `scrape` lists host:port targets its Prometheus receiver scrapes every second. */
export async function startCollector(options: { scrape?: string[] } = {}): Promise<Collector> {
  const binary = join(peerFolder('otelcol'), 'otelcol');
  const dir = mkdtempSync(join(tmpdir(), 'qss-otelcol-'));
  const [otlp, hec, dd] = [await freePort(), await freePort(), await freePort()];
  const out = (p: CollectorPipeline): string => join(dir, `${p}.jsonl`);
  const file = (p: CollectorPipeline): string => `  file/${p}:\n    path: ${out(p)}\n    flush_interval: 100ms\n`;
  const scrape = options.scrape ?? [];
  const config = `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlp}
  splunk_hec:
    endpoint: 127.0.0.1:${hec}
  datadog:
    endpoint: 127.0.0.1:${dd}
${
  scrape.length > 0
    ? `  prometheus:
    config:
      scrape_configs:
        - job_name: zoom
          scrape_interval: 1s
          static_configs:
            - targets: [${scrape.map((t) => `'${t}'`).join(', ')}]
`
    : ''
}exporters:
${file('otlp')}${file('hec_metrics')}${file('hec_logs')}${file('datadog')}${file('prometheus')}service:
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics/otlp: { receivers: [otlp], exporters: [file/otlp] }
    metrics/hec: { receivers: [splunk_hec], exporters: [file/hec_metrics] }
    logs/hec: { receivers: [splunk_hec], exporters: [file/hec_logs] }
    metrics/datadog: { receivers: [datadog], exporters: [file/datadog] }
${scrape.length > 0 ? '    metrics/prometheus: { receivers: [prometheus], exporters: [file/prometheus] }\n' : ''}`;
  writeFileSync(join(dir, 'config.yaml'), config);
  let log = '';
  const child: ChildProcess = spawn(binary, ['--config', join(dir, 'config.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-65536)));
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-65536)));
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  const onExit = (): void => void child.kill('SIGKILL');
  process.once('exit', onExit);

  // Ready when every receiver accepts connections (the Collector logs "Everything is ready").
  const deadline = Date.now() + 60_000;
  while (!log.includes('Everything is ready')) {
    if (child.exitCode !== null) throw new Error(`the Collector exited (${child.exitCode}) at start:\n${log}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the Collector was not ready within 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    otlpUrl: `http://127.0.0.1:${otlp}`,
    hecUrl: `http://127.0.0.1:${hec}`,
    datadogUrl: `http://127.0.0.1:${dd}`,
    read: (p) => {
      if (!existsSync(out(p))) return [];
      return readFileSync(out(p), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as OtlpJson);
    },
    logs: () => log,
    stop: async () => {
      process.removeListener('exit', onExit);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Flattens the metrics of OTLP JSON lines into points: name, unit, value, time (ms), attributes. */
export function otlpJsonPoints(lines: readonly OtlpJson[]): { metric: string; unit: string; value: number; timeMs: number; attributes: Record<string, string>; resource: Record<string, string> }[] {
  const attrs = (kvs: KeyValue[] | undefined): Record<string, string> =>
    Object.fromEntries((kvs ?? []).map((kv) => [kv.key, kv.value.stringValue ?? kv.value.intValue ?? String(kv.value.doubleValue ?? kv.value.boolValue ?? '')]));
  return lines.flatMap((line) =>
    (line.resourceMetrics ?? []).flatMap((rm) =>
      (rm.scopeMetrics ?? []).flatMap((sm) =>
        (sm.metrics ?? []).flatMap((m) =>
          [...(m.gauge?.dataPoints ?? []), ...(m.sum?.dataPoints ?? [])].map((p) => ({
            metric: m.name,
            unit: m.unit ?? '',
            value: p.asDouble ?? Number(p.asInt ?? NaN),
            // To the nearest millisecond: a receiver that takes seconds as a float (Splunk HEC's
            // "time": 1796305321.577) lands a few hundred nanoseconds off.
            timeMs: Math.round(Number(BigInt(p.timeUnixNano ?? '0') / 1000n) / 1000),
            attributes: attrs(p.attributes),
            resource: attrs(rm.resource?.attributes),
          })),
        ),
      ),
    ),
  );
}
