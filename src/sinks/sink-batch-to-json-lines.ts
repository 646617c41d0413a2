// A sink batch as JSON Lines, for the file and stdout sinks. Pure.
// - event: our metadata plus the body as a string — Zoom's verbatim bytes when the PII policy
//   changed nothing (JSON.parse(line).body is byte-identical to what Zoom sent).
// - metric point: name, unit, value, the sample's time (ISO 8601) and the kept attributes.
import { metaToJson, type MetaJson } from '../bus/record-meta.ts';
import type { MetricPoint, SinkEvent } from '../pipeline/sink-contract.ts';
import type { SinkBatch } from './sink.ts';

/** One event's line: its id, the record's metadata (record-meta.ts, in that order), its body. */
export type JsonLineEvent = { id: string } & MetaJson & { body: string };

export interface JsonLinePoint {
  metric: string;
  unit: string;
  value: number;
  time: string;
  attributes: Readonly<Record<string, string>>;
}

export function sinkEventToJsonLine(event: SinkEvent): string {
  const line: JsonLineEvent = { id: event.record.id, ...metaToJson(event.record.meta), body: event.body };
  return `${JSON.stringify(line)}\n`;
}

export function metricPointToJsonLine(point: MetricPoint): string {
  const line: JsonLinePoint = { metric: point.name, unit: point.unit, value: point.value, time: new Date(point.time_ms).toISOString(), attributes: point.attributes };
  return `${JSON.stringify(line)}\n`;
}

export function sinkBatchToJsonLines(batch: SinkBatch): string {
  let text = '';
  for (const e of batch.events) text += sinkEventToJsonLine(e);
  for (const p of batch.points) text += metricPointToJsonLine(p);
  return text;
}
