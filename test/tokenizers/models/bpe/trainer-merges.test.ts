/**
 * BPE training against Hugging Face's BpeTrainer. There is no Python `tokenizers` here, so the expected
 * vocabularies and merges are either HF's own unit-test expectations (cited) or derived by hand in the
 * comments from HF's rules: most frequent pair first; on equal counts the smaller (left id, right id);
 * special tokens, then the alphabet in code-point order, take the first ids.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { learnBpe, type BpeTrainingOptions } from "../../../../src/tokenizers/models/bpe/trainer-merges.js";

const defaults: BpeTrainingOptions = { vocabSize: 30000, minFrequency: 0, specialTokens: [], initialAlphabet: [] };

function train(words: [string, number][], options: Partial<BpeTrainingOptions> = {}) {
  const r = learnBpe(new Map(words), { ...defaults, ...options });
  return { vocab: r.vocab, merges: r.merges.map(([a, b]) => `${a} ${b}`) };
}

/** A plain BPE that recounts every pair after each merge: the definition the trainer's queue speeds up. */
function recountingBpe(words: [string, number][], vocabSize: number): string[] {
  const tokens = [...new Set(words.flatMap(([w]) => Array.from(w)))].sort();
  const split = words.map(([w, c]) => ({ symbols: Array.from(w).map((ch) => tokens.indexOf(ch)), c }));
  const merges: string[] = [];
  while (tokens.length < vocabSize) {
    const counts = new Map<string, number>();
    for (const { symbols, c } of split) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const k = `${symbols[i]},${symbols[i + 1]}`;
        counts.set(k, (counts.get(k) ?? 0) + c);
      }
    }
    let best: [number, number] | undefined;
    let bestCount = 0;
    for (const [k, c] of counts) {
      const [l, r] = k.split(",").map(Number) as [number, number];
      if (c > bestCount || (c === bestCount && best && (l < best[0] || (l === best[0] && r < best[1])))) {
        best = [l, r];
        bestCount = c;
      }
    }
    if (!best) break;
    const [l, r] = best;
    const token = `${tokens[l]}${tokens[r]}`;
    let id = tokens.indexOf(token);
    if (id < 0) id = tokens.push(token) - 1;
    merges.push(`${tokens[l]} ${tokens[r]}`);
    for (const w of split) {
      const out: number[] = [];
      for (let i = 0; i < w.symbols.length; i++) {
        if (w.symbols[i] === l && w.symbols[i + 1] === r) {
          out.push(id);
          i++;
        } else out.push(w.symbols[i] as number);
      }
      w.symbols = out;
    }
  }
  return merges;
}

