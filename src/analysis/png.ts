/**
 * A minimal PNG writer (ISO/IEC 15948 / W3C PNG, 2nd edition): 8-bit RGBA, no interlace, filter type
 * 0 on every row, one IDAT chunk. The zlib stream comes from the caller's `deflate` (node:zlib's
 * deflateSync in Node, CompressionStream("deflate") in a browser), so this file has no dependencies.
 * Plus a raster heatmap of one attention head or a layer × head grid, one block of pixels per weight.
 */
import { ValueError } from "../errors.js";
import { type AttentionMaps, headWeights } from "./attention-maps.js";

/** zlib (RFC 1950) compression of bytes. */
export type Deflate = (bytes: Uint8Array) => Uint8Array;

/** An RGBA image: width × height pixels, 4 bytes each, rows top to bottom. */
export interface RgbaImage {
  /** Pixels per row. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** width · height · 4 bytes: R, G, B, A per pixel. */
  readonly pixels: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

// CRC-32 of PNG chunks (ISO 3309 polynomial 0xEDB88320, reflected), table built once.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (as PNG and zlib's crc32 compute it) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length))); // CRC over type and data
  return out;
}

/**
 * Encodes an RGBA image as a PNG file.
 * @throws ValueError when the size is not a positive integer or the pixel buffer has the wrong length.
 */
export function encodePng(image: RgbaImage, deflate: Deflate): Uint8Array {
  const { width, height, pixels } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ValueError(`encodePng: size must be positive integers, got ${width} × ${height}`);
  }
  if (pixels.length !== width * height * 4) throw new ValueError(`encodePng: ${pixels.length} bytes of pixels for ${width} × ${height} RGBA (expected ${width * height * 4})`);
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type 6 (RGBA), deflate, filter method 0, no interlace
  const rowBytes = width * 4;
  const raw = new Uint8Array((rowBytes + 1) * height); // each row: filter byte 0 (None), then its pixels
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  const parts = [Uint8Array.from(PNG_SIGNATURE), chunk("IHDR", header), chunk("IDAT", deflate(raw)), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** [r, g, b] of a weight in [0, 1]: the same white-to-dark-blue ramp as render.ts's weightColour. */
export function weightRgb(weight: number): [number, number, number] {
  const t = Math.min(1, Math.max(0, weight));
  const channel = (to: number): number => Math.round(255 + (to - 255) * t);
  return [channel(8), channel(48), channel(107)];
}

/** Options of {@link attentionHeatmapImage}. */
export interface RasterOptions {
  /** Pixels per weight on each side. Default 8. */
  readonly cellSize?: number;
  /** Pixels between thumbnails of a grid. Default 4. */
  readonly gap?: number;
}

function cellSizeOf(options: RasterOptions, op: string): { cell: number; gap: number } {
  const cell = options.cellSize ?? 8;
  const gap = options.gap ?? 4;
  if (!Number.isInteger(cell) || cell < 1 || cell > 64) throw new ValueError(`${op}: cellSize must be an integer in [1, 64], got ${cell}`);
  if (!Number.isInteger(gap) || gap < 0 || gap > 64) throw new ValueError(`${op}: gap must be an integer in [0, 64], got ${gap}`);
  return { cell, gap };
}

function paintHead(image: RgbaImage, maps: AttentionMaps, layer: number, head: number, x0: number, y0: number, cell: number): void {
  const w = headWeights(maps, layer, head);
  for (let q = 0; q < maps.queries; q++) {
    for (let k = 0; k < maps.keys; k++) {
      const [r, g, b] = weightRgb(w[q * maps.keys + k]!);
      for (let dy = 0; dy < cell; dy++) {
        let at = ((y0 + q * cell + dy) * image.width + x0 + k * cell) * 4;
        for (let dx = 0; dx < cell; dx++, at += 4) image.pixels.set([r, g, b, 255], at);
      }
    }
  }
}

function blank(width: number, height: number): RgbaImage {
  const pixels = new Uint8Array(width * height * 4).fill(255); // opaque white
  return { width, height, pixels };
}

/**
 * One head as pixels: query rows top to bottom, key columns left to right, `cellSize` px per weight.
 * When `head` is undefined, a grid of every layer (rows) × head (columns) separated by `gap` px.
 */
export function attentionHeatmapImage(maps: AttentionMaps, layer: number | undefined, head: number | undefined, options: RasterOptions = {}): RgbaImage {
  const { cell, gap } = cellSizeOf(options, "attentionHeatmapImage");
  const tileW = maps.keys * cell;
  const tileH = maps.queries * cell;
  if (layer !== undefined && head !== undefined) {
    const image = blank(tileW, tileH);
    paintHead(image, maps, layer, head, 0, 0, cell);
    return image;
  }
  const layers = layer === undefined ? Array.from({ length: maps.layers }, (_, l) => l) : [layer];
  const heads = head === undefined ? Array.from({ length: maps.heads }, (_, h) => h) : [head];
  const image = blank(heads.length * (tileW + gap) + gap, layers.length * (tileH + gap) + gap);
  layers.forEach((l, row) => heads.forEach((h, col) => paintHead(image, maps, l, h, gap + col * (tileW + gap), gap + row * (tileH + gap), cell)));
  return image;
}
