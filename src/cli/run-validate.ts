// `qss-forwarder validate`: checks forwarder.yaml and sinks.yaml, prints every problem. No I/O
// beyond reading the two files; never connects anywhere.
import type { Env } from '../config/load-config.ts';
import { loadConfigOrReport, type CliIo } from './load-config-or-report.ts';

export async function runValidate(paths: { config: string; sinks: string }, io: CliIo, env: Env): Promise<number> {
  const loaded = await loadConfigOrReport(paths, io, env);
  if (loaded === undefined) return 1;
  const sinks = Object.entries(loaded.sinks.sinks).map(([name, s]) => `${name} (${s.type}, ${s.data})`);
  const routes = loaded.sinks.routes?.length;
  const routing = routes === undefined ? 'no routes: every event to every sink' : `${routes} route${routes === 1 ? '' : 's'}`;
  io.stdout.write(`${paths.config}: ok\n${paths.sinks}: ok — ${sinks.length} sink${sinks.length === 1 ? '' : 's'}: ${sinks.join(', ')}; ${routing}\n`);
  return 0;
}
