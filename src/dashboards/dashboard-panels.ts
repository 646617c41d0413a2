// The Zoom quality dashboards' panels, once, for every backend: each panel says what it shows and
// how to ask Prometheus (the `prometheus` sink, or the OpenTelemetry Collector's Prometheus
// exporter — same names), Datadog (tags as the `datadog` sink writes them) and Splunk (`mstats`
// over the `splunk_hec` metrics index, or SPL over the events index). The renderers turn this into
// importable Grafana, Datadog and Splunk Dashboard Studio JSON (docs/dashboards/). Metric and label
// names are built from the catalogue and the sinks' own naming functions, never retyped.
import { METRIC_CATALOGUE, type QosMetricKey } from '../pipeline/normalize/metric-catalogue.ts';
import { QOS_ATTRIBUTES } from '../pipeline/normalize/qos-sample.ts';
import { datadogMetricName } from '../sinks/datadog/sink-batch-to-datadog.ts';
import { prometheusLabelName, prometheusMetricName } from '../sinks/prometheus/prometheus-names.ts';
import { hecMetricName } from '../sinks/splunk-hec/sink-batch-to-hec.ts';

export type PanelKind = 'stat' | 'timeseries' | 'bar' | 'table';

export interface Panel {
  title: string;
  row: string;
  description: string;
  kind: PanelKind;
  /** Grafana unit id. */
  unit: string;
  /** PromQL, with $account, $location, $network_type, $media_type. One query per series group. */
  promql: string[];
  /** A name per PromQL query (Grafana legend), when its series have no telling labels. */
  legends?: string[];
  /** Datadog metric queries (empty: no Datadog panel for this one). */
  datadog: string[];
  /** Splunk SPL (empty: no Splunk panel). */
  splunk: string[];
}

/** Template variables every dashboard offers, as the attribute they filter. */
export const TEMPLATE_VARIABLES = [
  { name: 'account', label: 'Account', attribute: QOS_ATTRIBUTES.accountId },
  { name: 'location', label: 'Location', attribute: 'zoom.participant.location' },
  { name: 'network_type', label: 'Network type', attribute: 'zoom.participant.network_type' },
  { name: 'media_type', label: 'Media type', attribute: QOS_ATTRIBUTES.qosType },
] as const;

const metric = (key: QosMetricKey) => METRIC_CATALOGUE[key];
export const prom = (key: QosMetricKey): string => prometheusMetricName(metric(key).name, metric(key).unit);
export const dd = (key: QosMetricKey): string => datadogMetricName(metric(key).name);
export const spl = (key: QosMetricKey): string => hecMetricName(metric(key).name);
const label = prometheusLabelName;

/** The template variables as a PromQL label matcher list (`All` = `.*`, which also matches an absent label). */
const PROM_FILTERS = TEMPLATE_VARIABLES.map((v) => `${label(v.attribute)}=~"$${v.name}"`).join(',');
const promSel = (key: QosMetricKey, extra = ''): string => `${prom(key)}{${PROM_FILTERS}${extra === '' ? '' : `,${extra}`}}`;
const DD_FILTERS = TEMPLATE_VARIABLES.map((v) => `$${v.name}`).join(',');
const ddSel = (key: QosMetricKey, extra = ''): string => `${dd(key)}{${DD_FILTERS}${extra === '' ? '' : `,${extra}`}}`;
const SPL_FILTERS = TEMPLATE_VARIABLES.map((v) => `"${v.attribute}"="$${v.name}$"`).join(' ');
const mstats = (fn: string, key: QosMetricKey, where: string, by: string): string =>
  `| mstats ${fn}("${spl(key)}") AS value WHERE index=$metrics_index$ ${SPL_FILTERS}${where === '' ? '' : ` ${where}`} span=1m${by === '' ? '' : ` BY ${by}`}`;

// Real-time samples carry no statistic (zoom.qos.stat absent); summaries carry min/avg/max.
const REALTIME = `${label(QOS_ATTRIBUTES.qosStat)}=""`;
const STAT = (s: string) => `${label(QOS_ATTRIBUTES.qosStat)}="${s}"`;
const MEDIA = label(QOS_ATTRIBUTES.qosType);
const PARTICIPANT = [QOS_ATTRIBUTES.accountId, QOS_ATTRIBUTES.meetingUuid, QOS_ATTRIBUTES.participantId].map(label).join(',');

