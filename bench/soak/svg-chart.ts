// A small SVG line chart (for docs/reliability.md and docs/performance.md): series of (x, y)
// points, axes with min/max labels, a legend. Pure.

export interface ChartSeries {
  label: string;
  points: [number, number][];
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function lineChartSvg(title: string, xLabel: string, yLabel: string, series: readonly ChartSeries[], size = { w: 640, h: 260 }): string {
  const { w, h } = size;
  const left = 60;
  const bottom = 40;
  const legendRows = Math.max(1, Math.ceil(series.length / 4));
  const top = 30 + 12 * legendRows;
  const right = 20;
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const x0 = Math.min(0, ...xs);
  const x1 = Math.max(1, ...xs);
  const y1 = Math.max(1e-9, ...ys) * 1.05;
  const px = (x: number): number => left + ((x - x0) / (x1 - x0)) * (w - left - right);
  const py = (y: number): number => h - bottom - (y / y1) * (h - top - bottom);
  const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(3));
  const lines = series
    .map((s, i) => `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5" points="${s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`)
    .join('\n');
  const legend = series.map((s, i) => `<text x="${left + 10 + (i % 4) * 170}" y="${32 + Math.floor(i / 4) * 12}" font-size="11" fill="${COLORS[i % COLORS.length]}">■ ${esc(s.label)}</text>`).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${w / 2}" y="14" font-size="13" text-anchor="middle">${esc(title)}</text>
${legend}
<line x1="${left}" y1="${h - bottom}" x2="${w - right}" y2="${h - bottom}" stroke="#888"/>
<line x1="${left}" y1="${top}" x2="${left}" y2="${h - bottom}" stroke="#888"/>
<text x="${left - 4}" y="${py(y1) + 4}" font-size="10" text-anchor="end">${fmt(y1)}</text>
<text x="${left - 4}" y="${h - bottom}" font-size="10" text-anchor="end">0</text>
<text x="${left}" y="${h - bottom + 14}" font-size="10">${fmt(x0)}</text>
<text x="${w - right}" y="${h - bottom + 14}" font-size="10" text-anchor="end">${fmt(x1)}</text>
<text x="${(left + w - right) / 2}" y="${h - 8}" font-size="11" text-anchor="middle">${esc(xLabel)}</text>
<text x="14" y="${(top + h - bottom) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${(top + h - bottom) / 2})">${esc(yLabel)}</text>
${lines}
</svg>
`;
}

export function barChartSvg(title: string, unit: string, bars: readonly { label: string; value: number }[], size = { w: 640, h: 30 + 24 * bars.length }): string {
  const max = Math.max(1e-9, ...bars.map((b) => b.value));
  const rows = bars
    .map((b, i) => {
      const y = 30 + i * 24;
      const bw = ((size.w - 300) * b.value) / max;
      return `<text x="4" y="${y + 14}" font-size="11">${esc(b.label)}</text><rect x="230" y="${y + 2}" width="${bw.toFixed(1)}" height="16" fill="${COLORS[i % COLORS.length]}"/><text x="${235 + bw}" y="${y + 14}" font-size="11">${b.value.toLocaleString('en')} ${esc(unit)}</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size.w}" height="${size.h}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${size.w / 2}" y="16" font-size="13" text-anchor="middle">${esc(title)}</text>
${rows}
</svg>
`;
}
