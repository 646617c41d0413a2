// `qss-forwarder explain --event FILE`: prints, for Zoom bodies, the normalized samples and what
// every sink of sinks.yaml would receive. Reads the config files and the events file; never
// connects anywhere, never writes.
import { readFile } from 'node:fs/promises';
import type { Env } from '../config/load-config.ts';
import { explainEvents } from './explain-events.ts';
import { formatExplainReport } from './format-explain-report.ts';
import { loadConfigOrReport, type CliIo } from './load-config-or-report.ts';
import { parseExplainInput } from './parse-explain-input.ts';

export interface ExplainOptions {
  config: string;
  sinks: string;
  event: string[];
  app: string;
  format: 'text' | 'json';
}

export async function runExplain(options: ExplainOptions, io: CliIo, env: Env): Promise<number> {
  const loaded = await loadConfigOrReport(options, io, env);
  if (loaded === undefined) return 1;
  const inputs = [];
  for (const file of options.event) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      io.stderr.write(`ZQ_ERR_EXPLAIN_INPUT: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})\n`);
      return 1;
    }
    const parsed = parseExplainInput(text, file, options.app);
    if (!parsed.ok) {
      io.stderr.write(`ZQ_ERR_EXPLAIN_INPUT: ${parsed.message}\n`);
      return 1;
    }
    inputs.push(...parsed.inputs);
  }
  const report = explainEvents(inputs, loaded.sinks, loaded.forwarder.enrichment, loaded.forwarder.worker.max_attribute_value_chars);
  io.stdout.write(options.format === 'json' ? `${JSON.stringify({ events: report }, null, 2)}\n` : formatExplainReport(report));
  return 0;
}
