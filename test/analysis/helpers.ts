// Hand-made attention matrices and a small XML checker shared by the analysis tests.
import assert from "node:assert/strict";
import { type AttentionMaps, createAttentionMaps } from "../../src/analysis/attention-maps.js";

/** [n, n] uniform over the visible keys (all n, or 0..q when causal). */
export function uniform(n: number, causal: boolean): number[][] {
  return Array.from({ length: n }, (_, q) => Array.from({ length: n }, (_, k) => (causal ? (k <= q ? 1 / (q + 1) : 0) : 1 / n)));
}

/** [n, n] one-hot on the previous token; row 0 (no previous) on itself. */
export function previousToken(n: number): number[][] {
  return Array.from({ length: n }, (_, q) => Array.from({ length: n }, (_, k) => (k === Math.max(0, q - 1) ? 1 : 0)));
}

/** [n, n] identity: each token on itself. */
export function diagonal(n: number): number[][] {
  return Array.from({ length: n }, (_, q) => Array.from({ length: n }, (_, k) => (k === q ? 1 : 0)));
}

/** [n, n] every row on position 0 (an attention sink). */
export function sink(n: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: n }, (_, k) => (k === 0 ? 1 : 0)));
}

/** One-layer, one-head maps from a matrix. */
export function single(matrix: number[][], tokens: string[], causal = false): AttentionMaps {
  return createAttentionMaps({ weights: [[matrix]], keyTokens: tokens, causal });
}

/** Seeded generator (mulberry32) so random matrices are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random row-stochastic [n, n] matrix (causal: zero above the diagonal). */
export function randomAttention(n: number, random: () => number, causal = false): number[][] {
  return Array.from({ length: n }, (_, q) => {
    const row = Array.from({ length: n }, (_, k) => (causal && k > q ? 0 : random() + 0.01));
    const sum = row.reduce((s, x) => s + x, 0);
    return row.map((x) => x / sum);
  });
}

/** Asserts |actual − expected| ≤ tol, naming what is compared. */
export function assertClose(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: got ${actual}, expected ${expected} (tol ${tol})`);
}

/** Element counts of a checked XML document, by tag name. */
export type ElementCounts = Map<string, number>;

/**
 * A strict-enough XML well-formedness check for generated SVG: every tag is closed in order, attributes
 * are name="value" without raw `<` or stray `&`, text has no raw `<`, `&` starts only the five
 * predefined entities or a numeric reference, and there is exactly one root. Returns element counts
 * and the decoded text of every text node, so tests can look for tokens.
 */
export function checkXml(xml: string): { counts: ElementCounts; texts: string[]; attributes: string[] } {
  const counts: ElementCounts = new Map();
  const texts: string[] = [];
  const attributes: string[] = [];
  const stack: string[] = [];
  const entity = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;
  const decode = (s: string): string => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
  const checkText = (s: string, where: string): void => {
    for (let i = 0; i < s.length; i++) {
      assert.notEqual(s[i], "<", `raw < in ${where}: ${s}`);
      if (s[i] === "&") {
        entity.lastIndex = i;
        assert.ok(entity.test(s), `bad & in ${where}: ${s}`);
      }
    }
  };
  let i = 0;
  let roots = 0;
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const text = lt < 0 ? xml.slice(i) : xml.slice(i, lt);
    checkText(text, "text");
    if (stack.length === 0) assert.equal(text.trim(), "", `text outside the root: ${text}`);
    else if (text.trim() !== "") texts.push(decode(text));
    if (lt < 0) break;
    const gt = xml.indexOf(">", lt);
    assert.ok(gt > lt, "unterminated tag");
    const tag = xml.slice(lt + 1, gt);
    if (tag.startsWith("/")) {
      const name = tag.slice(1).trim();
      assert.equal(stack.pop(), name, `closing </${name}> does not match`);
    } else {
      const selfClosing = tag.endsWith("/");
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const m = /^([A-Za-z][\w:-]*)((?:\s+[A-Za-z][\w:-]*="[^"]*")*)\s*$/.exec(body);
      assert.ok(m, `malformed tag <${tag}>`);
      const name = m[1]!;
      for (const a of m[2]!.matchAll(/="([^"]*)"/g)) {
        checkText(a[1]!, `attribute of <${name}>`);
        attributes.push(decode(a[1]!));
      }
      if (stack.length === 0) roots++;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (!selfClosing) stack.push(name);
    }
    i = gt + 1;
  }
  assert.deepEqual(stack, [], "unclosed elements");
  assert.equal(roots, 1, "one root element");
  return { counts, texts, attributes };
}
