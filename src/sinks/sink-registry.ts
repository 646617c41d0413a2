// Every sink type, listed explicitly: its config schema and its factory. No folder scanning.
import type { Writable } from 'node:stream';
import { blackholeSinkConfigSchema, type BlackholeSinkConfig } from './blackhole/blackhole-sink-config.ts';
import { createBlackholeSink } from './blackhole/create-blackhole-sink.ts';
import { createFileSink } from './file/create-file-sink.ts';
import { fileSinkConfigSchema, type FileSinkConfig } from './file/file-sink-config.ts';
import type { Sink } from './sink.ts';
import { createStdoutSink } from './stdout/create-stdout-sink.ts';
import { stdoutSinkConfigSchema, type StdoutSinkConfig } from './stdout/stdout-sink-config.ts';

export type SinkConfig = FileSinkConfig | StdoutSinkConfig | BlackholeSinkConfig;

export interface SinkFactoryDeps {
  stdout: Writable;
}

export const sinkConfigSchemas = [fileSinkConfigSchema, stdoutSinkConfigSchema, blackholeSinkConfigSchema] as const;

export function createSink(name: string, config: SinkConfig, deps: SinkFactoryDeps): Sink {
  switch (config.type) {
    case 'file':
      return createFileSink(name, config);
    case 'stdout':
      return createStdoutSink(name, config, deps.stdout);
    case 'blackhole':
      return createBlackholeSink(name, config);
  }
}
