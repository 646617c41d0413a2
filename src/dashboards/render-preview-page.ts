// A static preview of a dashboard: each panel's Prometheus results drawn as simple SVG charts in
// one HTML page (line charts for time series, bars for the rest), so the Grafana dashboard can be
// looked at without Grafana (which has no package here). Pure: results in, HTML out.
import type { Panel } from './dashboard-panels.ts';

export interface PanelResult {
  panel: Panel;
  /** One entry per series: its label text and its [epoch s, value] points (one point for instant queries). */
  series: { label: string; points: [number, number][] }[];
}

const COLORS = ['#7eb26d', '#eab839', '#6ed0e0', '#ef843c', '#e24d42', '#1f78c1', '#ba43a9', '#705da0', '#508642', '#cca300'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function formatValue(v: number, unit: string): string {
  if (unit === 'percentunit') return `${(v * 100).toFixed(1)} %`;
  if (unit === 's') return v < 1 ? `${(v * 1000).toFixed(0)} ms` : `${v.toFixed(2)} s`;
  if (unit === 'bps') return v >= 1e6 ? `${(v / 1e6).toFixed(1)} Mb/s` : `${(v / 1e3).toFixed(0)} kb/s`;
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

function lineChart(r: PanelResult, w: number, h: number): string {
  const all = r.series.flatMap((s) => s.points);
  if (all.length === 0) return `<text x="${w / 2}" y="${h / 2}" text-anchor="middle" fill="#888">no data</text>`;
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(0, ...ys), Math.max(...ys) || 1];
  const px = (x: number): number => 50 + ((x - x0) / Math.max(1, x1 - x0)) * (w - 60);
  const py = (y: number): number => h - 20 - ((y - y0) / Math.max(1e-12, y1 - y0)) * (h - 40);
  const lines = r.series
    .slice(0, COLORS.length)
    .map((s, i) => `<polyline fill="none" stroke="${COLORS[i]}" stroke-width="2" points="${s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`)
    .join('');
  const axis = `<text x="4" y="${py(y1) + 4}" font-size="10" fill="#aaa">${esc(formatValue(y1, r.panel.unit))}</text><text x="4" y="${py(y0)}" font-size="10" fill="#aaa">${esc(formatValue(y0, r.panel.unit))}</text>`;
  return `${axis}${lines}`;
}

function bars(r: PanelResult, w: number, h: number): string {
  const items = r.series.map((s) => ({ label: s.label, value: s.points[s.points.length - 1]?.[1] ?? 0 })).slice(0, 10);
  if (items.length === 0) return `<text x="${w / 2}" y="${h / 2}" text-anchor="middle" fill="#888">no data</text>`;
  const max = Math.max(...items.map((i) => i.value), 1e-12);
  const rowH = Math.min(24, (h - 10) / items.length);
  return items
    .map((it, i) => {
      const y = 5 + i * rowH;
      const bw = ((w - 260) * it.value) / max;
      return `<text x="4" y="${y + rowH * 0.7}" font-size="11" fill="#ddd">${esc(it.label.slice(0, 34))}</text><rect x="220" y="${y + 2}" width="${Math.max(1, bw).toFixed(1)}" height="${rowH - 4}" fill="${COLORS[i % COLORS.length]}"/><text x="${225 + bw}" y="${y + rowH * 0.7}" font-size="11" fill="#ddd">${esc(formatValue(it.value, r.panel.unit))}</text>`;
    })
    .join('');
}

export function renderPreviewPage(title: string, results: readonly PanelResult[], note: string): string {
  const cards = results.map((r) => {
    const w = 560;
    const h = 220;
    const body = r.panel.kind === 'timeseries' ? lineChart(r, w, h) : bars(r, w, h);
    const legend = r.panel.kind === 'timeseries' ? r.series.slice(0, 6).map((s, i) => `<span style="color:${COLORS[i]}">■ ${esc(s.label)}</span>`).join(' ') : '';
    return `<div class="card"><h3>${esc(r.panel.title)}</h3><svg width="${w}" height="${h}">${body}</svg><div class="legend">${legend}</div></div>`;
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>
body{background:#111217;color:#ccc;font-family:sans-serif;margin:16px}h1{font-size:18px;color:#eee}h3{font-size:13px;margin:4px 0 6px;color:#eee}
.grid{display:grid;grid-template-columns:repeat(2,580px);gap:12px}.card{background:#181b1f;border:1px solid #2c3235;padding:8px}.legend{font-size:10px}.note{font-size:11px;color:#888}
</style></head><body><h1>${esc(title)}</h1><p class="note">${esc(note)}</p><div class="grid">${cards.join('')}</div></body></html>`;
}
