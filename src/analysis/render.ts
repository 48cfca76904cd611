/**
 * SVG pictures of attention as plain strings, with no dependencies, so they work in Node (written to a
 * file by the CLI) and in the browser (set as innerHTML) alike: a heatmap of one head, a grid of
 * layer × head thumbnails, and a head view with lines between tokens as bertviz (Vig 2019) draws it.
 */
import { ValueError } from "../errors.js";
import { type AttentionMaps, headWeights } from "./attention-maps.js";

/**
 * Escapes text for XML content and attribute values (`&`, `<`, `>`, `"`, `'`), and replaces characters
 * XML 1.0 forbids (control characters other than tab, newline and carriage return, lone surrogates)
 * with U+FFFD, because byte-level tokens can contain them.
 */
export function escapeXml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/gu, "\ufffd")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** Colour of a weight in [0, 1]: white to dark blue, linear in each sRGB channel. */
export function weightColour(weight: number): string {
  const t = Math.min(1, Math.max(0, weight));
  const channel = (to: number): number => Math.round(255 + (to - 255) * t);
  return `rgb(${channel(8)},${channel(48)},${channel(107)})`;
}

/** Head colours of the head view, cycled when a layer has more heads. */
export const HEAD_COLOURS: readonly string[] = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
  "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
];

const fmt = (x: number): string => (Math.round(x * 100) / 100).toString();
const FONT = `font-family="sans-serif"`;

// Room for a column of labels: about 7 px per character at font size 11–12, within sensible bounds.
function labelRoom(tokens: readonly string[]): number {
  const longest = tokens.reduce((m, t) => Math.max(m, [...t].length), 0);
  return Math.min(240, Math.max(40, 7 * longest + 12));
}

function positive(value: number, name: string, op: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new ValueError(`${op}: ${name} must be a finite number > 0, got ${value}`);
  return value;
}

/** Options of {@link attentionHeatmapSvg}. */
export interface HeatmapOptions {
  /** Side of one cell in px. Default 18. */
  readonly cellSize?: number;
  /** Room for the token labels in px. Default from the longest token (about 7 px a character, 40–240). */
  readonly labelSpace?: number;
  /** Title drawn above; default "layer L, head H". */
  readonly title?: string;
}

/**
 * A heatmap of one head as an SVG document: rows are the query tokens (labelled on the left), columns
 * the key tokens (labelled on top, rotated), one `<rect>` per weight, coloured by {@link weightColour}
 * and carrying a `<title>` "query → key: weight" for hover.
 */
export function attentionHeatmapSvg(maps: AttentionMaps, layer: number, head: number, options: HeatmapOptions = {}): string {
  const w = headWeights(maps, layer, head);
  const cell = positive(options.cellSize ?? 18, "cellSize", "attentionHeatmapSvg");
  const label = positive(options.labelSpace ?? labelRoom([...maps.keyTokens, ...maps.queryTokens]), "labelSpace", "attentionHeatmapSvg");
  const title = options.title ?? `layer ${layer}, head ${head}`;
  const top = label + 20;
  const width = label + maps.keys * cell + 10;
  const height = top + maps.queries * cell + 10;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(width)}" height="${fmt(height)}" viewBox="0 0 ${fmt(width)} ${fmt(height)}">`,
    `<text x="${fmt(label)}" y="14" ${FONT} font-size="13">${escapeXml(title)}</text>`,
  ];
  maps.keyTokens.forEach((token, k) => {
    const x = label + (k + 0.5) * cell;
    parts.push(`<text x="${fmt(x)}" y="${fmt(top - 4)}" ${FONT} font-size="11" transform="rotate(-60 ${fmt(x)} ${fmt(top - 4)})">${escapeXml(token)}</text>`);
  });
  maps.queryTokens.forEach((token, q) => {
    parts.push(`<text x="${fmt(label - 4)}" y="${fmt(top + (q + 0.5) * cell + 4)}" ${FONT} font-size="11" text-anchor="end">${escapeXml(token)}</text>`);
  });
  for (let q = 0; q < maps.queries; q++) {
    for (let k = 0; k < maps.keys; k++) {
      const v = w[q * maps.keys + k]!;
      const tip = `${maps.queryTokens[q]!} → ${maps.keyTokens[k]!}: ${v.toFixed(3)}`;
      parts.push(`<rect x="${fmt(label + k * cell)}" y="${fmt(top + q * cell)}" width="${fmt(cell)}" height="${fmt(cell)}" fill="${weightColour(v)}"><title>${escapeXml(tip)}</title></rect>`);
    }
  }
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

/** Options of {@link attentionGridSvg}. */
export interface GridOptions {
  /** Side of one thumbnail in px. Default 64. */
  readonly thumbnailSize?: number;
  /**
   * Most cells per thumbnail side: longer inputs are shown as block means, so a grid of a long input
   * stays small. Default 32.
   */
  readonly maxCells?: number;
}

/**
 * A grid of thumbnails, one per layer (rows, labelled `L0` …) and head (columns, `H0` …), each a small
 * heatmap of at most `maxCells` × `maxCells` `<rect>`s (block means when the input is longer).
 */
