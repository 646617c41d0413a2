// Quiet logger and fresh metrics for in-process tests.
import { pino, type Logger } from 'pino';
import { createSelfMetrics } from '../../src/observability/self-metrics.ts';

export const silentLogger = pino({ level: 'silent' });

export function freshMetrics() {
  return createSelfMetrics({ processMetrics: false });
}

export async function metricValue(metrics: ReturnType<typeof freshMetrics>, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { value: number; labels: Record<string, string | number> }[];
  return values.filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)).reduce((n, v) => n + v.value, 0);
}

/** A logger whose JSON lines are kept, parsed, for assertions on what an operator would read. */
export function capturingLogger(level = 'info'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger: Logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}
