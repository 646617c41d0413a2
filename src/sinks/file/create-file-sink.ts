// `file` sink: JSON Lines appended to a local file. The client is the file handle itself.
import type { FileHandle } from 'node:fs/promises';
import { retryable, SUCCESS } from '../../delivery/delivery-result.ts';
import { sinkBatchToJsonLines } from '../sink-batch-to-json-lines.ts';
import type { Sink, SinkResult } from '../sink.ts';
import type { FileSinkConfig } from './file-sink-config.ts';
import { openForAppend } from './open-for-append.ts';

/**
 * Whether the sink's file can be opened for appending (it and its folders are created if
 * missing): checked before the sink starts, at start-up and on a reload. The problem, if any,
 * names the path and the reason.
 */
export async function checkFileSink(config: FileSinkConfig): Promise<string | undefined> {
  const opened = await openForAppend(config.path);
  if (!opened.ok) return opened.message;
  await opened.handle.close();
  return undefined;
}

export function createFileSink(name: string, config: FileSinkConfig): Sink {
  let handle: FileHandle | undefined;
  return {
    name,
    type: 'file',
    async write(batch): Promise<SinkResult> {
      if (handle === undefined) {
        const opened = await openForAppend(config.path);
        if (!opened.ok) return retryable(`file_${opened.code}`);
        handle = opened.handle;
      }
      try {
        await handle.write(sinkBatchToJsonLines(batch));
        if (config.fsync) await handle.datasync();
        return SUCCESS;
      } catch (err) {
        const h = handle;
        handle = undefined;
        await h.close().catch(() => undefined);
        return retryable(`file_${(err as NodeJS.ErrnoException).code ?? 'error'}`);
      }
    },
    async close() {
      await handle?.close();
      handle = undefined;
    },
  };
}
