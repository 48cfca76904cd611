/**
 * A dependency-free SVG line chart for the dashboard: several series against step, linear or log y,
 * a legend, axis ticks, and a tooltip per point (`<title>`). Drawn as a string and parsed once, so it
 * renders fast and exports as it is.
 */
import { formatNumber } from "./dom.js";

/** One line: its name, colour and (x, y) points in x order. */
export interface ChartSeries {
  readonly name: string;
  readonly colour: string;
  readonly points: readonly (readonly [number, number])[];
  /** Dashed line (validation curves). */
  readonly dashed?: boolean;
}

/** What {@link lineChart} draws. */
export interface ChartSpec {
  readonly title: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  /** Logarithmic y axis (only positive values are drawn). */
  readonly logY?: boolean;
  readonly width?: number;
  readonly height?: number;
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The chart as an `<svg>` element: one `path.series` per series with points, a `text.empty` when no series has any. */
export function lineChart(spec: ChartSpec): SVGSVGElement {
  const W = spec.width ?? 400;
  const H = spec.height ?? 250;
  const m = { l: 56, r: 12, t: 28, b: 66 };
  const fy = spec.logY ? (y: number) => Math.log10(y) : (y: number) => y;
  const visible = spec.series.map((s) => ({ ...s, points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!spec.logY || y > 0)) }));
  const all = visible.flatMap((s) => s.points);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.l}" y="16" font-size="13" font-weight="600">${escape(spec.title)}</text>`,
  ];
  if (all.length === 0) {
    parts.push(`<text class="empty" x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="#888">no data yet</text></svg>`);
    return parse(parts.join(""));
  }
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => fy(y));
  const xMin = Math.min(...xs);
  const xMax = Math.max(xMin + 1, ...xs);
  let yMin = Math.min(...ys);
  let yMax = Math.max(...ys);
  if (yMax - yMin < 1e-12) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const pad = (yMax - yMin) * 0.05;
  yMin -= pad;
  yMax += pad;
  const sx = (x: number): number => m.l + ((x - xMin) / (xMax - xMin)) * (W - m.l - m.r);
  const sy = (y: number): number => H - m.b - ((fy(y) - yMin) / (yMax - yMin)) * (H - m.t - m.b);
  parts.push(`<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#444"/>`, `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#444"/>`);
  for (let i = 0; i <= 4; i++) {
    const v = yMin + ((yMax - yMin) * i) / 4;
    const y = H - m.b - (i / 4) * (H - m.t - m.b);
    parts.push(`<line x1="${m.l}" y1="${y.toFixed(1)}" x2="${W - m.r}" y2="${y.toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 4}" y="${(y + 4).toFixed(1)}" text-anchor="end">${formatNumber(spec.logY ? 10 ** v : v)}</text>`);
    const xv = xMin + ((xMax - xMin) * i) / 4;
    parts.push(`<text x="${sx(xv).toFixed(1)}" y="${H - m.b + 14}" text-anchor="middle">${formatNumber(Math.round(xv))}</text>`);
  }
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - m.b + 28}" text-anchor="middle" fill="#555">step</text>`);
  parts.push(`<text x="12" y="${(m.t + H - m.b) / 2}" text-anchor="middle" fill="#555" transform="rotate(-90 12 ${(m.t + H - m.b) / 2})">${escape(spec.yLabel)}</text>`);
  visible.forEach((s, k) => {
    if (s.points.length > 0) {
      const d = s.points.map(([x, y], i) => `${i === 0 ? "M" : "L"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join("");
      parts.push(`<path class="series" d="${d}" fill="none" stroke="${s.colour}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 3"' : ""}><title>${escape(s.name)}</title></path>`);
      const [lx, ly] = s.points[s.points.length - 1]!;
      parts.push(`<circle cx="${sx(lx).toFixed(1)}" cy="${sy(ly).toFixed(1)}" r="2.5" fill="${s.colour}"><title>${escape(`${s.name} at step ${lx}: ${formatNumber(ly)}`)}</title></circle>`);
    }
    // Legend: three columns, rows below the axis label.
    const lx = m.l + 4 + (k % 3) * 112;
    const ly = H - 20 + Math.floor(k / 3) * 13;
    parts.push(`<g class="legend"><line x1="${lx}" y1="${ly - 4}" x2="${lx + 14}" y2="${ly - 4}" stroke="${s.colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 2"' : ""}/><text x="${lx + 18}" y="${ly}">${escape(s.name.length > 17 ? s.name.slice(0, 16) + "…" : s.name)}</text></g>`);
  });
  parts.push("</svg>");
  return parse(parts.join(""));
}

function parse(text: string): SVGSVGElement {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  return document.importNode(doc.documentElement, true) as unknown as SVGSVGElement;
}
