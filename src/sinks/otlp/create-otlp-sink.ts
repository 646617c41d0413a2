// `otlp` sink: metric points → OTLP/JSON (the official serializer, @opentelemetry/otlp-transformer)
// → POST <endpoint>/v1/metrics, through the shared HTTP delivery (src/delivery).
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { createHttpClient } from '../../delivery/http-client.ts';
import { parseHttpHeaders } from '../../delivery/parse-http-headers.ts';
import { sendHttpChunks, type HttpSinkContext } from '../../delivery/send-http-chunks.ts';
import type { MetricPoint } from '../../pipeline/sink-contract.ts';
import type { Sink } from '../sink.ts';
import { classifyOtlpResponse } from './classify-otlp-response.ts';
import type { OtlpSinkConfig } from './otlp-sink-config.ts';
import { pointsToResourceMetrics } from './points-to-resource-metrics.ts';

/** `http://c:4318` → `http://c:4318/v1/metrics`; a URL already ending in /v1/metrics is kept. */
export function otlpMetricsUrl(endpoint: string): string {
  const trimmed = endpoint.replace(/\/+$/, '');
  return trimmed.endsWith('/v1/metrics') ? trimmed : `${trimmed}/v1/metrics`;
}

/**
 * `k=v,k2=v2` (OTEL_EXPORTER_OTLP_HEADERS form, values URL-decoded) or a mapping → headers.
 * validate refuses malformed headers (src/config/check-sinks-config.ts), so one here is a bug.
 */
export function otlpHeaders(headers: OtlpSinkConfig['headers']): Record<string, string> {
  const parsed = parseHttpHeaders(headers);
  if (!parsed.ok) throw new Error(`otlp headers were not validated: ${parsed.problems.join('; ')}`);
  return parsed.headers;
}

/** Rough JSON size of one point, for request sizing (a 413 splits further). */
function pointSize(p: MetricPoint): number {
  let n = 160;
  for (const k in p.attributes) n += k.length + (p.attributes[k]?.length ?? 0) + 40;
  return n;
}

export function createOtlpSink(name: string, config: OtlpSinkConfig, ctx: Omit<HttpSinkContext, 'name' | 'client' | 'delivery'>): Sink {
  const client = createHttpClient({ tls: config.tls, connections: config.max_concurrency });
  const resource = resourceFromAttributes({ 'service.name': 'qss-forwarder', ...config.resource_attributes });
  const url = otlpMetricsUrl(config.endpoint);
  const headers = { ...otlpHeaders(config.headers), 'content-type': 'application/json' };
  const http: HttpSinkContext = { ...ctx, name, client, delivery: config };
  return {
    name,
    type: 'otlp',
    write(batch, signals) {
      const items = batch.points.map((point, i) => ({ point, record: batch.pointRecords[i]! }));
      return sendHttpChunks(
        http,
        {
          items,
          recordOf: (item) => item.record,
          sizeOf: (item) => pointSize(item.point),
          encode: (chunk) => Buffer.from(JsonMetricsSerializer.serializeRequest(pointsToResourceMetrics(chunk.map((c) => c.point), resource)) ?? new Uint8Array()),
          url,
          headers,
          classify: (outcome) => classifyOtlpResponse(outcome, Date.now()),
        },
        signals,
      );
    },
    close: () => client.close(),
  };
}
