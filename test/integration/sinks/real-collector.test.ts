// Every sink against the real OpenTelemetry Collector (test/support/peers/go): a real `serve`
// gets the shared Zoom examples signed over HTTP and delivers them to the Collector's OTLP/HTTP,
// Splunk HEC (metrics and events) and Datadog receivers, and the Collector's Prometheus receiver
// scrapes the `prometheus` sink. What the Collector writes (its file exporter's OTLP JSON) must
// equal what `explain` says each sink sends for the same events: metric names, units, values in
// base units, the samples' own timestamps, attribute sets — up to what each protocol cannot carry,
// named in each test.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, postSigned } from '../../support/signed-request.ts';
import { exampleBodies, movedToNow } from '../../support/sink-batches.ts';
import { PEER_BUILD_WAIT_MS, peerBuilt } from '../../support/peers.ts';
import { anyValueToJson, startCollector, otlpJsonPoints, type Collector } from '../../support/start-otelcol.ts';
import { freePort, runCli, startForwarder, writeConfig, type Forwarder, type ForwarderFiles } from '../../support/start-forwarder.ts';

const SECRET = 'real-collector-secret';

interface ExplainPoint {
  metric: string;
  unit: string;
  value: number;
  time: string;
  attributes: Record<string, string>;
}
interface Explained {
  events: { sinks: Record<string, { points?: ExplainPoint[]; events?: { body: string }[]; outcome: string }> }[];
}

/** JSON with every object's keys sorted: the same value gives the same text. */
const sortedJson = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : x));
interface Point {
  metric: string;
  unit: string;
  value: number;
  timeMs: number;
  attributes: Record<string, string>;
}

/** One line per point, sorted: the sets compare with deep.equal and a diff shows what differs. */
const canonical = (points: readonly Point[]): string[] =>
  points
    .map((p) => JSON.stringify([p.metric, p.unit, p.value, p.timeMs, Object.fromEntries(Object.entries(p.attributes).sort(([a], [b]) => a.localeCompare(b)))]))
    .sort();

/** Equal sets of points; on a difference, the first few of each side that the other lacks. */
function expectSamePoints(got: readonly Point[], want: readonly Point[], what: string): void {
  const [g, w] = [canonical(got), canonical(want)];
  const onlyGot = g.filter((x) => !w.includes(x));
  const onlyWant = w.filter((x) => !g.includes(x));
  expect({ onlyAtTheCollector: onlyGot.slice(0, 4), onlyInExplain: onlyWant.slice(0, 4), counts: [g.length, w.length] }, what).to.deep.equal({ onlyAtTheCollector: [], onlyInExplain: [], counts: [w.length, w.length] });
}

