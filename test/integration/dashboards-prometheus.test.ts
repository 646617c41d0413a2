// The Grafana dashboard's queries, run for real against Prometheus 3 (test/support/peers/go,
// from the Go module proxy) by both routes Zoom data takes into Prometheus: a `serve` fed signed
// Zoom events over HTTP (simulated meetings + the phone, session and webinar examples) sends them
// with its `otlp` sink to one Prometheus's OTLP receiver, and exposes them on its `prometheus` sink
// for another Prometheus to scrape; both also scrape the forwarder's own /metrics. Every panel's
// PromQL, with its template variables set to All, must return data from each, and the two hold the
// same metric names with the same label sets. (Grafana itself has no package here.)
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PANELS } from '../../src/dashboards/dashboard-panels.ts';
import { DIMENSION_FIELDS } from '../../src/pipeline/normalize/participant-dimensions.ts';
import { PEER_BUILD_WAIT_MS, peerBuilt, peerFolder } from '../support/peers.ts';
import { eventually, postSigned } from '../support/signed-request.ts';
import { exampleBodies, movedToNow } from '../support/sink-batches.ts';
import { freePort, runCli, startForwarder, writeConfig } from '../support/start-forwarder.ts';

const SECRET = 'dashboards-secret';

/** A panel's query with the dashboard's template variables set to All. */
const withAll = (expr: string): string => expr.replace(/\$(account|location|network_type|media_type)/g, '.*');

