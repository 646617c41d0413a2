// `blackhole` sink: every batch succeeds at once and is dropped.
import { SUCCESS } from '../../delivery/delivery-result.ts';
import type { Sink, SinkResult } from '../sink.ts';
import type { BlackholeSinkConfig } from './blackhole-sink-config.ts';

export function createBlackholeSink(name: string, _config: BlackholeSinkConfig): Sink {
  return {
    name,
    type: 'blackhole',
    write: (): Promise<SinkResult> => Promise.resolve(SUCCESS),
    async close() {},
  };
}
