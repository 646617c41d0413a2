// Schema, type and defaults of a `type: stdout` sink.

export interface StdoutSinkConfig {
  type: 'stdout';
}

export const stdoutSinkConfigSchema = {
  type: 'object',
  description: 'Writes every event as one JSON line to standard output (logs go to standard error).',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { const: 'stdout' },
  },
} as const;
