// The generated local Secret Token used when no real one is configured, so `npm start` and
// `simulate` work on a fresh clone without ever accepting unsigned events. Kept in data_dir,
// readable by the owner only. Its value is never logged.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDirectory, errnoReason } from '../files/ensure-private-directory.ts';

export const LOCAL_SECRET_FILE = 'local-secret-token';

export function localSecretTokenPath(dataDir: string): string {
  return join(dataDir, LOCAL_SECRET_FILE);
}

export async function readLocalSecretToken(dataDir: string): Promise<string | undefined> {
  try {
    const token = (await readFile(localSecretTokenPath(dataDir), 'utf8')).trim();
    return token === '' ? undefined : token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export type LocalSecretToken = { ok: true; token: string; path: string; created: boolean } | { ok: false; message: string };

/** Returns the existing local token, or creates one (`created` tells which), or why it cannot. */
export async function ensureLocalSecretToken(dataDir: string): Promise<LocalSecretToken> {
  const path = localSecretTokenPath(dataDir);
  const cannot = (reason: string): LocalSecretToken => ({ ok: false, message: `cannot create ${path} (data_dir): ${reason}` });
  try {
    const existing = await readLocalSecretToken(dataDir);
    if (existing !== undefined) return { ok: true, token: existing, path, created: false };
    const folder = ensurePrivateDirectory(dataDir);
    if (!folder.ok) return cannot(folder.problem);
    const token = randomBytes(24).toString('base64url');
    await writeFile(path, `${token}\n`, { mode: 0o600, flag: 'wx' }).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    const token2 = await readLocalSecretToken(dataDir);
    return { ok: true, token: token2 ?? token, path, created: token2 === token };
  } catch (err) {
    return cannot(errnoReason(err));
  }
}
