// Metric points and their bus records as the pipeline hands them to a metric sink, for the
// sinks' encoder tests.
import type { BusRecord } from '../../src/bus/bus.ts';
import type { MetricPoint } from '../../src/pipeline/map/metric-point.ts';

export const record = (id: string): BusRecord => ({ id, body: Buffer.from('{}'), meta: { app: 'default', event: 'meeting.participant_qos', receivedAt: 0 } });
export const attrs = Object.freeze({ 'zoom.qos.type': 'audio_input', 'zoom.meeting.uuid': 'Ab/C==' });
export const point = (name: string, value: number, time_ms: number, attributes = attrs): MetricPoint => ({ name, unit: 's', value, time_ms, attributes });
