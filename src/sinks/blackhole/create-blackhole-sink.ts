// `blackhole` sink: every batch succeeds at once and is dropped.
import { SUCCESS, type DeliveryResult } from '../../delivery/delivery-result.ts';
import type { Sink } from '../sink.ts';
import type { BlackholeSinkConfig } from './blackhole-sink-config.ts';

export function createBlackholeSink(name: string, _config: BlackholeSinkConfig): Sink {
  return {
    name,
    type: 'blackhole',
    write: (): Promise<DeliveryResult> => Promise.resolve(SUCCESS),
    async close() {},
  };
}
