// Schema, type and defaults of a `type: file` sink.
import { LOCAL_SINK_DEFAULTS, sinkMappingProperties, type SinkMappingConfig } from '../../pipeline/sink-contract.ts';

export interface FileSinkConfig extends SinkMappingConfig {
  type: 'file';
  path: string;
  fsync: boolean;
}

export const fileSinkConfigSchema = {
  type: 'object',
  description: 'Appends one JSON line per event (metadata + the Zoom body, verbatim unless a PII policy changed it) or per metric point (`data: metrics`) to a local file.',
  additionalProperties: false,
  required: ['type', 'path'],
  properties: {
    type: { const: 'file' },
    path: { type: 'string', minLength: 1, description: 'File to append to, relative to the working directory. Its folder is created if missing.' },
    fsync: {
      type: 'boolean',
      default: true,
      description: 'fdatasync after each batch, before the bus position is committed (nothing is lost on a crash or power cut).',
    },
    ...sinkMappingProperties(LOCAL_SINK_DEFAULTS),
  },
} as const;
