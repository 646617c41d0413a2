// `datadog` sink: points → /api/v2/series (gauges), or events → /api/v2/logs, with `DD-API-KEY`,
// through the shared HTTP delivery. A small undici client rather than @datadog/datadog-api-client:
// the official client neither batches, splits nor retries network errors (sink-protocols.md §2.5),
// which is exactly what the shared delivery does for every sink.
import { createHttpClient } from '../../delivery/http-client.ts';
import { sendHttpChunks, type HttpSinkContext } from '../../delivery/send-http-chunks.ts';
import type { Sink, SinkResult } from '../sink.ts';
import { classifyDatadogResponse } from './classify-datadog-response.ts';
import type { DatadogSinkConfig } from './datadog-sink-config.ts';
import {
  DATADOG_MAX_COMPRESSED_BYTES,
  DATADOG_MAX_LOG_ITEMS,
  datadogSeriesBody,
  eventsToDatadogLogs,
  inDatadogWindow,
  tagger,
  type DatadogPointItem,
} from './sink-batch-to-datadog.ts';

export function datadogUrls(config: Pick<DatadogSinkConfig, 'site' | 'url'>): { series: string; logs: string } {
  if (config.url !== undefined && config.url !== '') {
    const base = config.url.replace(/\/+$/, '');
    return { series: `${base}/api/v2/series`, logs: `${base}/api/v2/logs` };
  }
  return { series: `https://api.${config.site}/api/v2/series`, logs: `https://http-intake.logs.${config.site}/api/v2/logs` };
}

export function createDatadogSink(name: string, config: DatadogSinkConfig, ctx: Omit<HttpSinkContext, 'name' | 'client' | 'delivery'>): Sink {
  const client = createHttpClient({ tls: config.tls, connections: config.max_concurrency });
  const urls = datadogUrls(config);
  const headers = { 'dd-api-key': config.api_key, 'content-type': 'application/json' };
  const tagsOf = tagger(config.tags);
  const http: HttpSinkContext = { ...ctx, name, client, delivery: config };
  const classify = (outcome: Parameters<typeof classifyDatadogResponse>[0]) => classifyDatadogResponse(outcome, Date.now());

  const writeMetrics: Sink['write'] = (batch, signals) => {
    const now = Date.now();
    const items: DatadogPointItem[] = [];
    const dropped = { too_old: 0, too_far_ahead: 0 };
    batch.points.forEach((point, i) => {
      const window = inDatadogWindow(point.time_ms, now);
      if (window !== 'ok') dropped[window]++;
      else items.push({ point, record: batch.pointRecords[i]!, tags: tagsOf(point.attributes) });
    });
    for (const [reason, n] of Object.entries(dropped)) if (n > 0) ctx.metrics.sinkPointsDropped.inc({ sink: name, reason }, n);
    return sendHttpChunks(
      http,
      {
        items,
        recordOf: (item) => item.record,
        sizeOf: (item) => 60 + item.point.name.length + item.tags.length,
        encode: (chunk) => datadogSeriesBody(chunk, config.host),
        url: urls.series,
        headers,
        classify,
        maxCompressedBytes: DATADOG_MAX_COMPRESSED_BYTES,
      },
      signals,
    );
  };

  const writeLogs: Sink['write'] = (batch, signals) => {
    const items = eventsToDatadogLogs(batch.events, { ...config.logs, host: config.host, tags: config.tags });
    return sendHttpChunks(
      { ...http, delivery: { ...config, batch: { ...config.batch, max_items: Math.min(config.batch.max_items, DATADOG_MAX_LOG_ITEMS) } } },
      {
        items,
        recordOf: (item) => item.record,
        sizeOf: (item) => item.json.length + 1,
        encode: (chunk) => Buffer.from(`[${chunk.map((i) => i.json).join(',')}]`),
        url: urls.logs,
        headers,
        classify,
      },
      signals,
    );
  };

  return {
    name,
    type: 'datadog',
    write: (batch, signals): Promise<SinkResult> => (config.data === 'metrics' ? writeMetrics(batch, signals) : writeLogs(batch, signals)),
    close: () => client.close(),
  };
}
