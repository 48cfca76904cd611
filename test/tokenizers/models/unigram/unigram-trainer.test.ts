/** UnigramTrainer on small corpora: it learns the obvious pieces, EM raises the likelihood, sizes and special tokens hold. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UnigramTrainer } from "../../../../src/tokenizers/models/unigram/trainer.js";
import { eStep, mStep, TrainerModel, digamma, MarginalsWork } from "../../../../src/tokenizers/models/unigram/em.js";
import { seedPieces, longestValidPiece } from "../../../../src/tokenizers/models/unigram/seed-pieces.js";
import { ValueError } from "../../../../src/errors.js";
import { Tokenizer } from "../../../../src/tokenizers/tokenizer.js";
import { Unigram } from "../../../../src/tokenizers/models/unigram/model.js";
import { Metaspace } from "../../../../src/tokenizers/pre_tokenizers/metaspace.js";
import { MetaspaceDecoder } from "../../../../src/tokenizers/decoders/metaspace.js";

const WS = "\u2581";
const words = (line: string): string[] => line.split(/\s+/).filter((w) => w !== "").map((w) => WS + w);

/** A corpus of a few words repeated in varying sentences (a seeded shuffle). */
function smallCorpus(): string[] {
  const vocab = ["the", "then", "them", "there", "cat", "cats", "catalog", "sat", "on", "one", "mat", "mats", "nation", "national", "station", "the", "the"];
  let seed = 17;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  return Array.from({ length: 400 }, () => Array.from({ length: 8 }, () => vocab[Math.floor(next() * vocab.length)]!).join(" "));
}

describe("UnigramTrainer", () => {
  test("learns the frequent words as pieces, special tokens first, every character kept", () => {
    const trainer = new UnigramTrainer({ vocabSize: 24, specialTokens: ["<pad>", "<unk>"], unkToken: "<unk>" });
    const progress: string[] = [];
    trainer.onProgress = (p) => progress.push(p.stage);
    for (const line of smallCorpus()) trainer.feed(words(line));
    const model = trainer.train();
    const vocab = model.getVocab();
    assert.equal(model.getVocabSize(), 24);
    assert.equal(model.idToToken(0), "<pad>");
    assert.equal(model.unkId, 1);
    for (const w of ["▁the", "▁on", "▁cat"]) assert.ok(vocab.has(w), `${w} learned`);
    for (const ch of new Set(smallCorpus().join("").replace(/ /g, ""))) assert.ok(vocab.has(ch), `character ${ch} kept`);
    assert.ok(vocab.has(WS));
    assert.deepEqual(model.tokenize("▁the").map((t) => t.value), ["▁the"]);
    assert.ok(progress.includes("seed") && progress.includes("EM"));
    // Scores are log-probabilities, sorted after the special tokens.
    const scores = [...vocab.values()].slice(2).map((id) => model.score(id));
    for (let i = 1; i < scores.length; i++) assert.ok(scores[i - 1]! >= scores[i]!);
    assert.ok(scores.every((s) => s < 0));
  });

  test("EM raises the likelihood of the corpus", () => {
    const counts = new Map<string, number>();
    for (const line of smallCorpus()) for (const w of words(line)) counts.set(w, (counts.get(w) ?? 0) + 1);
    const list = [...counts];
    const required = new Map<string, number>();
    for (const [w, c] of list) for (const ch of w) required.set(ch, (required.get(ch) ?? 0) + c);
    let model = new TrainerModel(seedPieces(list, required, { seedSize: 1000, maxPieceLength: 16 }));
    const likelihoods: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { expected, logLikelihood } = eStep(model, list);
      likelihoods.push(logLikelihood);
      model = new TrainerModel(mStep(model, expected));
    }
    for (let i = 1; i < likelihoods.length; i++) assert.ok(likelihoods[i]! > likelihoods[i - 1]!, likelihoods.join(", "));
    // The trainer's own log shows the same after its first sub-iterations.
    const trainer = new UnigramTrainer({ vocabSize: 30 });
    for (const line of smallCorpus()) trainer.feed(words(line));
    trainer.train();
    assert.ok(trainer.log.logLikelihood[1]! > trainer.log.logLikelihood[0]!);
  });

  test("segments Chinese and Japanese text without spaces", () => {
    const text = readFileSync(join(import.meta.dirname, "..", "..", "..", "..", "examples", "tokenizers-cjk.txt"), "utf8");
    const trainer = new UnigramTrainer({ vocabSize: 500 });
    for (const line of text.split("\n")) trainer.feed(words(line));
    const model = trainer.train();
    const vocab = model.getVocab();
    for (const w of ["研究", "生命", "起源"]) assert.ok([...vocab.keys()].some((p) => p.includes(w)), `${w} in some piece`);
    const best = model.tokenize("▁研究生命的起源").map((t) => t.value);
    assert.equal(best.join(""), "▁研究生命的起源");
    assert.ok(best.length < 7, best.join(" "));
  });

  test("byte fallback adds the 256 byte pieces after the special tokens", () => {
    const trainer = new UnigramTrainer({ vocabSize: 300, byteFallback: true, specialTokens: ["<unk>", "<s>"] });
    for (const line of smallCorpus()) trainer.feed(words(line));
    const model = trainer.train();
    assert.equal(model.idToToken(2), "<0x00>");
    assert.equal(model.idToToken(257), "<0xFF>");
    assert.equal(model.byteFallback, true);
    assert.deepEqual(model.tokenize("▁é").slice(-2).map((t) => t.value), ["<0xC3>", "<0xA9>"]);
  });

  test("trains through Tokenizer.trainFromTexts; the result survives tokenizer.json", () => {
    const tokenizer = new Tokenizer(new Unigram([["<unk>", 0]], { unkId: 0 }));
    tokenizer.preTokenizer = new Metaspace();
    tokenizer.decoder = new MetaspaceDecoder();
    tokenizer.trainFromTexts(smallCorpus(), new UnigramTrainer({ vocabSize: 30, specialTokens: ["<unk>", "<s>"] }));
    assert.equal(tokenizer.model.type, "Unigram");
    const text = "the cat sat on the national mat";
    const encoding = tokenizer.encode(text);
    assert.equal(tokenizer.decode(encoding.ids), text);
    const reloaded = Tokenizer.fromString(tokenizer.toString());
    assert.deepEqual(reloaded.toJSON(), tokenizer.toJSON());
    assert.deepEqual(reloaded.encode(text).ids, encoding.ids);
    assert.equal(reloaded.tokenToId("<s>"), 1);
  });

  test("rejects bad options", () => {
    assert.throws(() => new UnigramTrainer({ vocabSize: 0 }), ValueError);
    assert.throws(() => new UnigramTrainer({ shrinkingFactor: 1 }), ValueError);
  });
});