/** A Prometheus 3 on a free port, scraping `targets` every second; with `otlp`, its OTLP receiver is on. */
async function startPrometheus(dir: string, targets: Record<string, string>, otlp: boolean): Promise<{ url: string; stop(): void; log(): string }> {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const jobs = Object.entries(targets).map(([job, target]) => `  - job_name: ${job}\n    static_configs: [{ targets: ['${target}'] }]\n`).join('');
  // The samples carry their own times (one Zoom QoS event holds a minute of them): out-of-order
  // ingestion lets OTLP write them as they come.
  writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nstorage:\n  tsdb:\n    out_of_order_time_window: 30m\nscrape_configs:\n${jobs}`);
  let log = '';
  const child: ChildProcess = spawn(
    join(peerFolder('prometheus'), 'prometheus'),
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, ...(otlp ? ['--web.enable-otlp-receiver'] : [])],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20000)));
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => ((await fetch(`${url}/-/ready`).catch(() => undefined))?.status === 200 ? true : undefined), 30000, 200).catch(() => {
    throw new Error(`Prometheus did not get ready:\n${log}`);
  });
  return { url, stop: () => void child.kill('SIGTERM'), log: () => log };
}

async function query(prometheus: string, expr: string): Promise<{ metric: Record<string, string> }[]> {
  const res = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; data?: { result: { metric: Record<string, string> }[] }; error?: string };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data?.result ?? [];
}

/** Every series matching `selector` with a sample in the last hour or the next (the series API; OTLP samples keep their own times). */
async function seriesOf(prometheus: string, selector: string): Promise<Record<string, string>[]> {
  const now = Date.now() / 1000;
  const res = await fetch(`${prometheus}/api/v1/series?match[]=${encodeURIComponent(selector)}&start=${now - 3600}&end=${now + 3600}`);
  const body = (await res.json()) as { status: string; data?: Record<string, string>[]; error?: string };
  if (body.status !== 'success') throw new Error(`${selector}: ${body.error}`);
  return body.data ?? [];
}

describe('Grafana dashboard queries against Prometheus 3, by OTLP and by scraping', function () {
  this.timeout(150000);

  before(async function () {
    this.timeout(PEER_BUILD_WAIT_MS + 60_000);
    await peerBuilt('prometheus'); // .ci/run may still be building it
  });

  it('every panel query returns data by both routes, and both routes give the same names and label sets for the same data', async () => {
    const files = writeConfig();
    const [sinkPort, adminPort] = [await freePort(), await freePort()];
    const promDir = join(files.dir, 'prometheus');
    const admin = `127.0.0.1:${adminPort}`;
    // One Prometheus gets the QSS data over OTLP, the other scrapes the prometheus sink; both
    // scrape the forwarder's own /metrics (the health row).
    const routes = {
      otlp: await startPrometheus(join(promDir, 'otlp'), { 'qss-forwarder': admin }, true),
      scrape: await startPrometheus(join(promDir, 'scrape'), { zoom: `127.0.0.1:${sinkPort}`, 'qss-forwarder': admin }, false),
    };
    writeFileSync(files.config, `data_dir: ${files.dir}/data\nserver:\n  host: 127.0.0.1\n  port: 0\nadmin:\n  host: 127.0.0.1\n  port: ${adminPort}\nzoom:\n  apps:\n    default:\n      secret_token: ${SECRET}\nbus:\n  embedded:\n    path: ${files.dir}/data/bus.sqlite\n    poll_interval_ms: 50\nworker:\n  retry:\n    initial_backoff_ms: 200\n    max_backoff_ms: 1000\n`);
    // scrape and otel: every QSS metric, one route each; broken: an OTLP endpoint nobody listens on (sink errors for the health row).
    writeFileSync(
      files.sinks,
      `sinks:\n  scrape:\n    type: prometheus\n    host: 127.0.0.1\n    port: ${sinkPort}\n    data: metrics\n  otel:\n    type: otlp\n    endpoint: ${routes.otlp.url}/api/v1/otlp\n    data: metrics\n    batch: { max_wait_ms: 100 }\n  broken:\n    type: otlp\n    endpoint: http://127.0.0.1:9\n    timeout_ms: 500\n    batch: { max_wait_ms: 0 }\nroutes:\n  - { name: qos, events: ["*.participant_qos", "*.participant_qos_summary", "session.user_qos*", "phone.call_qos*"], sinks: [scrape, otel] }\n  - { name: one-to-fail, events: [meeting.participant_qos_summary], sinks: [broken] }\n`,
    );
    const fwd = await startForwarder(files);
    try {
      // Traffic: simulated meetings (data at join, per-participant QoS), the phone/session/webinar examples, one unsigned request, one invalid QoS body.
      // A few events a second: `simulate` stamps a participant's QoS with the wall-clock second, so
      // at 20/s two of them could share a timestamp with different values, which Prometheus's OTLP
      // receiver refuses ("duplicate sample for timestamp"; a real Zoom sends one a minute).
      const sim = runCli(['simulate', '--url', `${fwd.url}/webhooks/zoom`, '--secret', SECRET, '--meetings', '3', '--participants', '4', '--rate', '4', '--duration', '8s', '--concurrency', '2']);
      const now = Date.now();
      for (const b of exampleBodies().filter((e) => /^(phone|session|webinar)\./.test(e.name))) expect((await postSigned(`${fwd.url}/webhooks/zoom`, movedToNow(b.text, now), { secret: SECRET })).status).to.equal(200);
      expect((await postSigned(`${fwd.url}/webhooks/zoom`, '{"event":"meeting.participant_qos","payload":{}}')).status).to.equal(401);
      expect((await postSigned(`${fwd.url}/webhooks/zoom`, '{"event":"meeting.participant_qos","payload":{"object":{}}}', { secret: SECRET })).status).to.equal(200);
      expect((await sim).code).to.equal(0);

      const exprs = PANELS.flatMap((p) => p.promql.map((e) => ({ title: p.title, expr: withAll(e) })));
      const emptyPanels = async (url: string): Promise<string[]> => {
        const missing: string[] = [];
        for (const { title, expr } of exprs) if ((await query(url, expr)).length === 0) missing.push(`${title}: ${expr}`);
        return missing;
      };
      for (const [route, prometheus] of Object.entries(routes)) {
        const empty = await eventually(async () => {
          const missing = await emptyPanels(prometheus.url);
          return missing.length === 0 ? missing : undefined;
        }, 60000, 2000).catch(() => emptyPanels(prometheus.url));
        expect(empty, `panels without data (${route})`).to.deep.equal([]);
      }

      // The same names and label sets by both routes (job/instance say where a series came from).
      // Left out of the comparison: the participant's dimensions that enrichment adds from the
      // participant cache (device, client, location, …). That cache is shared by every sink's
      // worker, and a worker further ahead on the bus may already have replaced a participant's
      // entry by a later data event when one behind enriches an earlier QoS event, so two sinks can
      // disagree on them (seen here: the two routes differed on zoom_client_name and
      // zoom_participant_device_detail of QoS summaries). Everything else must agree.
      const ENRICHED = new Set(DIMENSION_FIELDS.map(([, attribute]) => attribute.replace(/\./g, '_')));
      const zoomSeries = async (url: string): Promise<string[]> =>
        [...new Set((await seriesOf(url, '{__name__=~"zoom_.+"}')).map((labels) => JSON.stringify(Object.entries(labels).filter(([k]) => k !== 'job' && k !== 'instance' && !ENRICHED.has(k)).sort())))].sort();
      const [byOtlp, byScrape] = await eventually(async () => {
        const both = [await zoomSeries(routes.otlp.url), await zoomSeries(routes.scrape.url)];
        return both[0]!.length > 0 && JSON.stringify(both[0]) === JSON.stringify(both[1]) ? both : undefined;
      }, 30000, 1000).catch(async () => [await zoomSeries(routes.otlp.url), await zoomSeries(routes.scrape.url)]);
      // Prometheus took every OTLP request: nothing refused, nothing dead-lettered.
      const self = await (await fetch(`${fwd.adminUrl}/metrics`)).text();
      expect(self.split('\n').filter((l) => /^qss_forwarder_sink_requests_total\{sink="otel",result="(?!success)/.test(l)), 'otel requests other than success').to.deep.equal([]);
      const onlyOtlp = byOtlp!.filter((x) => !byScrape!.includes(x));
      const onlyScrape = byScrape!.filter((x) => !byOtlp!.includes(x));
      expect({ onlyOtlp: onlyOtlp.slice(0, 3), onlyScrape: onlyScrape.slice(0, 3), counts: [onlyOtlp.length, onlyScrape.length] }, `series by OTLP (${byOtlp!.length}) vs by scraping (${byScrape!.length})`).to.deep.equal({ onlyOtlp: [], onlyScrape: [], counts: [0, 0] });
    } finally {
      routes.otlp.stop();
      routes.scrape.stop();
      await fwd.stop();
    }
  });
});
