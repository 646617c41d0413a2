// Loads both config files; on problems prints every one to stderr and returns undefined.
import type { Writable } from 'node:stream';
import { loadConfig, type Env, type LoadedConfig } from '../config/load-config.ts';
import { formatConfigIssue } from '../config/config-issue.ts';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
}

export async function loadConfigOrReport(paths: { config: string; sinks: string }, io: CliIo, env: Env): Promise<LoadedConfig | undefined> {
  const result = await loadConfig(paths, env);
  if (result.ok) return result.value;
  io.stderr.write(`ZQ_ERR_CONFIG_INVALID: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'} in the configuration:\n`);
  for (const issue of result.issues) io.stderr.write(`  ${formatConfigIssue(issue)}\n`);
  return undefined;
}