describe("learnBpe (HF BpeTrainer semantics)", () => {
  test("HF's test_train: min_frequency 2 gives re, are, is", () => {
    // Expected vocabulary and merges from HF tokenizers' `bpe/trainer.rs` test `test_train`.
    const r = train(
      [["roses", 1], ["are", 2], ["red", 1], ["voilets", 1], ["blue", 1], ["BERT", 1], ["is", 2], ["big", 1],
        ["and", 1], ["so", 1], ["GPT-2", 1]],
      { minFrequency: 2 },
    );
    assert.deepEqual(r.vocab, [..."-2BEGPRTabdegilnorstuv", "re", "are", "is"]);
    assert.deepEqual(r.merges, ["r e", "a re", "i s"]);
  });

  test("HF's bpe_test_max_token_length_direct_assert: max_token_length 2", () => {
    // Expected ids from HF tokenizers' `bpe/trainer.rs` test of the same name. By hand: "in" (count 4)
    // first; then the two count-4 pairs い文 (9,11) before 字符 (10,13); then count 2 in id order.
    const r = train(
      ["sin", "Sin", "Lon", "Ano", "짧은한", "긴한글", "短字符", "长字符", "短い文", "長い文", "so", "GP"].map(
        (w): [string, number] => [w, 2],
      ),
      { maxTokenLength: 2 },
    );
    assert.deepEqual(r.vocab, [
      ..."AGLPSinosい字文短符長长글긴은짧한", "in", "い文", "字符", "An", "GP", "Lo", "so", "긴한", "은한",
    ]);
  });

  test("equal counts: smaller left id first, new tokens sort after characters", () => {
    // a0 b1 c2 d3. (a,b)=2+1=3 and (c,d)=3 tie: (0,1) < (2,3), so "ab" (4). In "abc", (b,c) drops to 0
    // and (ab,c)=(4,2) appears with 1. Next (c,d) "cd", then (ab,c) "abc"; then only count 0 is left.
    const words: [string, number][] = [["ab", 2], ["abc", 1], ["cd", 3]];
    const r = train(words);
    assert.deepEqual(r.vocab, ["a", "b", "c", "d", "ab", "cd", "abc"]);
    assert.deepEqual(r.merges, ["a b", "c d", "ab c"]);
    // Ties decide by left id before right id: (a,d)=(0,3) wins over (b,c)=(1,2).
    assert.deepEqual(train([["bc", 1], ["ad", 1]]).merges, ["a d", "b c"]);
  });

  test("min_frequency stops at the first pair below it", () => {
    // Same corpus: after "ab" and "cd" (count 3), the best is (ab,c) with 1 < 2.
    assert.deepEqual(train([["ab", 2], ["abc", 1], ["cd", 3]], { minFrequency: 2 }).merges, ["a b", "c d"]);
  });

  test("vocab_size counts special tokens, and special tokens take the first ids", () => {
    // "a" is a special token, so the alphabet does not add it again: <pad>0 a1 b2, then "ab" 3.
    const r = train([["ab", 1]], { specialTokens: ["<pad>", "a"] });
    assert.deepEqual(r.vocab, ["<pad>", "a", "b", "ab"]);
    assert.deepEqual(train([["ab", 1]], { specialTokens: ["<pad>", "a"], vocabSize: 3 }).merges, []);
  });

  test("a pair overlapping itself merges left to right", () => {
    // "aaaa": (a,a)=3 -> [aa, aa]; the changes leave (aa,a)=0 and (aa,aa)=1, so "aaaa" next.
    const r = train([["aaaa", 1]]);
    assert.deepEqual(r.merges, ["a a", "aa aa"]);
    // "aaa" -> [aa, a], then (aa,a) -> "aaa".
    assert.deepEqual(train([["aaa", 1]]).merges, ["a a", "aa a"]);
  });

  test("limit_alphabet keeps the most frequent characters and drops the others from words", () => {
    // Weights a6 b4 d2 c1: limit 3 drops c. a0 b1 d2. "cb" becomes [b]. (a,a)=3 and (a,b)=3 tie:
    // (0,0) first -> "aa" 3; "aab" becomes [aa,b]: (a,b)->0, (aa,b)=(3,1)=3 -> "aab" 4; then "dd" 5.
    const words: [string, number][] = [["aab", 3], ["cb", 1], ["dd", 1]];
    const r = train(words, { limitAlphabet: 3 });
    assert.deepEqual(r.vocab, ["a", "b", "d", "aa", "aab", "dd"]);
    assert.deepEqual(train(words, { limitAlphabet: 3, vocabSize: 5 }).merges, ["a a", "aa b"]);
  });

  test("initial_alphabet is always kept (first character of each string) and beats frequency", () => {
    // Weights a2 b1, x and z unseen but forced; limit 3 drops b. "aab" becomes [a,a] -> "aa".
    const r = train([["aab", 1]], { initialAlphabet: ["z", "xy"], limitAlphabet: 3 });
    assert.deepEqual(r.vocab, ["a", "x", "z", "aa"]);
  });

  test("continuing_subword_prefix marks non-initial symbols and is dropped inside merged tokens", () => {
    // a0 b1 c2, then ##b 3 ##c 4 as first met. Pairs (a,##b)=2, (##b,##c)=2, (b,##c)=1. Tie: (0,3) ->
    // "ab" 5; "abc" becomes [ab,##c]: (##b,##c)->0, (ab,##c)=2 -> "abc" 6; then (b,##c) -> "bc" 7.
    const r = train([["abc", 2], ["bc", 1]], { continuingSubwordPrefix: "##" });
    assert.deepEqual(r.vocab, ["a", "b", "c", "##b", "##c", "ab", "abc", "bc"]);
    assert.deepEqual(r.merges, ["a ##b", "ab ##c", "b ##c"]);
    // HF decides "first" by position in the word, before characters outside the alphabet are dropped:
    // weights a6 b3 c1, limit 2 drops c, and the b of "cb" is not first, so it becomes ##b.
    const limited = train([["aa", 3], ["b", 2], ["cb", 1]], { continuingSubwordPrefix: "##", limitAlphabet: 2, vocabSize: 4 });
    assert.deepEqual(limited.vocab, ["a", "b", "##a", "##b"]);
  });

  test("end_of_word_suffix marks the last symbol", () => {
    // a0 b1, then b</w> 2 a</w> 3. (a,b</w>)=1, (b,a</w>)=2 -> "ba</w>" first, then "ab</w>".
    const r = train([["ab", 1], ["ba", 2]], { endOfWordSuffix: "</w>" });
    assert.deepEqual(r.vocab, ["a", "b", "b</w>", "a</w>", "ba</w>", "ab</w>"]);
    assert.deepEqual(r.merges, ["b a</w>", "a b</w>"]);
  });

  test("characters outside the BMP count as one character", () => {
    const r = train([["😀😀", 2]]);
    assert.deepEqual(r.vocab, ["😀", "😀😀"]);
  });

  test("reports progress", () => {
    const stages = new Set<string>();
    learnBpe(new Map([["abc", 1]]), { ...defaults, onProgress: (p) => stages.add(p.stage) });
    assert.ok(stages.has("merge"));
  });

  test("matches a BPE that recounts all pairs after every merge, on random corpora", () => {
    // The incremental counts and lazy heap must give exactly the merges of the plain definition.
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    for (let trial = 0; trial < 300; trial++) {
      const words = new Map<string, number>();
      const nWords = 1 + random(8);
      for (let i = 0; i < nWords; i++) {
        let w = "";
        const len = 1 + random(10);
        for (let j = 0; j < len; j++) w += "abcd"[random(trial % 2 === 0 ? 2 : 4)];
        words.set(w, (words.get(w) ?? 0) + 1 + random(3));
      }
      const entries = [...words];
      assert.deepEqual(train(entries, { vocabSize: 25 }).merges, recountingBpe(entries, 25), JSON.stringify(entries));
    }
  });
});