describe("Unigram training helpers", () => {
  test("digamma matches ψ(1) = −γ and the recurrence ψ(x+1) = ψ(x) + 1/x", () => {
    assert.ok(Math.abs(digamma(1) + 0.5772156649015329) < 1e-9);
    for (const x of [0.3, 1.7, 5, 12.5]) assert.ok(Math.abs(digamma(x + 1) - digamma(x) - 1 / x) < 1e-9);
  });

  test("valid pieces: ▁ only in front, one script", () => {
    const cps = (s: string): number[] => Array.from(s, (c) => c.codePointAt(0)!);
    assert.equal(longestValidPiece(cps("▁hello▁x"), 0, 16), 6);
    assert.equal(longestValidPiece(cps("abc.def"), 0, 16), 3);
    assert.equal(longestValidPiece(cps("東京タワーです"), 0, 16), 7);
    assert.equal(longestValidPiece(cps("abcdefgh"), 2, 4), 4);
  });
});

test("UnigramTrainer refuses, at once and by name, a vocabulary smaller than the corpus's characters (400 CJK, vocab 300)", () => {
  // One sentence of 400 distinct ideographs, repeated: more required characters than vocab pieces.
  const chars = Array.from({ length: 400 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join("");
  const small = new UnigramTrainer({ vocabSize: 300, specialTokens: ["<unk>"] });
  small.feed([chars, chars.slice(100), chars.slice(0, 300)]);
  assert.throws(() => small.train(), (e: unknown) => e instanceof ValueError && /vocabSize 300 .*400 distinct characters.*at least 401/.test(e.message));
  // With room for every character it trains, and every character is a piece.
  const enough = new UnigramTrainer({ vocabSize: 450, specialTokens: ["<unk>"] });
  enough.feed([chars, chars.slice(100), chars.slice(0, 300)]);
  const model = enough.train();
  assert.ok(model.getVocabSize() <= 450);
  for (const ch of chars) assert.notEqual(model.tokenToId(ch), undefined, ch);
});

test("E-step over flat arrays (MarginalsWork) = the Lattice's forward–backward marginals", () => {
  const model = new TrainerModel([["a", -1.2], ["b", -2.5], ["ab", -2.9], ["abc", -4.1], ["c", -3.3], ["ca", -3.9], ["😀", -5], ["a😀", -6]]);
  const work = new MarginalsWork();
  for (const word of ["abcab", "cabca", "a😀b😀", "xyz", "abcxabc", "ababababab"]) {
    const viaLattice = new Float64Array(model.size);
    const flat = new Float64Array(model.size);
    const z1 = model.lattice(word).addMarginals(3, viaLattice);
    const z2 = work.addMarginals(model, word, 3, flat);
    assert.ok(Math.abs(z1 - z2) < 1e-12 * Math.max(1, Math.abs(z1)), `${word}: log Z ${z1} vs ${z2}`);
    viaLattice.forEach((v, i) => assert.ok(Math.abs(v - flat[i]!) < 1e-12 * Math.max(1, v), `${word} piece ${i}: ${v} vs ${flat[i]}`));
  }
});

test("flat Viterbi (MarginalsWork.viterbiIds) = Lattice.viterbi; bestAlternative = the second of Lattice.nbest(2)", () => {
  const text = "the cat sat on the mat with the hat that the rat had and the bat that sat 😀 at a flat 😀a mat";
  const counts = new Map<string, number>();
  for (const w of text.split(" ")) counts.set("▁" + w, (counts.get("▁" + w) ?? 0) + 1);
  const words = [...counts];
  // Every substring of up to 5 units (whole code points) as a piece, with seeded pseudo-random scores.
  const substrings = new Set<string>();
  for (const [w] of words) {
    const chars = Array.from(w);
    for (let i = 0; i < chars.length; i++) for (let j = i + 1; j <= Math.min(chars.length, i + 5); j++) substrings.add(chars.slice(i, j).join(""));
  }
  let seed = 12345;
  const random = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const model = new TrainerModel([...substrings].sort().map((p): [string, number] => [p, -1 - 3 * Array.from(p).length * random()]));
  const work = new MarginalsWork();
  let compared = 0;
  for (const word of [...words.map(([w]) => w), "▁zebra", "▁thecatsat"]) {
    const lattice = model.lattice(word);
    const expected = lattice.viterbi().nodes.map((n) => lattice.id[n]!).filter((id) => id >= 0);
    const ids: number[] = [];
    work.viterbiIds(model, word, (id) => ids.push(id));
    assert.deepEqual(ids.reverse(), expected, word);
  }
  for (let i = 0; i < model.size; i++) {
    const piece = model.pieces[i]!;
    const lattice = model.lattice(piece);
    const nbest = lattice.nbest(2);
    const alternative = work.bestAlternative(model, piece);
    if (alternative === "tie") continue;
    if (alternative === null) {
      assert.equal(nbest.length, 1, piece);
      continue;
    }
    const own = model.scores[i]!;
    const ids = (k: number): number[] => nbest[k]!.nodes.map((n) => lattice.id[n]!);
    if (alternative.score > own) {
      // The piece is not its own best segmentation (what pruning needs to know); the second path may be another alternative.
      assert.deepEqual(ids(0), alternative.ids, piece);
    } else {
      assert.deepEqual(ids(0), [i], piece);
      assert.deepEqual(ids(1), alternative.ids, piece);
    }
    compared++;
  }
  assert.ok(compared > 50, `compared ${compared}`);
  // Equal scores reached two ways ("a"+"b" = "ab" inside "abc"): the caller must ask the Lattice.
  const tied = new TrainerModel([["a", -1], ["b", -1], ["ab", -2], ["c", -1], ["abc", -3.5]]);
  assert.equal(work.bestAlternative(tied, "abc"), "tie");
  assert.equal(work.bestAlternative(tied, "a"), null);
});
