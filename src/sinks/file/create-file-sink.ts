// `file` sink: JSON Lines appended to a local file. The client is the file handle itself.
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { retryable, SUCCESS, type DeliveryResult } from '../../delivery/delivery-result.ts';
import { sinkBatchToJsonLines } from '../sink-batch-to-json-lines.ts';
import type { Sink } from '../sink.ts';
import type { FileSinkConfig } from './file-sink-config.ts';

async function openForAppend(path: string): Promise<FileHandle> {
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(path, 'a+');
  const { size } = await handle.stat();
  if (size > 0) {
    // A crash in the middle of a write can leave a partial last line: start on a fresh line.
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] !== 0x0a) await handle.write('\n');
  }
  return handle;
}

export function createFileSink(name: string, config: FileSinkConfig): Sink {
  let handle: FileHandle | undefined;
  return {
    name,
    type: 'file',
    async write(batch): Promise<DeliveryResult> {
      try {
        handle ??= await openForAppend(config.path);
        await handle.write(sinkBatchToJsonLines(batch));
        if (config.fsync) await handle.datasync();
        return SUCCESS;
      } catch (err) {
        const h = handle;
        handle = undefined;
        await h?.close().catch(() => undefined);
        return retryable(`file_${(err as NodeJS.ErrnoException).code ?? 'error'}`);
      }
    },
    async close() {
      await handle?.close();
      handle = undefined;
    },
  };
}
