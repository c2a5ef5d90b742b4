import type { Metrics } from "./metrics.js";

/** One evaluated system, as the report shows it. */
export interface SystemResult {
  system: string;
  metrics: Metrics;
}

const METRIC_COLUMNS = ["hit1", "hit5", "recall5", "mrr10", "coverage"] as const;
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/gu, (c) => `&#${c.charCodeAt(0)};`);
}

function hitAtKPlot(results: readonly SystemResult[]): string {
  const width = 560;
  const height = 300;
  const left = 48;
  const bottom = 36;
  const top = 12;
  const right = 140;
  const maxY = Math.max(0.05, ...results.flatMap((r) => r.metrics.hitAtK));
  const x = (k: number) => left + ((k - 1) / 9) * (width - left - right);
  const y = (v: number) => top + (1 - v / maxY) * (height - top - bottom);
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (maxY * i) / 4;
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(2)}</text>`);
  }
  for (let k = 1; k <= 10; k++) parts.push(`<text x="${x(k)}" y="${height - bottom + 16}" text-anchor="middle">${k}</text>`);
  parts.push(`<text x="${(left + width - right) / 2}" y="${height - 4}" text-anchor="middle">k</text>`);
  results.forEach((result, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const points = result.metrics.hitAtK.map((v, k) => `${x(k + 1).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points}"/>`);
    parts.push(`<text x="${width - right + 8}" y="${top + 16 + i * 18}" fill="${colour}">${escapeHtml(result.system)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12" role="img" aria-label="hit@k for k = 1 to 10">${parts.join("")}</svg>`;
}

/**
 * A self-contained HTML report (no external assets): the systems × metrics table and a plot
 * of hit@k for k = 1..10.
 */
export function renderReport(results: readonly SystemResult[], details: Record<string, string | number>): string {
  const header = ["system", "n", "skipped", ...METRIC_COLUMNS].map((h) => `<th>${h}</th>`).join("");
  const rows = results
    .map(({ system, metrics }) => {
      const cells = [escapeHtml(system), String(metrics.n), String(metrics.skipped), ...METRIC_COLUMNS.map((m) => metrics[m].toFixed(3))];
      return `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`;
    })
    .join("\n");
  const facts = Object.entries(details)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(String(v))}</dd>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hashtag-rec evaluation</title>
<style>body{font-family:sans-serif;margin:2rem;color:#222}table{border-collapse:collapse}td,th{padding:.3rem .7rem;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:bold}</style>
</head><body>
<h1>hashtag-rec evaluation</h1>
<dl>${facts}</dl>
<h2>Metrics</h2>
<table><thead><tr>${header}</tr></thead><tbody>
${rows}
</tbody></table>
<h2>hit@k</h2>
${hitAtKPlot(results)}
</body></html>
`;
}
