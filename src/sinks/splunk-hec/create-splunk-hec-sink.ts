// `splunk_hec` sink: points or events → HEC envelopes, concatenated per request, POSTed with
// `Authorization: Splunk <token>` through the shared HTTP delivery; optional indexer
// acknowledgement (a request is delivered once its ackId reads true).
import { randomUUID } from 'node:crypto';
import { sleep } from '../../retry/backoff.ts';
import type { ChunkVerdict } from '../../delivery/deliver-chunks.ts';
import { createHttpClient, type HttpClient, type HttpOutcome } from '../../delivery/http-client.ts';
import { sendHttpChunks, type HttpSinkContext } from '../../delivery/send-http-chunks.ts';
import type { Sink } from '../sink.ts';
import { ackStatus, classifyHecResponse, parseHecAnswer } from './classify-hec-response.ts';
import { eventsToHecItems, pointsToHecItems, type HecItem } from './sink-batch-to-hec.ts';
import type { SplunkHecSinkConfig } from './splunk-hec-sink-config.ts';

const COLLECTOR_PATH = /\/services\/collector(\/event(\/1\.0)?)?$/;

/** `https://splunk:8088` → `…/services/collector/event`; a URL naming a collector path is kept. */
export function hecEventUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return COLLECTOR_PATH.test(trimmed) ? trimmed : `${trimmed}/services/collector/event`;
}

export function hecAckUrl(url: string): string {
  return `${new URL(url).origin}/services/collector/ack`;
}

/**
 * Polls /services/collector/ack until the ackId is indexed, or the timeout (→ send again). A poll
 * that fails (no answer, 5xx) or whose 200 body cannot be read (not `{"acks":{…}}`) tells nothing:
 * the ackId stays valid on the channel, so polling goes on — sending again at once would only add
 * duplicates of a request that may be indexed. At the timeout the reason says which it was.
 */
async function waitForAck(client: HttpClient, config: SplunkHecSinkConfig, headers: Record<string, string>, outcome: HttpOutcome & { ok: true }, signal: AbortSignal): Promise<ChunkVerdict> {
  const ackId = parseHecAnswer(outcome.body).ackId;
  if (typeof ackId !== 'number') return { kind: 'retryable', reason: 'ack_missing' };
  const deadline = Date.now() + config.indexer_ack.timeout_ms;
  const body = JSON.stringify({ acks: [ackId] });
  let lastUnreadable = false;
  while (Date.now() < deadline && !signal.aborted) {
    await sleep(config.indexer_ack.poll_interval_ms, signal);
    const polled = await client.send({ method: 'POST', url: hecAckUrl(config.url), headers: { ...headers, 'content-type': 'application/json' }, body, timeoutMs: config.timeout_ms, signal });
    if (!polled.ok || polled.status >= 500) continue;
    if (polled.status !== 200) return { kind: 'permanent', reason: `ack_http_${polled.status}_code_${parseHecAnswer(polled.body).code ?? ''}` };
    const status = ackStatus(polled.body, ackId);
    if (status === 'indexed') return { kind: 'success' };
    lastUnreadable = status === 'unreadable';
  }
  return { kind: 'retryable', reason: lastUnreadable ? 'ack_unreadable' : 'ack_timeout' };
}

export function createSplunkHecSink(name: string, config: SplunkHecSinkConfig, ctx: Omit<HttpSinkContext, 'name' | 'client' | 'delivery'>): Sink {
  const client = createHttpClient({ tls: config.tls, connections: config.max_concurrency + 1 });
  const url = hecEventUrl(config.url);
  const auth: Record<string, string> = { authorization: `Splunk ${config.token}` };
  // One channel per sink instance (a GUID), required by indexer acknowledgement.
  if (config.indexer_ack.enabled) auth['x-splunk-request-channel'] = randomUUID();
  const headers = { ...auth, 'content-type': 'application/json' };
  const meta = { index: config.index, host: config.host, source: config.source, sourcetype: config.sourcetype };
  const http: HttpSinkContext = { ...ctx, name, client, delivery: config };
  return {
    name,
    type: 'splunk_hec',
    write(batch, signals) {
      const items: HecItem[] = config.data === 'metrics' ? pointsToHecItems(batch.points, batch.pointRecords, meta) : eventsToHecItems(batch.events, meta);
      return sendHttpChunks(
        http,
        {
          items,
          recordOf: (item) => item.record,
          sizeOf: (item) => item.json.length,
          encode: (chunk) => Buffer.from(chunk.map((i) => i.json).join('\n')),
          url,
          headers,
          classify: (outcome) => classifyHecResponse(outcome, Date.now()),
          ...(config.indexer_ack.enabled ? { confirm: (outcome, signal) => waitForAck(client, config, auth, outcome, signal) } : {}),
        },
        signals,
      );
    },
    close: () => client.close(),
  };
}