/** Share of streams (series) whose latest real-time value is above a threshold, by media type. */
function shareAbove(key: QosMetricKey, threshold: number, stat: string | undefined): Pick<Panel, 'promql' | 'datadog' | 'splunk'> {
  const sel = promSel(key, stat === undefined ? REALTIME : STAT(stat));
  const ddStat = stat === undefined ? '' : `zoom.qos.stat:${stat}`;
  const splStat = stat === undefined ? '' : `"zoom.qos.stat"="${stat}"`;
  return {
    // `or … * 0`: a media type with no stream above the threshold shows 0, not "no data".
    promql: [`(count by (${MEDIA}) (${sel} > ${threshold}) or count by (${MEDIA}) (${sel}) * 0) / count by (${MEDIA}) (${sel})`],
    // Datadog has no comparison operator in queries: cutoff_min keeps the values at or above the threshold.
    datadog: [`count_not_null(cutoff_min(max:${ddSel(key, ddStat)} by {zoom.qos.type,zoom.meeting.id}, ${threshold})) / count_not_null(max:${ddSel(key, ddStat)} by {zoom.qos.type,zoom.meeting.id})`],
    splunk: [`${mstats('max', key, splStat, '"zoom.qos.type" "zoom.meeting.id"')} | eval above=if(value>${threshold},1,0) | timechart span=1m avg(above) AS share BY "zoom.qos.type"`],
  };
}

function averageBy(key: QosMetricKey, attribute: string): Pick<Panel, 'promql' | 'datadog' | 'splunk'> {
  return {
    promql: [`avg by (${label(attribute)}) (${promSel(key, REALTIME)})`],
    datadog: [`avg:${ddSel(key)} by {${attribute}}`],
    splunk: [`${mstats('avg', key, '', `"${attribute}"`)} | timechart span=1m avg(value) BY "${attribute}"`],
  };
}

const overview: Panel[] = [
  {
    title: 'Participants reporting',
    row: 'Account overview',
    description: 'Participants with a real-time latency sample in the last scrape window.',
    kind: 'stat',
    unit: 'short',
    promql: [`count(count by (${PARTICIPANT}) (${promSel('latency', REALTIME)}))`],
    legends: ['participants'],
    datadog: [],
    splunk: [`${mstats('count', 'latency', '', '"zoom.account.id" "zoom.meeting.uuid" "zoom.participant.id"')} | stats dc("zoom.participant.id") AS participants`],
  },
  { title: 'Streams with packet loss > 1 %', row: 'Account overview', description: 'Share of streams whose average loss over the last minute is above 1 %, by media type.', kind: 'timeseries', unit: 'percentunit', ...shareAbove('packetLoss', 0.01, 'avg') },
  { title: 'Streams with latency > 150 ms', row: 'Account overview', description: 'Share of real-time streams with one-way latency above 150 ms, by media type.', kind: 'timeseries', unit: 'percentunit', ...shareAbove('latency', 0.15, undefined) },
  { title: 'Streams with jitter > 40 ms', row: 'Account overview', description: 'Share of real-time streams with jitter above 40 ms, by media type.', kind: 'timeseries', unit: 'percentunit', ...shareAbove('jitter', 0.04, undefined) },
];

const breakdowns: Panel[] = [
  { title: 'Latency by network type', row: 'Breakdowns', description: 'Average real-time latency by the participants\' network type (from participant data).', kind: 'timeseries', unit: 's', ...averageBy('latency', 'zoom.participant.network_type') },
  { title: 'Latency by location', row: 'Breakdowns', description: 'Average real-time latency by participant location.', kind: 'timeseries', unit: 's', ...averageBy('latency', 'zoom.participant.location') },
  { title: 'Jitter by data center', row: 'Breakdowns', description: 'Average real-time jitter by the Zoom data center serving the participant.', kind: 'timeseries', unit: 's', ...averageBy('jitter', 'zoom.data_center') },
  { title: 'Latency by client version', row: 'Breakdowns', description: 'Average real-time latency by Zoom client version.', kind: 'bar', unit: 's', ...averageBy('latency', 'zoom.client.version') },
  { title: 'Bitrate by device', row: 'Breakdowns', description: 'Average real-time bitrate by device type.', kind: 'bar', unit: 'bps', ...averageBy('bitrate', 'zoom.participant.device') },
];

const worst: Panel[] = [
  {
    title: 'Worst meetings by packet loss',
    row: 'Worst meetings and participants',
    description: 'The 10 meetings with the highest maximum loss over the last minute.',
    kind: 'table',
    unit: 'percentunit',
    promql: [`topk(10, max by (${label(QOS_ATTRIBUTES.meetingId)}) (${promSel('packetLoss', STAT('max'))}))`],
    datadog: [`top(max:${ddSel('packetLoss', 'zoom.qos.stat:max')} by {zoom.meeting.id}, 10, 'max', 'desc')`],
    splunk: [`${mstats('max', 'packetLoss', '"zoom.qos.stat"="max"', '"zoom.meeting.id"')} | stats max(value) AS loss BY "zoom.meeting.id" | sort - loss | head 10`],
  },
  {
    title: 'Worst participants by latency',
    row: 'Worst meetings and participants',
    description: 'The 10 participants with the highest real-time latency, with their meeting (not in Datadog by default: per-participant tags are kept out there).',
    kind: 'table',
    unit: 's',
    promql: [`topk(10, max by (${[QOS_ATTRIBUTES.meetingId, QOS_ATTRIBUTES.participantId, 'zoom.participant.location'].map(label).join(',')}) (${promSel('latency', REALTIME)}))`],
    datadog: [],
    splunk: [`${mstats('max', 'latency', '', '"zoom.meeting.id" "zoom.participant.id"')} | stats max(value) AS latency BY "zoom.meeting.id" "zoom.participant.id" | sort - latency | head 10`],
  },
];

