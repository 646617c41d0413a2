// Opens a file sink's file for appending. A new file is created owner-only (0600) and missing
// parent folders owner-only (0700): the lines hold e-mail addresses, IP and MAC addresses by
// default. An existing file keeps its mode. Folders: src/files/ensure-private-directory.ts.
// Failures come back as values with the path and the reason, never as exceptions.
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ensurePrivateDirectory, errnoReason } from '../../files/ensure-private-directory.ts';

export const FILE_MODE = 0o600;

export type OpenForAppendResult = { ok: true; handle: FileHandle } | { ok: false; code: string; message: string };

export async function openForAppend(path: string): Promise<OpenForAppendResult> {
  const folder = ensurePrivateDirectory(dirname(path));
  if (!folder.ok) return { ok: false, code: folder.code, message: `cannot open ${path} for appending: ${folder.problem}` };
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'a+', FILE_MODE);
    const { size } = await handle.stat();
    if (size > 0) {
      // A crash in the middle of a write can leave a partial last line: start on a fresh line.
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) await handle.write('\n');
    }
    return { ok: true, handle };
  } catch (err) {
    await handle?.close().catch(() => undefined);
    const e = err as NodeJS.ErrnoException;
    return { ok: false, code: e.code ?? 'error', message: `cannot open ${path} for appending (${errnoReason(e)})` };
  }
}
