// Schema, type and defaults of a `type: datadog` sink: metrics to /api/v2/series, or events to
// the Logs intake (/api/v2/logs).
import { httpDeliveryProperties, type HttpDeliveryConfig } from '../../delivery/http-delivery-config.ts';
import { sinkMappingProperties, type SinkMappingConfig } from '../../pipeline/sink-contract.ts';

export const DATADOG_SITES = ['datadoghq.com', 'us3.datadoghq.com', 'us5.datadoghq.com', 'datadoghq.eu', 'ap1.datadoghq.com', 'ap2.datadoghq.com', 'ddog-gov.com'] as const;

export interface DatadogSinkConfig extends SinkMappingConfig, HttpDeliveryConfig {
  type: 'datadog';
  api_key: string;
  site: (typeof DATADOG_SITES)[number];
  url?: string;
  host?: string;
  tags: string[];
  logs: { service: string; ddsource: string };
}

/** Per-participant and per-occurrence ids: each value is a new Datadog series (custom metrics are billed per series). */
export const DATADOG_DEFAULT_DENY = ['zoom.participant.id', 'zoom.meeting.uuid', 'zoom.webinar.uuid', 'zoom.session.id', 'zoom.call.id'] as const;

export const datadogSinkConfigSchema = {
  type: 'object',
  description: 'Datadog. `data: metrics`: gauges to `/api/v2/series` (tags from the kept attributes). `data: events`: each Zoom event as a log to the Logs intake (`/api/v2/logs`). Per-participant ids are kept out of tags by default.',
  additionalProperties: false,
  required: ['type', 'api_key'],
  properties: {
    type: { const: 'datadog' },
    api_key: { type: 'string', minLength: 1, writeOnly: true, description: 'Datadog API key (sent as the `DD-API-KEY` header, never in a URL).' },
    site: { enum: [...DATADOG_SITES], default: 'datadoghq.com', description: 'Your Datadog site: metrics go to `https://api.<site>`, logs to `https://http-intake.logs.<site>`.' },
    url: { type: 'string', pattern: '^(https?://.+)?$', description: 'A base URL that replaces the site for both metrics and logs (a proxy, or a test receiver); empty = use `site`.' },
    host: { type: 'string', description: 'Sent as the series\' `host` resource and the logs\' `hostname`.' },
    tags: { type: 'array', items: { type: 'string', minLength: 1 }, default: [], description: 'Extra `key:value` tags on every series and log (e.g. `env:prod`).' },
    logs: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'With `data: events`: how the logs are labelled.',
      properties: {
        service: { type: 'string', minLength: 1, default: 'qss-forwarder', description: '`service` of every log.' },
        ddsource: { type: 'string', minLength: 1, default: 'zoom', description: '`ddsource` of every log.' },
      },
    },
    ...httpDeliveryProperties({ compression: ['gzip', 'deflate', 'none'], max_items: 5000, max_bytes: 4194304, max_bytes_limit: 5000000 }),
    ...sinkMappingProperties({ data: ['metrics', 'events'], attributes: { deny: DATADOG_DEFAULT_DENY }, max_series_per_metric: 10000, pii: 'drop' }),
  },
} as const;