const MOS = `${prom('mos')}{${label(QOS_ATTRIBUTES.accountId)}=~"$account"}`;

const phone: Panel[] = [
  {
    title: 'Zoom Phone MOS',
    row: 'Zoom Phone',
    description: 'Call legs by Mean Opinion Score: good (≥ 4), fair (3–4), poor (< 3).',
    kind: 'bar',
    unit: 'short',
    promql: [`count(${MOS} >= 4) or vector(0)`, `count(${MOS} < 4 >= 3) or vector(0)`, `count(${MOS} < 3) or vector(0)`],
    legends: ['good (≥ 4)', 'fair (3–4)', 'poor (< 3)'],
    datadog: [`avg:${dd('mos')}{$account} by {zoom.call.leg}`],
    splunk: [`${mstats('avg', 'mos', '', '"zoom.call.id" "zoom.call.leg"')} | eval band=case(value>=4,"good",value>=3,"fair",true(),"poor") | stats count BY band`],
  },
];

/** Splunk only: panels over the events index the `splunk_hec` sink (data: events) writes the Zoom JSON to. */
const splunkEvents: Panel[] = [
  {
    title: 'Zoom events received, by type',
    row: 'Zoom events (Splunk events index)',
    description: 'QSS events per minute in the events index, by sourcetype (zoom:qss:<event type>).',
    kind: 'timeseries',
    unit: 'short',
    promql: [],
    datadog: [],
    splunk: ['search index=$events_index$ sourcetype="zoom:qss:*" | timechart span=1m count BY sourcetype'],
  },
  {
    title: 'Participants by data center and network type',
    row: 'Zoom events (Splunk events index)',
    description: 'Distinct participants per data center and network type, from the participant data events.',
    kind: 'table',
    unit: 'short',
    promql: [],
    datadog: [],
    splunk: ['search index=$events_index$ sourcetype="zoom:qss:*.participant_data" | spath path=payload.object.participant.data{} output=data | mvexpand data | spath input=data | stats dc(payload.object.participant.participant_id) AS participants BY data_center network_type | sort - participants'],
  },
];

/** The forwarder's own metrics (its /metrics: scraped by Prometheus; by the Datadog Agent's OpenMetrics check as `qss_forwarder.*`). */
const health: Panel[] = [
  { title: 'Ack latency p99', row: 'Pipeline health', description: 'Time from the body received to Zoom\'s 200 (durable write included).', kind: 'timeseries', unit: 's', promql: ['histogram_quantile(0.99, sum by (le) (rate(qss_forwarder_ingress_ack_seconds_bucket[5m])))'], datadog: [], splunk: [] },
  { title: 'Requests refused or failed', row: 'Pipeline health', description: 'Ingress answers other than accepted, by reason.', kind: 'timeseries', unit: 'reqps', promql: ['sum by (outcome, reason) (rate(qss_forwarder_ingress_requests_total{outcome!="accepted"}[5m]))'], datadog: ['sum:qss_forwarder.ingress_requests.count{!outcome:accepted} by {outcome,reason}.as_rate()'], splunk: [] },
  { title: 'Spooled events (Kafka slow or down)', row: 'Pipeline health', description: 'Events accepted into the ingress\'s local spool, waiting for Kafka.', kind: 'timeseries', unit: 'short', promql: ['sum(qss_forwarder_spool_events)'], datadog: ['sum:qss_forwarder.spool_events{*}'], splunk: [] },
  { title: 'Consumer lag by sink', row: 'Pipeline health', description: 'Records on the bus not yet consumed, by sink.', kind: 'timeseries', unit: 'short', promql: ['sum by (sink) (qss_forwarder_consumer_lag_records) or sum by (consumer) (qss_forwarder_bus_pending_events)'], datadog: ['sum:qss_forwarder.consumer_lag_records{*} by {sink}'], splunk: [] },
  { title: 'Dead letters', row: 'Pipeline health', description: 'Events dead-lettered in the last hour, by sink and reason.', kind: 'timeseries', unit: 'short', promql: ['sum by (sink, reason) (increase(qss_forwarder_sink_dead_lettered_total[1h]))'], datadog: ['sum:qss_forwarder.sink_dead_lettered.count{*} by {sink,reason}.as_count()'], splunk: [] },
  { title: 'Sink errors', row: 'Pipeline health', description: 'Failed requests to sink backends, by sink and reason.', kind: 'timeseries', unit: 'reqps', promql: ['sum by (sink, result) (rate(qss_forwarder_sink_requests_total{result!="success"}[5m]))'], datadog: ['sum:qss_forwarder.sink_requests.count{!result:success} by {sink,result}.as_rate()'], splunk: [] },
];

export const PANELS: readonly Panel[] = [...overview, ...breakdowns, ...worst, ...phone, ...splunkEvents, ...health];
