// Renders docs/dashboards/preview/overview.png: a real `serve` with the `prometheus` sink fed by
// the simulator (plus the phone/session/webinar examples), scraped by a real Prometheus, the Grafana
// dashboard's queries run against it, the results drawn as charts in a page (render-preview-page.ts)
// and screenshotted in headless Chromium. Grafana has no package here; this is the stand-in.
//
//   node --import tsx docs/dashboards/preview/make-preview.ts [--seconds 90]
// Needs: prometheus and chromium (apt-get install -y prometheus chromium).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { PANELS } from '../../../src/dashboards/dashboard-panels.ts';
import { renderPreviewPage, type PanelResult } from '../../../src/dashboards/render-preview-page.ts';
import { postSigned } from '../../../test/support/signed-request.ts';
import { exampleBodies, movedToNow } from '../../../test/support/sink-batches.ts';
import { runCli, startForwarder, writeConfig } from '../../../test/support/start-forwarder.ts';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '90' }, simulate: { type: 'string', default: '' } } });
const SECONDS = Number(args.seconds);
const SECRET = 'preview-secret';
const OUT = import.meta.dirname;

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const files = writeConfig();
const [sinkPort, promPort] = await Promise.all([freePort(), freePort()]);
writeFileSync(files.config, `data_dir: ${files.dir}/data\nserver:\n  host: 127.0.0.1\n  port: 0\nadmin:\n  host: 127.0.0.1\n  port: 0\nzoom:\n  apps:\n    default:\n      secret_token: ${SECRET}\nbus:\n  embedded:\n    path: ${files.dir}/data/bus.sqlite\n`);
writeFileSync(files.sinks, `sinks:\n  scrape:\n    type: prometheus\n    host: 127.0.0.1\n    port: ${sinkPort}\n    data: metrics\n    series_idle_minutes: 2\n`);
const fwd = await startForwarder(files);
const promDir = join(files.dir, 'prometheus');
mkdirSync(promDir, { recursive: true });
writeFileSync(join(promDir, 'prometheus.yml'), `global:\n  scrape_interval: 2s\nscrape_configs:\n  - job_name: zoom\n    static_configs: [{ targets: ['127.0.0.1:${sinkPort}'] }]\n  - job_name: qss-forwarder\n    static_configs: [{ targets: ['${new URL(fwd.adminUrl).host}'] }]\n`);
const prometheus = spawn('prometheus', [`--config.file=${join(promDir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(promDir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
const started = Date.now() / 1000;
try {
  const extra = args.simulate === '' ? [] : args.simulate.split(' ');
  const sim = runCli(['simulate', '--url', `${fwd.url}/webhooks/zoom`, '--secret', SECRET, '--meetings', '8', '--participants', '6', '--rate', '40', '--duration', `${SECONDS}s`, '--concurrency', '8', ...extra]);
  for (let t = 0; t < SECONDS; t += 15) {
    for (const b of exampleBodies().filter((e) => /^(phone|session|webinar)\./.test(e.name))) await postSigned(`${fwd.url}/webhooks/zoom`, movedToNow(b.text, Date.now()), { secret: SECRET });
    await new Promise((r) => setTimeout(r, 15_000));
  }
  console.log(`simulate exited ${(await sim).code}`);
  await new Promise((r) => setTimeout(r, 5000));
  const end = Date.now() / 1000;
  const results: PanelResult[] = [];
  for (const panel of PANELS.filter((p) => p.row !== 'Pipeline health')) {
    const series: PanelResult['series'] = [];
    for (const [q, raw] of panel.promql.entries()) {
      const expr = raw.replace(/\$(account|location|network_type|media_type)/g, '.*');
      const range = panel.kind === 'timeseries';
      const url = range
        ? `http://127.0.0.1:${promPort}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${started}&end=${end}&step=5`
        : `http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`;
      const body = (await (await fetch(url)).json()) as { data: { result: { metric: Record<string, string>; values?: [number, string][]; value?: [number, string] }[] } };
      for (const r of body.data.result) {
        const label = panel.legends?.[q] ?? (Object.entries(r.metric).map(([k, v]) => `${k.replace(/^zoom_/, '')}=${v}`).join(' ') || '(none)');
        series.push({ label, points: (r.values ?? (r.value ? [r.value] : [])).map(([t, v]) => [t, Number(v)]) });
      }
    }
    if (panel.kind !== 'timeseries') series.sort((a, b) => (b.points.at(-1)?.[1] ?? 0) - (a.points.at(-1)?.[1] ?? 0));
    results.push({ panel, series });
  }
  const html = renderPreviewPage('Zoom quality (QSS) — preview of the Grafana dashboard', results, `Queries of docs/dashboards/grafana/zoom-quality.json run against Prometheus 2.42 scraping the prometheus sink; ${SECONDS} s of simulated traffic (8 meetings × 6 participants at 40 events/s) plus Zoom's phone, session and webinar examples.`);
  writeFileSync(join(OUT, 'overview.html'), html);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const page = await browser.newPage({ viewport: { width: 1220, height: 900 } });
  await page.setContent(html);
  await page.screenshot({ path: join(OUT, 'overview.png'), fullPage: true });
  await browser.close();
  console.log(`wrote ${join(OUT, 'overview.png')}`);
} finally {
  prometheus.kill('SIGTERM');
  await fwd.stop();
}
