// Makes sure a folder for local state exists and can be written, creating what is missing
// owner-only (0700: the store and the file sinks hold emails, IP and MAC addresses). One level at
// a time, from the deepest folder that exists: `mkdir -p` itself loops forever where the kernel
// answers ENOENT for a parent that exists (under /proc, Node 20's recursive mkdir spins at 100 %
// CPU). A folder that already exists keeps its mode (it may be a mounted volume). Outcomes are
// values: the problem is one line an operator can act on.
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const FOLDER_MODE = 0o700;

export type DirectoryOutcome = { ok: true } | { ok: false; code: string; problem: string };

/** `ENOTDIR: not a directory` from `ENOTDIR: not a directory, open '/dev/null/x'`. */
export function errnoReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return /^[A-Z0-9_]+: [^,]+/.exec(err.message)?.[0] ?? err.message.split('\n')[0]!;
}

function errnoCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? 'error';
}

export function ensurePrivateDirectory(dir: string): DirectoryOutcome {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    try {
      if (!statSync(at).isDirectory()) return { ok: false, code: 'ENOTDIR', problem: `${at} is not a folder` };
      break;
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') return { ok: false, code: errnoCode(err), problem: `cannot look at ${at} (${errnoReason(err)})` };
      missing.unshift(at);
      const parent = dirname(at);
      if (parent === at) return { ok: false, code: 'ENOENT', problem: `no root for ${at}` };
      at = parent;
    }
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder, { mode: FOLDER_MODE });
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') return { ok: false, code: errnoCode(err), problem: `cannot create the folder ${folder} (${errnoReason(err)})` };
    }
  }
  try {
    accessSync(resolve(dir), constants.W_OK | constants.X_OK);
  } catch (err) {
    return { ok: false, code: errnoCode(err), problem: `the folder ${resolve(dir)} is not writable (${errnoReason(err)})` };
  }
  return { ok: true };
}
