// PANELS → importable dashboard files: Grafana (Prometheus data source), Datadog (dashboard JSON
// + two monitors) and Splunk Dashboard Studio. Pure and deterministic: `npm run docs:dashboards`
// writes docs/dashboards/, and a test fails when those files are stale.
import { dd, PANELS, prom, TEMPLATE_VARIABLES, type Panel } from './dashboard-panels.ts';
import { prometheusLabelName } from '../sinks/prometheus/prometheus-names.ts';

const TITLE = 'Zoom quality (QSS)';
const DESCRIPTION = 'Zoom Quality of Service Subscription data delivered by qss-forwarder: quality by media type, network, location, data center, client and device; worst meetings; Zoom Phone MOS; the forwarder\'s own health.';
const rows = (): string[] => [...new Set(PANELS.map((p) => p.row))];

// ---- Grafana ----------------------------------------------------------------------------------

const GRAFANA_TYPES: Record<Panel['kind'], string> = { stat: 'stat', timeseries: 'timeseries', bar: 'bargauge', table: 'table' };
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

export function grafanaDashboard(): object {
  const panels: object[] = [];
  let id = 1;
  for (const row of rows().filter((r) => PANELS.some((p) => p.row === r && p.promql.length > 0))) {
    panels.push({ id: id++, type: 'row', title: row, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y: 0 }, panels: [] });
    PANELS.filter((p) => p.row === row && p.promql.length > 0).forEach((p, i, all) => {
      const w = all.length <= 4 ? 24 / all.length : all.length % 2 === 1 && i === all.length - 1 ? 24 : 12;
      const instant = p.kind !== 'timeseries';
      panels.push({
        id: id++,
        type: GRAFANA_TYPES[p.kind],
        title: p.title,
        description: p.description,
        datasource: DATASOURCE,
        fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
        options: p.kind === 'table' ? { showHeader: true } : {},
        targets: p.promql.map((expr, j) => ({ refId: String.fromCharCode(65 + j), datasource: DATASOURCE, expr, instant, range: !instant, ...(p.legends?.[j] === undefined ? {} : { legendFormat: p.legends[j] }), ...(p.kind === 'table' ? { format: 'table' } : {}) })),
        ...(p.kind === 'table' ? { transformations: [{ id: 'organize', options: { excludeByName: { Time: true } } }] } : {}),
        gridPos: { h: 8, w, x: 0, y: 0 },
      });
    });
  }
  // Lay the panels of each row out left to right, wrapping at Grafana's 24 columns.
  let x = 0;
  let rowY = 0;
  let lineH = 0;
  for (const panel of panels as { type: string; gridPos: { h: number; w: number; x: number; y: number } }[]) {
    if (panel.type === 'row') {
      rowY += lineH;
      panel.gridPos.y = rowY;
      rowY += 1;
      x = 0;
      lineH = 0;
      continue;
    }
    if (x + panel.gridPos.w > 24) {
      rowY += lineH;
      x = 0;
      lineH = 0;
    }
    panel.gridPos.x = x;
    panel.gridPos.y = rowY;
    x += panel.gridPos.w;
    lineH = Math.max(lineH, panel.gridPos.h);
  }
  const variable = (v: (typeof TEMPLATE_VARIABLES)[number]) => {
    const query = `label_values(${prom('latency')}, ${prometheusLabelName(v.attribute)})`;
    return { name: v.name, label: v.label, type: 'query', datasource: DATASOURCE, definition: query, query: { query, refId: 'PrometheusVariableQueryEditor-VariableQuery' }, includeAll: true, allValue: '.*', multi: true, current: { selected: true, text: ['All'], value: ['$__all'] }, refresh: 2, sort: 1 };
  };
  return {
    title: TITLE,
    uid: 'zoom-qss-quality',
    description: DESCRIPTION,
    tags: ['zoom', 'qss', 'qss-forwarder'],
    editable: true,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-1h', to: 'now' },
    refresh: '1m',
    templating: { list: [{ name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: {}, hide: 0 }, ...TEMPLATE_VARIABLES.map(variable)] },
    panels,
  };
}

// ---- Datadog ----------------------------------------------------------------------------------

const DD_TYPES: Record<Panel['kind'], string> = { stat: 'query_value', timeseries: 'timeseries', bar: 'toplist', table: 'toplist' };

