/**
 * The soak's picture: one panel per metric, one line per process, minutes
 * along the bottom. Plain SVG text, no library: it is a few polylines,
 * and docs/ keeps the file as it is drawn.
 */
import { formatValue, type Metric, type Series } from './verdict.ts';

const PANELS: { metric: Metric; title: string }[] = [
  { metric: 'rss', title: 'resident memory' },
  { metric: 'heapUsed', title: 'V8 heap used' },
  { metric: 'fds', title: 'open file descriptors' },
  { metric: 'eldP99Ms', title: 'event-loop delay, p99 per interval' },
];
const COLORS = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#ff7f0e',
  '#17becf',
  '#8c564b',
  '#e377c2',
];
const WIDTH = 960;
const PANEL_HEIGHT = 190;
const LEFT = 70;
const PLOT_WIDTH = 620;
const TOP = 30;

const xml = (text: string) =>
  text.replace(
    /[<>&"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string,
  );

export function drawSoak(series: readonly Series[], title: string): string {
  const all = series.flatMap((s) => s.samples.map((x) => x.t));
  const t0 = Math.min(...all);
  const minutes = Math.max((Math.max(...all) - t0) / 60_000, 1 / 60);
  const color = new Map(series.map((s, i) => [s.name, COLORS[i % COLORS.length] as string]));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${TOP + PANELS.length * PANEL_HEIGHT + 10}" font-family="sans-serif" font-size="11">`,
    `<title>${xml(title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="18" font-size="14">${xml(title)}</text>`,
  ];
  PANELS.forEach(({ metric, title: panelTitle }, p) => {
    const y0 = TOP + p * PANEL_HEIGHT + 20;
    const h = PANEL_HEIGHT - 45;
    const lines = series.filter((s) => s.samples.some((x) => x[metric] !== undefined));
    const max = Math.max(1, ...lines.flatMap((s) => s.samples.map((x) => x[metric] ?? 0))) * 1.1;
    parts.push(
      `<text x="${LEFT}" y="${y0 - 6}" font-weight="bold">${panelTitle}</text>`,
      `<rect x="${LEFT}" y="${y0}" width="${PLOT_WIDTH}" height="${h}" fill="none" stroke="#999"/>`,
      `<text x="${LEFT - 4}" y="${y0 + 8}" text-anchor="end">${formatValue(metric, max)}</text>`,
      `<text x="${LEFT - 4}" y="${y0 + h}" text-anchor="end">0</text>`,
      `<text x="${LEFT + PLOT_WIDTH}" y="${y0 + h + 14}" text-anchor="end">${minutes.toFixed(1)} min</text>`,
    );
    for (const s of lines) {
      const points = s.samples
        .filter((x) => x[metric] !== undefined)
        .map((x) => {
          const px = LEFT + ((x.t - t0) / 60_000 / minutes) * PLOT_WIDTH;
          const py = y0 + h - ((x[metric] as number) / max) * h;
          return `${px.toFixed(1)},${py.toFixed(1)}`;
        });
      parts.push(
        `<polyline fill="none" stroke="${color.get(s.name)}" stroke-width="1.5" points="${points.join(' ')}"/>`,
      );
    }
  });
  series.forEach((s, i) => {
    const y = TOP + 30 + i * 16;
    parts.push(
      `<rect x="${LEFT + PLOT_WIDTH + 16}" y="${y - 8}" width="10" height="10" fill="${color.get(s.name)}"/>`,
      `<text x="${LEFT + PLOT_WIDTH + 30}" y="${y}">${xml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
