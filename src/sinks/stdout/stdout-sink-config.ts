// Schema, type and defaults of a `type: stdout` sink.
import { LOCAL_SINK_DEFAULTS, sinkMappingProperties, type SinkMappingConfig } from '../../pipeline/sink-contract.ts';

export interface StdoutSinkConfig extends SinkMappingConfig {
  type: 'stdout';
}

export const stdoutSinkConfigSchema = {
  type: 'object',
  description: 'Writes one JSON line per event or metric point to standard output (logs go to standard error).',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { const: 'stdout' },
    ...sinkMappingProperties(LOCAL_SINK_DEFAULTS),
  },
} as const;
