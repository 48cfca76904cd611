import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { deflateSync, inflateSync } from "node:zlib";
import { createAttentionMaps } from "../../src/analysis/attention-maps.js";
import { attentionHeatmapImage, crc32, encodePng, weightRgb } from "../../src/analysis/png.js";
import { weightColour } from "../../src/analysis/render.js";
import { previousToken, uniform } from "./helpers.js";

/** Reads the chunks of a PNG file back: type, data, and whether the stored CRC matches. */
function chunks(png: Uint8Array): { type: string; data: Uint8Array; crcOk: boolean }[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out = [];
  for (let at = 8; at < png.length;) {
    const n = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + n);
    out.push({ type, data, crcOk: crc32(png.subarray(at + 4, at + 8 + n)) === view.getUint32(at + 8 + n) });
    at += 12 + n;
  }
  return out;
}

describe("analysis/png", () => {
  test("crc32 check value (the CRC-32 of \"123456789\" is 0xCBF43926)", () => {
    assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  });

  test("encodePng: signature, IHDR, one IDAT that inflates to filter-0 rows of the pixels, IEND", () => {
    const pixels = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => (i * 37) % 256);
    const png = encodePng({ width: 3, height: 2, pixels }, (b) => deflateSync(b));
    assert.deepEqual(Array.from(png.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const list = chunks(png);
    assert.deepEqual(list.map((c) => c.type), ["IHDR", "IDAT", "IEND"]);
    assert.ok(list.every((c) => c.crcOk));
    assert.deepEqual(Array.from(list[0]!.data), [0, 0, 0, 3, 0, 0, 0, 2, 8, 6, 0, 0, 0]);
    const raw = inflateSync(list[1]!.data);
    assert.equal(raw.length, 2 * (1 + 12));
    assert.equal(raw[0], 0);
    assert.equal(raw[13], 0);
    assert.deepEqual(Array.from(raw.subarray(1, 13)), Array.from(pixels.subarray(0, 12)));
    assert.deepEqual(Array.from(raw.subarray(14)), Array.from(pixels.subarray(12)));
  });

  test("encodePng refuses a wrong buffer or size", () => {
    assert.throws(() => encodePng({ width: 2, height: 2, pixels: new Uint8Array(15) }, (b) => b), /15 bytes of pixels for 2 × 2/);
    assert.throws(() => encodePng({ width: 0, height: 2, pixels: new Uint8Array(0) }, (b) => b), /positive integers/);
  });

  test("heatmap image: one cell per weight in the SVG's colours; a grid of layers × heads", () => {
    const maps = createAttentionMaps({ weights: [[previousToken(3), uniform(3, true)]], keyTokens: ["a", "b", "c"], causal: true });
    assert.equal(`rgb(${weightRgb(0.3).join(",")})`, weightColour(0.3));
    const one = attentionHeatmapImage(maps, 0, 0, { cellSize: 2 });
    assert.deepEqual([one.width, one.height], [6, 6]);
    const pixel = (x: number, y: number): number[] => Array.from(one.pixels.subarray((y * one.width + x) * 4, (y * one.width + x) * 4 + 4));
    assert.deepEqual(pixel(0, 2), [...weightRgb(1), 255]); // query 1 → key 0 (previous token), weight 1
    assert.deepEqual(pixel(3, 3), [...weightRgb(0), 255]); // query 1 → key 1, weight 0
    const grid = attentionHeatmapImage(maps, undefined, undefined, { cellSize: 2, gap: 1 });
    assert.deepEqual([grid.width, grid.height], [2 * 7 + 1, 7 + 1]);
    assert.throws(() => attentionHeatmapImage(maps, 0, 0, { cellSize: 0 }), /cellSize must be an integer in \[1, 64\]/);
  });
});
