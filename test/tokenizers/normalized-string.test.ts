import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { NormalizedString } from "../../src/tokenizers/normalized-string.js";

/** The original source of each normalized code unit, as strings. */
function sources(ns: NormalizedString): string[] {
  return ns.alignments.map(([s, e]) => ns.original.slice(s, e));
}

describe("NormalizedString", () => {
  test("NFD adds characters aligned with the character they came from (HF nfd_adds_new_chars)", () => {
    const ns = new NormalizedString("élégant").nfd();
    assert.equal(ns.get(), "e\u0301le\u0301gant");
    assert.deepEqual(sources(ns), ["é", "é", "l", "é", "é", "g", "a", "n", "t"]);
  });

  test("filter after NFD keeps one-to-one alignments (HF remove_chars_added_by_nfd)", () => {
    const ns = new NormalizedString("élégant").nfd().filter((c) => !/\p{Mn}/u.test(c));
    assert.equal(ns.get(), "elegant");
    assert.deepEqual(ns.alignments, [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6], [6, 7]]);
  });

  test("filter removing the first characters shifts with initialOffset", () => {
    const ns = new NormalizedString("  ab c").filter((c) => c !== " ");
    assert.equal(ns.get(), "abc");
    assert.deepEqual(sources(ns), ["a", "b", "c"]);
    assert.deepEqual(ns.alignments, [[2, 3], [3, 4], [5, 6]]);
  });

  test("transform follows HF: inserted chars take the previous alignment, -n removes after", () => {
    const ns = new NormalizedString("abcd");
    ns.transform([["X", 0], ["Y", 1], ["Z", -1]], 1);
    // 'a' removed at the start; X replaces b; Y inserted (aligned with b); Z replaces c and removes d.
    assert.equal(ns.get(), "XYZ");
    assert.deepEqual(ns.alignments, [[1, 2], [1, 2], [2, 3]]);
  });

  test("astral characters keep one alignment for both code units", () => {
    const ns = new NormalizedString("a😀b").lowercase();
    assert.equal(ns.get(), "a😀b");
    assert.deepEqual(ns.alignments, [[0, 1], [1, 3], [1, 3], [3, 4]]);
    const sliced = ns.slice(1, 3);
    assert.equal(sliced.get(), "😀");
    assert.deepEqual(sliced.offsetsOriginal(), [1, 3]);
  });

  test("lowercase may grow a character (İ → i̇) and keeps its alignment", () => {
    const ns = new NormalizedString("xİy").lowercase();
    assert.equal(ns.get(), "xi\u0307y");
    assert.deepEqual(sources(ns), ["x", "İ", "İ", "y"]);
  });

  test("prepend / append align with the first / last character", () => {
    const ns = new NormalizedString("ab").prepend("▁").append("</w>");
    assert.equal(ns.get(), "▁ab</w>");
    assert.deepEqual(sources(ns), ["a", "a", "b", "b", "b", "b", "b"]);
  });

  test("replace aligns the replacement with the replaced text", () => {
    const ns = new NormalizedString("a  b  c").replace(/ +/g, "_");
    assert.equal(ns.get(), "a_b_c");
    assert.equal(ns.normalizedToOriginal(1, 2)!.join(), "2,3");
    assert.equal(ns.normalizedToOriginal(0, 5)!.join(), "0,7");
  });

  test("strip removes Unicode whitespace (U+0085, U+3000) at both ends only", () => {
    const ns = new NormalizedString("\u3000 a b\u0085\n").strip();
    assert.equal(ns.get(), "a b");
    assert.deepEqual(ns.normalizedToOriginal(0, 3), [2, 5]);
    assert.equal(new NormalizedString(" \t ").strip().get(), "");
  });

  test("split behaviours on the HF example the-final--countdown", () => {
    const run = (b: "Removed" | "Isolated" | "MergedWithPrevious" | "MergedWithNext" | "Contiguous") =>
      new NormalizedString("the-final--countdown").split("-", b).map((s) => s.get());
    assert.deepEqual(run("Removed"), ["the", "final", "countdown"]);
    assert.deepEqual(run("Isolated"), ["the", "-", "final", "-", "-", "countdown"]);
    assert.deepEqual(run("MergedWithPrevious"), ["the-", "final-", "-", "countdown"]);
    assert.deepEqual(run("MergedWithNext"), ["the", "-final", "-", "-countdown"]);
    assert.deepEqual(run("Contiguous"), ["the", "-", "final", "--", "countdown"]);
  });

  test("split pieces carry absolute original offsets after normalization", () => {
    const ns = new NormalizedString("Héllo Wörld").nfd().lowercase();
    const pieces = ns.split(" ", "Removed");
    assert.deepEqual(pieces.map((p) => p.offsetsOriginal()), [[0, 5], [6, 11]]);
    const inner = pieces[1]!.slice(1, 3); // "o" + combining diaeresis
    assert.deepEqual(inner.offsetsOriginal(), [7, 8]);
  });

  for (const form of ["nfc", "nfd", "nfkc", "nfkd"] as const) {
    test(`${form}: result equals String.normalize, alignments lie in the original`, () => {
      fc.assert(
        fc.property(fc.string({ unit: "grapheme-composite", maxLength: 30 }), (s) => {
          const ns = new NormalizedString(s)[form]();
          assert.equal(ns.get(), s.normalize(form.toUpperCase()));
          assert.equal(ns.alignments.length, ns.get().length);
          for (const [a, b] of ns.alignments) assert.ok(0 <= a && a <= b && b <= s.length);
          if (form === "nfd" || form === "nfkd") {
            // Decomposition only: every character comes from its source character's decomposition.
            let i = 0;
            for (const c of ns.get()) {
              const [a, b] = ns.alignments[i]!;
              assert.ok(s.slice(a, b).normalize(form.toUpperCase()).includes(c));
              i += c.length;
            }
          }
        }),
        { seed: 42, numRuns: 300 },
      );
    });
  }

  test("lowercase, filter and slices keep offsets inside the original on any Unicode", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), fc.nat(40), fc.nat(40), (s, i, j) => {
        const ns = new NormalizedString(s).lowercase().filter((c) => c !== "a");
        assert.equal(ns.get(), [...s].map((c) => c.toLowerCase()).join("").replaceAll("a", ""));
        const lo = Math.min(i, j, ns.length);
        const hi = Math.min(Math.max(i, j), ns.length);
        const sl = ns.slice(lo, hi);
        const [os, oe] = sl.offsetsOriginal();
        assert.equal(s.slice(os, oe), sl.original);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  test("filter's direct form gives what HF's transform form gives", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), fc.nat(3), (s, k) => {
        const keep = (c: string) => (c.codePointAt(0)! + k) % 3 !== 0;
        const a = new NormalizedString(s).nfd().filter(keep);
        const b = new NormalizedString(s).nfd().filterByTransform(keep);
        assert.equal(a.get(), b.get());
        assert.deepEqual(a.alignments, b.alignments);
      }),
      { seed: 12, numRuns: 300 },
    );
  });
});
