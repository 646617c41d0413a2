// The text form of `explain`'s report: one block per event — normalized samples, then per sink
// whether it is routed and exactly what it would get. Pure and deterministic.
import type { ExplainedEvent } from './explain-events.ts';

const attrs = (a: Readonly<Record<string, string>>): string => `{${Object.entries(a).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const cutLines = (cut: Readonly<Record<string, number>> | undefined): string[] =>
  cut === undefined ? [] : [`    values cut to worker.max_attribute_value_chars: ${Object.entries(cut).map(([name, n]) => `${name} (${n})`).join(', ')}`];

function normalizedLines(e: ExplainedEvent): string[] {
  const n = e.normalized;
  switch (n.kind) {
    case 'qos':
      return [
        `  normalized: ${plural(n.samples.length, 'sample')}, ${plural(n.skipped.length, 'skipped field')}`,
        ...n.samples.map((s) => `    ${s.time}  ${s.metric} = ${s.value} ${s.unit}  ${attrs(s.attributes)}`),
        ...n.skipped.map((s) => `    skipped ${s.field}${s.qos_type === undefined ? '' : ` (qos type ${s.qos_type})`}: ${s.reason}`),
        ...cutLines(n.cut),
      ];
    case 'dimensions':
      return [
        `  participant data: ${plural(n.records.length, 'record')} for the enrichment cache`,
        ...n.records.map((r) => `    participant ${r.key.participant}: ${attrs(r.dimensions)}`),
        ...cutLines(n.cut),
      ];
    case 'unsupported':
      return ['  not a QSS event: no samples (event sinks may still get it)'];
    case 'invalid':
      return [`  invalid QSS event: ${n.reason}`];
  }
}

export function formatExplainReport(events: readonly ExplainedEvent[]): string {
  const out: string[] = [];
  for (const e of events) {
    out.push(`#${e.index} ${e.event}  app=${e.app}  account=${e.account_id ?? '-'}  received=${e.received_at}`, ...normalizedLines(e));
    for (const [name, s] of Object.entries(e.sinks)) {
      const head = `  → ${name} (${s.type}, ${s.data}):`;
      const by = s.routes.length > 0 ? ` routed by ${s.routes.join(', ')}` : '';
      switch (s.outcome) {
        case 'not_routed':
          out.push(`${head} not routed`);
          break;
        case 'rejected':
          out.push(`${head}${by}; dead-lettered: ${s.reason ?? ''}`);
          break;
        case 'no_points':
          out.push(`${head}${by}; nothing to send (${s.reason ?? ''})`);
          break;
        case 'event':
          for (const ev of s.events ?? []) out.push(`${head}${by}; event${ev.pii_changed > 0 ? ` (${plural(ev.pii_changed, 'personal field')} dropped/hashed)` : ' (verbatim)'}:`, `      ${ev.body}`);
          break;
        case 'points':
          out.push(`${head}${by}; ${plural(s.points?.length ?? 0, 'point')}${s.dropped_by_cardinality_cap ? `, ${s.dropped_by_cardinality_cap} dropped by the cardinality cap` : ''}`);
          for (const p of s.points ?? []) out.push(`      ${p.time}  ${p.metric} = ${p.value} ${p.unit}  ${attrs(p.attributes)}`);
          break;
      }
    }
    out.push('');
  }
  return out.join('\n');
}
