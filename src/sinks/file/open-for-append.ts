// Opens a file sink's file for appending. A new file is created owner-only (0600) and missing
// parent folders owner-only (0700): the lines hold e-mail addresses, IP and MAC addresses by
// default. An existing file keeps its mode. Folders are created one level at a time, not with
// `mkdir(…, { recursive: true })`, which never returns for a path under /proc (Node 20: procfs
// answers ENOENT for a child of an existing folder and the recursive walk retries forever).
// Failures come back as values with the path and the reason, never as exceptions.
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export const FILE_MODE = 0o600;
export const FOLDER_MODE = 0o700;

export type OpenForAppendResult = { ok: true; handle: FileHandle } | { ok: false; code: string; message: string };

/** `ENOTDIR: not a directory` from `ENOTDIR: not a directory, open '/dev/null/x'`. */
export function errnoReason(err: NodeJS.ErrnoException): string {
  const code = err.code ?? 'error';
  return /^[A-Z0-9_]+: [^,]+/.exec(err.message)?.[0] ?? code;
}

/** The missing folders above `path`, outermost first (stops at the first that exists or cannot be looked at). */
async function missingFolders(path: string): Promise<string[]> {
  const missing: string[] = [];
  for (let dir = dirname(path); dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      await stat(dir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') break;
      missing.unshift(dir);
    }
  }
  return missing;
}

export async function openForAppend(path: string): Promise<OpenForAppendResult> {
  for (const dir of await missingFolders(path)) {
    try {
      await mkdir(dir, { mode: FOLDER_MODE });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'EEXIST') return { ok: false, code: e.code ?? 'error', message: `cannot create the folder ${dir} for ${path} (${errnoReason(e)})` };
    }
  }
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
