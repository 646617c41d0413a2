// Schema, type and defaults of a `type: file` sink.

export interface FileSinkConfig {
  type: 'file';
  path: string;
  fsync: boolean;
}

export const fileSinkConfigSchema = {
  type: 'object',
  description: 'Appends every event as one JSON line (metadata + the verbatim Zoom body) to a local file.',
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
  },
} as const;
