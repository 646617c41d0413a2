// `stdout` sink: JSON Lines on standard output, honouring the stream's backpressure.
import type { Writable } from 'node:stream';
import { retryable, SUCCESS } from '../../delivery/delivery-result.ts';
import { sinkBatchToJsonLines } from '../sink-batch-to-json-lines.ts';
import type { Sink, SinkResult } from '../sink.ts';
import type { StdoutSinkConfig } from './stdout-sink-config.ts';

export function createStdoutSink(name: string, _config: StdoutSinkConfig, out: Writable): Sink {
  return {
    name,
    type: 'stdout',
    write(batch): Promise<SinkResult> {
      return new Promise((resolve) => {
        out.write(sinkBatchToJsonLines(batch), (err) => resolve(err ? retryable('stdout_write_error') : SUCCESS));
      });
    },
    async close() {},
  };
}