export function datadogDashboard(): object {
  const widgets = rows()
    .map((row) => ({
      definition: {
        type: 'group',
        title: row,
        layout_type: 'ordered',
        widgets: PANELS.filter((p) => p.row === row && p.datadog.length > 0).map((p) => ({
          definition: {
            type: DD_TYPES[p.kind],
            title: p.title,
            title_size: '16',
            requests: p.datadog.map((q) => (p.kind === 'timeseries' ? { q, display_type: 'line' } : { q })),
          },
        })),
      },
    }))
    .filter((g) => g.definition.widgets.length > 0);
  return {
    title: TITLE,
    description: `${DESCRIPTION} Metrics as the qss-forwarder \`datadog\` sink writes them; pipeline-health widgets need the Datadog Agent's OpenMetrics check on the forwarder's /metrics with namespace \`qss_forwarder\`.`,
    layout_type: 'ordered',
    template_variables: TEMPLATE_VARIABLES.map((v) => ({ name: v.name, prefix: v.attribute, available_values: [], default: '*' })),
    widgets,
  };
}

export function datadogMonitors(): object[] {
  return [
    {
      name: 'Zoom: sustained packet loss by location',
      type: 'query alert',
      query: `avg(last_15m):avg:${dd('packetLoss')}{zoom.qos.stat:avg} by {zoom.participant.location} > 0.02`,
      message: 'Average packet loss of Zoom participants in {{zoom.participant.location.name}} has been above 2 % for 15 minutes. Check the site\'s network path to Zoom.',
      tags: ['zoom', 'qss'],
      options: { thresholds: { critical: 0.02, warning: 0.01 }, notify_no_data: false, require_full_window: false },
    },
    {
      name: 'qss-forwarder: dead letters growing',
      type: 'query alert',
      query: 'sum(last_10m):sum:qss_forwarder.sink_dead_lettered.count{*} by {sink}.as_count() > 0',
      message: 'qss-forwarder dead-lettered events for sink {{sink.name}} in the last 10 minutes: a backend refuses them for good. See the reason in qss_forwarder_sink_dead_lettered_total and replay after a fix with `qss-forwarder replay --from-dlq --sink {{sink.name}}`.',
      tags: ['qss-forwarder'],
      options: { thresholds: { critical: 0 }, notify_no_data: false, require_full_window: false },
    },
  ];
}

// ---- Splunk Dashboard Studio ------------------------------------------------------------------

const SPLUNK_TYPES: Record<Panel['kind'], string> = { stat: 'splunk.singlevalue', timeseries: 'splunk.line', bar: 'splunk.bar', table: 'splunk.table' };

export function splunkDashboard(): object {
  const dataSources: Record<string, object> = {};
  const visualizations: Record<string, object> = {};
  const structure: object[] = [];
  let y = 0;
  PANELS.filter((p) => p.splunk.length > 0).forEach((p, i) => {
    const ds = `ds_${i + 1}`;
    const viz = `viz_${i + 1}`;
    dataSources[ds] = { type: 'ds.search', name: p.title, options: { query: p.splunk[0], queryParameters: { earliest: '$global_time.earliest$', latest: '$global_time.latest$' } } };
    visualizations[viz] = { type: SPLUNK_TYPES[p.kind], title: p.title, description: p.description, dataSources: { primary: ds } };
    structure.push({ item: viz, type: 'block', position: { x: (i % 2) * 600, y, w: 600, h: 300 } });
    if (i % 2 === 1) y += 300;
  });
  const inputs: Record<string, object> = {
    input_global_trp: { type: 'input.timerange', title: 'Time', options: { token: 'global_time', defaultValue: '-60m@m,now' } },
    input_metrics_index: { type: 'input.text', title: 'Metrics index', options: { token: 'metrics_index', defaultValue: 'zoom_metrics' } },
    input_events_index: { type: 'input.text', title: 'Events index', options: { token: 'events_index', defaultValue: 'zoom_events' } },
  };
  for (const v of TEMPLATE_VARIABLES) inputs[`input_${v.name}`] = { type: 'input.text', title: v.label, options: { token: v.name, defaultValue: '*' } };
  return {
    title: TITLE,
    description: `${DESCRIPTION} Over the metrics index (mstats) and the events index the qss-forwarder \`splunk_hec\` sinks (data: metrics, data: events) write to.`,
    inputs,
    dataSources,
    visualizations,
    layout: { type: 'absolute', options: { width: 1200, height: y + 300 }, structure, globalInputs: Object.keys(inputs) },
  };
}

/** Every file of docs/dashboards/ this module owns, path → content. */
export function dashboardFiles(): Record<string, string> {
  const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
  return {
    'grafana/zoom-quality.json': json(grafanaDashboard()),
    'datadog/zoom-quality-dashboard.json': json(datadogDashboard()),
    'datadog/monitor-packet-loss-by-location.json': json(datadogMonitors()[0]),
    'datadog/monitor-dead-letters.json': json(datadogMonitors()[1]),
    'splunk/zoom-quality-dashboard-studio.json': json(splunkDashboard()),
  };
}
