// Makes sure a folder for local state exists and can be written, creating what is missing
// owner-only (0700: the store and the file sinks hold emails, IP and MAC addresses). One level at
// a time, from the deepest folder that exists: `mkdir -p` itself loops forever where the kernel
// answers ENOENT for a parent that exists (under /proc, Node 20's recursive mkdir spins at 100 %
// CPU). A folder that already exists keeps its mode (it may be a mounted volume). Outcomes are
// values: the reason is one line an operator can act on.
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type DirectoryOutcome = { ok: true } | { ok: false; reason: string };

/** `EACCES: permission denied, mkdir '/x'` — Node's own line, which names the call and the path. */
export function errnoLine(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

export function ensurePrivateDirectory(dir: string): DirectoryOutcome {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    try {
      if (!statSync(at).isDirectory()) return { ok: false, reason: `${at} is not a folder` };
      break;
    } catch (err) {
      if (code(err) !== 'ENOENT') return { ok: false, reason: errnoLine(err) };
      missing.unshift(at);
      const parent = dirname(at);
      if (parent === at) return { ok: false, reason: errnoLine(err) };
      at = parent;
    }
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder, { mode: 0o700 });
    } catch (err) {
      if (code(err) !== 'EEXIST') return { ok: false, reason: errnoLine(err) };
    }
  }
  try {
    accessSync(resolve(dir), constants.W_OK | constants.X_OK);
  } catch (err) {
    return { ok: false, reason: `the folder is not writable (${errnoLine(err)})` };
  }
  return { ok: true };
}
