/**
 * How attention changes with depth, as pictures and text: an SVG line chart of per-layer statistics
 * (normalised entropy, share within ±k, previous-token, first-token and special/punctuation attention,
 * all in [0, 1]) and a Markdown summary of an {@link AttentionReport}.
 */
import { escapeXml } from "./render.js";
import type { AttentionReport, LayerStatistics } from "./report.js";
import { HEAD_CLASSES } from "./classify.js";

/** The per-layer series the depth chart draws: statistic, legend label and colour. */
export const DEPTH_SERIES: readonly { readonly field: keyof LayerStatistics; readonly label: string; readonly colour: string }[] = [
  { field: "normalizedEntropy", label: "entropy / log n", colour: "#1f77b4" },
  { field: "withinWindow", label: "within ±k", colour: "#ff7f0e" },
  { field: "previous", label: "previous token", colour: "#2ca02c" },
  { field: "first", label: "first token", colour: "#d62728" },
  { field: "delimiterOrSink", label: "first/special/punct.", colour: "#9467bd" },
];

const fmt = (x: number): string => (Math.round(x * 100) / 100).toString();

/**
 * A line chart, one line per {@link DEPTH_SERIES} entry: x the layer, y the layer's mean over heads in
 * [0, 1]; a layer where a statistic is NaN (no row had it) breaks its line. One `<circle>` per point.
 */
export function depthChartSvg(report: AttentionReport, title = "attention statistics by layer"): string {
  const W = 640;
  const H = 360;
  const m = { l: 48, r: 170, t: 32, b: 40 };
  const span = Math.max(1, report.layers - 1);
  const sx = (layer: number): number => m.l + (layer / span) * (W - m.l - m.r);
  const sy = (y: number): number => H - m.b - y * (H - m.t - m.b);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.l}" y="20" font-size="14">${escapeXml(title)}</text>`,
    `<text x="${(W - m.r + m.l) / 2}" y="${H - 8}" text-anchor="middle">layer</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = i / 4;
    parts.push(`<line x1="${m.l}" y1="${fmt(sy(y))}" x2="${W - m.r}" y2="${fmt(sy(y))}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 6}" y="${fmt(sy(y) + 4)}" text-anchor="end">${y.toFixed(2)}</text>`);
  }
  for (let l = 0; l < report.layers; l++) parts.push(`<text x="${fmt(sx(l))}" y="${H - m.b + 16}" text-anchor="middle">${l}</text>`);
  DEPTH_SERIES.forEach((series, s) => {
    const values = report.perLayer.map((layer) => layer.statistics[series.field]);
    let path = "";
    values.forEach((v, l) => {
      if (!Number.isFinite(v)) return;
      const previousFinite = l > 0 && Number.isFinite(values[l - 1]!);
      path += `${previousFinite ? "L" : "M"}${fmt(sx(l))},${fmt(sy(v))}`;
    });
    if (path !== "") parts.push(`<path d="${path}" fill="none" stroke="${series.colour}" stroke-width="2"/>`);
    values.forEach((v, l) => {
      if (Number.isFinite(v)) parts.push(`<circle cx="${fmt(sx(l))}" cy="${fmt(sy(v))}" r="3" fill="${series.colour}"/>`);
    });
    const ly = m.t + 14 + s * 18;
    parts.push(`<line x1="${W - m.r + 12}" y1="${ly - 4}" x2="${W - m.r + 32}" y2="${ly - 4}" stroke="${series.colour}" stroke-width="2"/>`);
    parts.push(`<text x="${W - m.r + 38}" y="${ly}">${escapeXml(series.label)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

const num = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : "–");

/**
 * A Markdown summary: one table row per layer (mean entropy against uniform, E|i − j|, share within ±k,
 * previous/first-token attention, class counts) and one line per head that is not `other`.
 */
export function attentionReportMarkdown(report: AttentionReport, heading = "Attention analysis"): string {
  const s = report.settings;
  const lines = [
    `# ${heading}`,
    "",
    `${report.inputs} inputs, ${report.layers} layers × ${report.heads} heads, ${report.rows} query rows per head; window k = ${s.window}, entropy smoothing ε = ${s.entropySmoothing}; thresholds: positional ${s.thresholds.positionalShare}, delimiter ${s.thresholds.delimiterShare}, broad ${s.thresholds.broadEntropy}.`,
    "",
    "| layer | entropy (nats) | uniform | entropy / log n | E\\|i−j\\| | within ±k | previous | first | first/special/punct. | classes |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const layer of report.perLayer) {
    const t = layer.statistics;
    const classes = HEAD_CLASSES.filter((c) => layer.classCounts[c] > 0).map((c) => `${c} ${layer.classCounts[c]}`).join(", ");
    lines.push(`| ${layer.layer} | ${num(t.entropy)} | ${num(t.uniformEntropy)} | ${num(t.normalizedEntropy)} | ${num(t.meanDistance)} | ${num(t.withinWindow)} | ${num(t.previous)} | ${num(t.first)} | ${num(t.delimiterOrSink)} | ${classes} |`);
  }
  lines.push("", "Heads by class (all others are `other`):", "");
  for (const row of report.perHead) {
    for (const h of row) {
      if (h.class === "other") continue;
      const t = h.statistics;
      lines.push(`- L${h.layer} H${h.head}: **${h.class}** (previous ${num(t.previous)}, arg-max on previous ${num(t.previousArgmaxShare)}, first/special/punct. ${num(t.delimiterOrSink)}, entropy / log n ${num(t.normalizedEntropy)})`);
    }
  }
  return lines.join("\n") + "\n";
}