export function attentionGridSvg(maps: AttentionMaps, options: GridOptions = {}): string {
  const size = positive(options.thumbnailSize ?? 64, "thumbnailSize", "attentionGridSvg");
  const maxCells = options.maxCells ?? 32;
  if (!Number.isInteger(maxCells) || maxCells < 1) throw new ValueError(`attentionGridSvg: maxCells must be an integer >= 1, got ${maxCells}`);
  const rows = Math.min(maps.queries, maxCells);
  const cols = Math.min(maps.keys, maxCells);
  const gap = 8;
  const left = 30;
  const top = 20;
  const width = left + maps.heads * (size + gap);
  const height = top + maps.layers * (size + gap);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(width)}" height="${fmt(height)}" viewBox="0 0 ${fmt(width)} ${fmt(height)}">`];
  for (let h = 0; h < maps.heads; h++) parts.push(`<text x="${fmt(left + h * (size + gap) + size / 2)}" y="14" ${FONT} font-size="11" text-anchor="middle">H${h}</text>`);
  for (let l = 0; l < maps.layers; l++) {
    const y0 = top + l * (size + gap);
    parts.push(`<text x="2" y="${fmt(y0 + size / 2 + 4)}" ${FONT} font-size="11">L${l}</text>`);
    for (let h = 0; h < maps.heads; h++) {
      const x0 = left + h * (size + gap);
      const cells = blockMeans(headWeights(maps, l, h), maps.queries, maps.keys, rows, cols);
      parts.push(`<g><title>layer ${l}, head ${h}</title>`);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          parts.push(`<rect x="${fmt(x0 + (c * size) / cols)}" y="${fmt(y0 + (r * size) / rows)}" width="${fmt(size / cols)}" height="${fmt(size / rows)}" fill="${weightColour(cells[r * cols + c]!)}"/>`);
        }
      }
      parts.push("</g>");
    }
  }
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

// Mean of each of rows × cols blocks of a [queries, keys] matrix; block r covers queries
// [floor(r·Q/rows), floor((r+1)·Q/rows)).
function blockMeans(w: Float32Array, queries: number, keys: number, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const q0 = Math.floor((r * queries) / rows);
    const q1 = Math.floor(((r + 1) * queries) / rows);
    for (let c = 0; c < cols; c++) {
      const k0 = Math.floor((c * keys) / cols);
      const k1 = Math.floor(((c + 1) * keys) / cols);
      let sum = 0;
      for (let q = q0; q < q1; q++) for (let k = k0; k < k1; k++) sum += w[q * keys + k]!;
      out[r * cols + c] = sum / ((q1 - q0) * (k1 - k0));
    }
  }
  return out;
}

/** Options of {@link headViewSvg}. */
export interface HeadViewOptions {
  /** Heads drawn, each in its colour from {@link HEAD_COLOURS}. Default every head of the layer. */
  readonly heads?: readonly number[];
  /** Weights below this draw no line (bertviz draws them nearly invisible anyway). Default 0.01. */
  readonly minWeight?: number;
  /** Height of a token row in px. Default 20. */
  readonly rowHeight?: number;
}

/**
 * The head view of one layer, as bertviz draws it: query tokens in a left column, key tokens in a right
 * column, and for each head and each weight ≥ `minWeight` a `<line>` from query to key whose
 * `stroke-opacity` is the weight. With several heads the lines overlap in their head colours.
 */
export function headViewSvg(maps: AttentionMaps, layer: number, options: HeadViewOptions = {}): string {
  const heads = options.heads ?? Array.from({ length: maps.heads }, (_, h) => h);
  const minWeight = options.minWeight ?? 0.01;
  if (!(minWeight >= 0 && minWeight <= 1)) throw new ValueError(`headViewSvg: minWeight must be in [0, 1], got ${minWeight}`);
  const rowHeight = positive(options.rowHeight ?? 20, "rowHeight", "headViewSvg");
  const columnWidth = labelRoom([...maps.keyTokens, ...maps.queryTokens]);
  const spread = 160;
  const top = 24;
  const leftX = columnWidth;
  const rightX = columnWidth + spread;
  const width = 2 * columnWidth + spread;
  const height = top + Math.max(maps.queries, maps.keys) * rowHeight + 8;
  const rowY = (i: number): number => top + (i + 0.5) * rowHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(width)}" height="${fmt(height)}" viewBox="0 0 ${fmt(width)} ${fmt(height)}">`,
    `<text x="${fmt(width / 2)}" y="14" ${FONT} font-size="13" text-anchor="middle">layer ${layer}, heads ${escapeXml(heads.join(","))}</text>`,
  ];
  for (const h of heads) {
    const w = headWeights(maps, layer, h);
    const colour = HEAD_COLOURS[h % HEAD_COLOURS.length]!;
    parts.push(`<g stroke="${colour}" stroke-width="2">`);
    for (let q = 0; q < maps.queries; q++) {
      for (let k = 0; k < maps.keys; k++) {
        const v = w[q * maps.keys + k]!;
        if (v < minWeight || v === 0) continue;
        parts.push(`<line x1="${fmt(leftX)}" y1="${fmt(rowY(q))}" x2="${fmt(rightX)}" y2="${fmt(rowY(k))}" stroke-opacity="${v.toFixed(3)}"/>`);
      }
    }
    parts.push("</g>");
  }
  maps.queryTokens.forEach((token, q) => {
    parts.push(`<text x="${fmt(leftX - 6)}" y="${fmt(rowY(q) + 4)}" ${FONT} font-size="12" text-anchor="end">${escapeXml(token)}</text>`);
  });
  maps.keyTokens.forEach((token, k) => {
    parts.push(`<text x="${fmt(rightX + 6)}" y="${fmt(rowY(k) + 4)}" ${FONT} font-size="12">${escapeXml(token)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
