// The Grafana dashboard's queries, run for real: a `serve` with the `prometheus` sink, fed signed
// Zoom events over HTTP (simulated meetings + the phone and session examples), scraped by a real
// Prometheus (Debian's package) together with the forwarder's own /metrics; every panel's PromQL,
// with its template variables set to All, must return data. (Grafana itself has no package here.)
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PANELS } from '../../src/dashboards/dashboard-panels.ts';
import { eventually, postSigned } from '../support/signed-request.ts';
import { exampleBodies, movedToNow } from '../support/sink-batches.ts';
import { runCli, startForwarder, writeConfig } from '../support/start-forwarder.ts';

const SECRET = 'dashboards-secret';
const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** A panel's query with the dashboard's template variables set to All. */
const withAll = (expr: string): string => expr.replace(/\$(account|location|network_type|media_type)/g, '.*');

describe('Grafana dashboard queries against a real Prometheus', function () {
  this.timeout(120000);

  it('every panel query returns data from Prometheus scraping the prometheus sink and the forwarder\'s /metrics', async () => {
    expect(spawnSync('prometheus', ['--version']).status, 'the prometheus binary (apt-get install prometheus)').to.equal(0);
    const files = writeConfig();
    const [sinkPort, promPort] = await Promise.all([freePort(), freePort()]);
    writeFileSync(files.config, `data_dir: ${files.dir}/data\nserver:\n  host: 127.0.0.1\n  port: 0\nadmin:\n  host: 127.0.0.1\n  port: 0\nzoom:\n  apps:\n    default:\n      secret_token: ${SECRET}\nbus:\n  embedded:\n    path: ${files.dir}/data/bus.sqlite\n    poll_interval_ms: 50\nworker:\n  retry:\n    initial_backoff_ms: 200\n    max_backoff_ms: 1000\n`);
    // scrape: every QSS metric; broken: an OTLP endpoint nobody listens on (sink errors for the health row).
    writeFileSync(
      files.sinks,
      `sinks:\n  scrape:\n    type: prometheus\n    host: 127.0.0.1\n    port: ${sinkPort}\n    data: metrics\n  broken:\n    type: otlp\n    endpoint: http://127.0.0.1:9\n    timeout_ms: 500\n    batch: { max_wait_ms: 0 }\nroutes:\n  - { name: qos, events: ["*.participant_qos", "*.participant_qos_summary", "session.user_qos*", "phone.call_qos*"], sinks: [scrape] }\n  - { name: one-to-fail, events: [meeting.participant_qos_summary], sinks: [broken] }\n`,
    );
    const fwd = await startForwarder(files);
    const promDir = join(files.dir, 'prometheus');
    mkdirSync(promDir, { recursive: true });
    writeFileSync(
      join(promDir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: zoom\n    static_configs: [{ targets: ['127.0.0.1:${sinkPort}'] }]\n  - job_name: qss-forwarder\n    static_configs: [{ targets: ['${new URL(fwd.adminUrl).host}'] }]\n`,
    );
    let prometheus: ChildProcess | undefined;
    try {
      prometheus = spawn('prometheus', [`--config.file=${join(promDir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(promDir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
      // Traffic: simulated meetings (data at join, per-participant QoS), the phone/session/webinar examples, one unsigned request, one invalid QoS body.
      const sim = runCli(['simulate', '--url', `${fwd.url}/webhooks/zoom`, '--secret', SECRET, '--meetings', '3', '--participants', '4', '--rate', '20', '--duration', '6s', '--concurrency', '4']);
      const now = Date.now();
      for (const b of exampleBodies().filter((e) => /^(phone|session|webinar)\./.test(e.name))) expect((await postSigned(`${fwd.url}/webhooks/zoom`, movedToNow(b.text, now), { secret: SECRET })).status).to.equal(200);
      expect((await postSigned(`${fwd.url}/webhooks/zoom`, '{"event":"meeting.participant_qos","payload":{}}')).status).to.equal(401);
      expect((await postSigned(`${fwd.url}/webhooks/zoom`, '{"event":"meeting.participant_qos","payload":{"object":{}}}', { secret: SECRET })).status).to.equal(200);
      expect((await sim).code).to.equal(0);

      const query = async (expr: string): Promise<unknown[]> => {
        const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`);
        const body = (await res.json()) as { status: string; data?: { result: unknown[] }; error?: string };
        if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
        return body.data?.result ?? [];
      };
      const exprs = PANELS.flatMap((p) => p.promql.map((e) => ({ title: p.title, expr: withAll(e) })));
      const empty = await eventually(
        async () => {
          const missing: string[] = [];
          for (const { title, expr } of exprs) if ((await query(expr)).length === 0) missing.push(`${title}: ${expr}`);
          return missing.length === 0 ? missing : undefined;
        },
        60000,
        2000,
      ).catch(async () => {
        const missing: string[] = [];
        for (const { title, expr } of exprs) if ((await query(expr)).length === 0) missing.push(`${title}: ${expr}`);
        return missing;
      });
      expect(empty, 'panels without data').to.deep.equal([]);
    } finally {
      prometheus?.kill('SIGTERM');
      await fwd.stop();
    }
  });
});