describe('sinks → the real OpenTelemetry Collector (OTLP, Splunk HEC, Datadog and Prometheus receivers)', function () {
  this.timeout(180000);
  let collector: Collector;
  let fwd: Forwarder;
  let files: ForwarderFiles;
  let explained: Explained;
  let bodies: string[];

  before(async function () {
    this.timeout(PEER_BUILD_WAIT_MS + 180000);
    await peerBuilt('otelcol'); // .ci/run may still be building it
    const scrapePort = await freePort();
    collector = await startCollector({ scrape: [`127.0.0.1:${scrapePort}`] });
    files = writeConfig();
    writeFileSync(
      files.config,
      `data_dir: ${files.dir}/data\nserver:\n  host: 127.0.0.1\n  port: 0\nadmin:\n  host: 127.0.0.1\n  port: 0\nzoom:\n  apps:\n    default:\n      secret_token: ${SECRET}\nbus:\n  embedded:\n    path: ${files.dir}/data/bus.sqlite\n    poll_interval_ms: 50\nworker:\n  retry:\n    initial_backoff_ms: 100\n    max_backoff_ms: 1000\n`,
    );
    const batch = '    batch: { max_wait_ms: 50 }\n';
    writeFileSync(
      files.sinks,
      `sinks:
  otel:
    type: otlp
    endpoint: ${collector.otlpUrl}
    data: metrics
${batch}  hec_metrics:
    type: splunk_hec
    url: ${collector.hecUrl}
    token: any-token
    data: metrics
${batch}  hec_events:
    type: splunk_hec
    url: ${collector.hecUrl}
    token: any-token
    data: events
${batch}  dd:
    type: datadog
    api_key: dd-key
    url: ${collector.datadogUrl}
    data: metrics
${batch}  scrape:
    type: prometheus
    host: 127.0.0.1
    port: ${scrapePort}
    data: metrics
routes:
  - name: events
    sinks: [hec_events]
  - name: qos
    events: ["*.participant_qos", "*.participant_qos_summary", "session.user_qos*", "phone.call_qos*"]
    sinks: [otel, hec_metrics, dd, scrape]
`,
    );
    fwd = await startForwarder(files);
    const now = Date.now();
    bodies = exampleBodies().map((b) => movedToNow(b.text, now));
    for (const body of bodies) expect((await postSigned(`${fwd.url}/webhooks/zoom`, body, { secret: SECRET })).status).to.equal(200);
    const eventsFile = join(files.dir, 'bodies.json');
    writeFileSync(eventsFile, JSON.stringify(bodies.map((b) => JSON.parse(b) as unknown)));
    const explain = await runCli(['explain', '--config', files.config, '--sinks', files.sinks, '--event', eventsFile, '--format', 'json']);
    expect(explain.code, explain.stderr).to.equal(0);
    explained = JSON.parse(explain.stdout) as Explained;
  });

  after(async () => {
    await fwd?.stop();
    await collector?.stop();
  });

  /** What explain says sink `name` sends, as points. */
  const expected = (name: string): Point[] =>
    explained.events.flatMap((e) => (e.sinks[name]?.points ?? []).map((p) => ({ metric: p.metric, unit: p.unit, value: p.value, timeMs: Date.parse(p.time), attributes: p.attributes })));

  /** Waits until the Collector wrote as many points as expected for `pipeline`. */
  async function received(pipeline: 'otlp' | 'hec_metrics' | 'datadog' | 'prometheus', count: number): Promise<ReturnType<typeof otlpJsonPoints>> {
    return eventually(() => {
      const points = otlpJsonPoints(collector.read(pipeline));
      return points.length >= count ? points : undefined;
    }, 60000, 250).catch((err: Error) => {
      throw new Error(`${err.message}: the Collector wrote ${otlpJsonPoints(collector.read(pipeline)).length} of ${count} points for ${pipeline}\n${collector.logs().slice(-3000)}`);
    });
  }

  it('otlp sink → the OTLP/HTTP receiver: every point as explain shows it (name, unit, value, the sample\'s time, attributes)', async () => {
    const want = expected('otel');
    expect(want.length).to.be.greaterThan(50);
    const got = await received('otlp', want.length);
    expectSamePoints(got, want, 'otlp');
    expect(got[0]!.resource['service.name']).to.equal('qss-forwarder');
  });

  it('splunk_hec sink, data: metrics → the Splunk HEC receiver: every point as explain shows it (HEC carries no unit)', async () => {
    const want = expected('hec_metrics').map((p) => ({ ...p, unit: '' }));
    const got = await received('hec_metrics', want.length);
    expectSamePoints(got, want, 'splunk_hec');
  });

  it('splunk_hec sink, data: events → the Splunk HEC receiver: one log record per Zoom event, the body explain shows (after the PII policy), sourcetype zoom:qss:<event>', async () => {
    const records = await eventually(() => {
      const logs = collector.read('hec_logs').flatMap((l) => (l.resourceLogs ?? []).flatMap((rl) => (rl.scopeLogs ?? []).flatMap((sl) => (sl.logRecords ?? []).map((r) => ({ r, resource: rl.resource?.attributes ?? [] })))));
      return logs.length >= bodies.length ? logs : undefined;
    }, 60000, 250);
    expect(records).to.have.length(bodies.length);
    // The receiver parses the HEC event's JSON into a structured log body (a map), so the check is
    // the same JSON value rather than the same bytes.
    const got = records.map(({ r }) => sortedJson(anyValueToJson(r.body))).sort();
    const want = explained.events.flatMap((e) => (e.sinks.hec_events?.events ?? []).map((x) => sortedJson(JSON.parse(x.body)))).sort();
    expect(want).to.have.length(bodies.length);
    expect(got).to.deep.equal(want);
    const sourcetypes = records.map(({ resource }) => resource.find((kv) => kv.key === 'com.splunk.sourcetype')?.value.stringValue).sort();
    expect(sourcetypes).to.deep.equal(bodies.map((b) => `zoom:qss:${(JSON.parse(b) as { event: string }).event}`).sort());
  });

  it('datadog sink → the Datadog receiver: every series point as explain shows it, as Datadog tags (lower case, whole seconds; the receiver drops the unit)', async () => {
    // Datadog's documented tag rules (docs.datadoghq.com/getting_started/tagging): lower case,
    // characters other than letters, digits, `_ - : . /` become `_`. Written out here rather than
    // taken from the sink, so a misunderstanding of them is not shared by both sides.
    const tagValue = (key: string, value: string): string => `${key}:${value}`.toLowerCase().replace(/[^a-z0-9_\-:./]/g, '_').slice(key.length + 1);
    const want = expected('dd').map((p) => ({
      ...p,
      // The v2 series API has seconds; the receiver (v0.158.0) does not map the series' `unit` (the sink sends it).
      timeMs: Math.floor(p.timeMs / 1000) * 1000,
      unit: '',
      attributes: Object.fromEntries(Object.entries(p.attributes).map(([k, v]) => [k, tagValue(k, v)])),
    }));
    const got = await received('datadog', want.length);
    expectSamePoints(got, want, 'datadog');
  });

  it('prometheus sink ← the Prometheus receiver scraping it: the last value of every series, under the Prometheus names and labels', async () => {
    // The Prometheus names of the catalogue (OpenTelemetry's translation to Prometheus: `.` → `_`,
    // the unit as a suffix, `_ratio` for 1, annotations in braces dropped), written out here so a
    // mistake in the sink's own translation shows.
    const NAMES: Record<string, string> = {
      'zoom.qos.bitrate bit/s': 'zoom_qos_bitrate_bit_per_second',
      'zoom.qos.latency s': 'zoom_qos_latency_seconds',
      'zoom.qos.jitter s': 'zoom_qos_jitter_seconds',
      'zoom.qos.packet_loss 1': 'zoom_qos_packet_loss_ratio',
      'zoom.qos.resolution.width {pixel}': 'zoom_qos_resolution_width',
      'zoom.qos.resolution.height {pixel}': 'zoom_qos_resolution_height',
      'zoom.qos.frame_rate {frame}/s': 'zoom_qos_frame_rate_per_second',
      'zoom.qos.cpu.utilization 1': 'zoom_qos_cpu_utilization_ratio',
      'zoom.qos.quality_score 1': 'zoom_qos_quality_score_ratio',
      'zoom.qos.wifi.rssi dBm': 'zoom_qos_wifi_rssi_dBm',
      'zoom.qos.mos 1': 'zoom_qos_mos_ratio',
    };
    // A gauge holds the last value of each series: the newest point per (metric, attributes). Its
    // scrape has the scrape's time and no unit: both compared as absent.
    const lastOfEachSeries = (points: readonly Point[]): Point[] => {
      const last = new Map<string, Point>();
      for (const p of [...points].sort((a, b) => a.timeMs - b.timeMs)) last.set(JSON.stringify([p.metric, Object.entries(p.attributes).sort()]), { ...p, unit: '', timeMs: 0 });
      return [...last.values()];
    };
    const want = lastOfEachSeries(
      expected('scrape').map((p) => {
        const metric = NAMES[`${p.metric} ${p.unit}`];
        expect(metric, `a Prometheus name for ${p.metric} (${p.unit}) in this test`).to.be.a('string');
        return { ...p, metric: metric!, attributes: Object.fromEntries(Object.entries(p.attributes).map(([k, v]) => [k.replace(/[^a-zA-Z0-9_]/g, '_'), v])) };
      }),
    );
    const got = await eventually(() => {
      const points = lastOfEachSeries(otlpJsonPoints(collector.read('prometheus')).filter((x) => x.metric.startsWith('zoom_')));
      return points.length >= want.length ? points : undefined;
    }, 60000, 500);
    expectSamePoints(got, want, 'prometheus');
  });
});
