/**
 * The Tokenizer end to end: the hand-made BERT fixture (WordPiece + BertNormalizer + BertPreTokenizer
 * + TemplateProcessing) against Hugging Face's JS port, tokenizer.json round trips, files loom writes
 * loading in @huggingface/tokenizers, malformed files, hostile input, truncation, padding, training.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { Tokenizer } from "../../src/tokenizers/tokenizer.js";
import { AddedToken } from "../../src/tokenizers/added-vocabulary.js";
import { BpeTrainer } from "../../src/tokenizers/models/bpe/trainer.js";
import { FormatError, ValueError } from "../../src/errors.js";

const BERT_PATH = join(process.cwd(), "test/fixtures/tokenizers/bert-tiny/tokenizer.json");
const bertText = readFileSync(BERT_PATH, "utf8");
const SENTENCES = [
  "The quick brown fox jumps over the lazy dog!",
  "Héllo, WÖRLD? Don't   jump.",
  "unaffable runner playing tokenizer",
  "中文 and 文中a",
  "naïve café\tover\u00a0the\u200bdog\u0007",
  "zzz unknown words, [MASK] and [CLS] inside",
  "",
  "   ",
  "a\u0000b\ufffdc",
];

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "loom-tok-"));
}

describe("BERT-style fixture (WordPiece + BertNormalizer + TemplateProcessing)", () => {
  const loom = Tokenizer.fromFile(BERT_PATH);
  const hf = new HfTokenizer(JSON.parse(bertText) as object, {});

  test("ids, tokens and type ids equal @huggingface/tokenizers' on single texts and pairs", () => {
    for (const s of SENTENCES) {
      const want = hf.encode(s, { return_token_type_ids: true });
      const got = loom.encode(s);
      assert.deepEqual(got.ids, want.ids, s);
      assert.deepEqual(got.tokens, want.tokens, s);
      assert.deepEqual(got.typeIds, want.token_type_ids, s);
    }
    // Non-empty pairs only: the JS port drops an empty text_pair, where HF's Rust library keeps it.
    const nonEmpty = SENTENCES.filter((x) => x.length > 0);
    for (let i = 0; i + 1 < nonEmpty.length; i++) {
      const want = hf.encode(nonEmpty[i]!, { text_pair: nonEmpty[i + 1]!, return_token_type_ids: true });
      const got = loom.encode(nonEmpty[i]!, nonEmpty[i + 1]!);
      assert.deepEqual(got.ids, want.ids);
      assert.deepEqual(got.typeIds, want.token_type_ids);
    }
  });

  test("offsets, word ids, special-token and sequence masks (worked out by hand)", () => {
    const e = loom.encode("Héllo, WORLD!");
    assert.deepEqual(e.tokens, ["[CLS]", "hello", ",", "world", "!", "[SEP]"]);
    assert.deepEqual(e.offsets, [[0, 0], [0, 5], [5, 6], [7, 12], [12, 13], [0, 0]]);
    assert.deepEqual(e.wordIds, [null, 0, 1, 2, 3, null]);
    assert.deepEqual(e.specialTokensMask, [1, 0, 0, 0, 0, 1]);
    const p = loom.encode("jumps", "runner");
    assert.deepEqual(p.tokens, ["[CLS]", "jump", "##s", "[SEP]", "run", "##ner", "[SEP]"]);
    assert.deepEqual(p.offsets, [[0, 0], [0, 4], [4, 5], [0, 0], [0, 3], [3, 6], [0, 0]]);
    assert.deepEqual(p.typeIds, [0, 0, 0, 0, 1, 1, 1]);
    assert.deepEqual(p.sequenceIds, [null, 0, 0, null, 1, 1, null]);
    const noSpecial = loom.encode("jumps", undefined, { addSpecialTokens: false });
    assert.deepEqual(noSpecial.tokens, ["jump", "##s"]);
  });

  test("offsets slice the original to each token's source on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 30 }), (s) => {
        const e = loom.encode(s, undefined, { addSpecialTokens: false });
        e.offsets.forEach(([a, b], i) => {
          assert.ok(0 <= a && a <= b && b <= s.length);
          const token = e.tokens[i]!;
          if (token !== "[UNK]") {
            // The source normalizes (BERT: NFD, no accents, lowercase) to the token text.
            const src = s.slice(a, b).normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
            assert.equal(src, token.replace(/^##/, ""));
          }
        });
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  test("decode joins WordPiece pieces and can skip special tokens", () => {
    const e = loom.encode("The quick brown fox jumps, unaffable!");
    assert.equal(loom.decode(e.ids, { skipSpecialTokens: true }), "the quick brown fox jumps, unaffable!");
    assert.equal(loom.decode(e.ids), "[CLS] the quick brown fox jumps, unaffable! [SEP]");
    assert.deepEqual(loom.decodeBatch([e.ids, [7, 9]], { skipSpecialTokens: true }), [hf.decode(e.ids, { skip_special_tokens: true }), hf.decode([7, 9])]);
    // HF's Rust decoder cleans up each token on its own, so " ' " spanning three tokens stays.
    assert.equal(loom.decode(loom.encode("don't").ids, { skipSpecialTokens: true }), "don ' t");
  });

  test("tokenizer.json load → save is the same JSON (values and key order)", () => {
    assert.equal(JSON.stringify(loom.toJSON()), JSON.stringify(JSON.parse(bertText)));
    const dir = tmp();
    loom.save(join(dir, "tokenizer.json"));
    assert.deepEqual(readdirSync(dir), ["tokenizer.json"], "no temporary file left behind");
    assert.equal(readFileSync(join(dir, "tokenizer.json"), "utf8"), bertText.trimEnd());
  });

  test("an older-format file (merges as strings, no use_regex / byte_fallback / ignore_merges) round-trips as is", () => {
    const old = {
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: [{ id: 5, content: "<|endoftext|>", single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
      normalizer: null,
      pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true },
      post_processor: { type: "ByteLevel", add_prefix_space: true, trim_offsets: false },
      decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true },
      model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "", fuse_unk: false, vocab: { a: 0, b: 1, "Ġ": 2, ab: 3, "Ġab": 4 }, merges: ["a b", "Ġ ab"] },
    };
    const t = Tokenizer.fromJSON(old);
    assert.equal(JSON.stringify(t.toJSON()), JSON.stringify(old));
    assert.deepEqual(t.encode("ab ab").tokens, ["ab", "Ġab"]);
  });

  test("a WordPiece longer than max_input_chars_per_word becomes [UNK]", () => {
    assert.deepEqual(loom.encode("a".repeat(101), undefined, { addSpecialTokens: false }).tokens, ["[UNK]"]);
  });
});

describe("files loom writes load in @huggingface/tokenizers and encode identically", () => {
  const texts = [
    "Hello world! It's 2024 and we've got 12345 tokens.",
    "  leading spaces\n\nand\ttabs, naïve café, 中文, 😀 emoji",
    "Fellow-Citizens of the Senate and of the House of Representatives:",
  ];

  test("gpt2 (byte-level BPE from tiktoken ranks) written as tokenizer.json", () => {
    const loom = Tokenizer.fromTiktoken("gpt2");
    const json = JSON.parse(JSON.stringify(loom.toJSON())) as object;
    const hf = new HfTokenizer(json, {});
    for (const t of texts) {
      assert.deepEqual(hf.encode(t).ids, loom.encodeIds(t), t);
      assert.equal(hf.decode(loom.encodeIds(t)), t);
    }
    // And loom reads its own file back to the same object.
    const again = Tokenizer.fromJSON(json);
    assert.equal(JSON.stringify(again.toJSON()), JSON.stringify(json));
    for (const t of texts) assert.deepEqual(again.encodeIds(t), loom.encodeIds(t));
  });

  test("a BPE trained by loom (ByteLevel pipeline) with added tokens", () => {
    const loom = Tokenizer.fromJSON({
      version: "1.0",
      added_tokens: [],
      normalizer: { type: "NFC" },
      pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
      post_processor: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
      decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
      model: { type: "BPE", vocab: {}, merges: [] },
    });
    loom.trainFromTexts([...texts, "x y z"], new BpeTrainer({ vocabSize: 400, specialTokens: ["<|endoftext|>"], showProgress: false }));
    // (single_word is left out: the JS port ignores it, where HF's Rust library honours it.)
    loom.addTokens([new AddedToken("café")]);
    const hf = new HfTokenizer(JSON.parse(JSON.stringify(loom.toJSON())) as object, {});
    for (const t of [...texts, "x café y cafés <|endoftext|>z"]) assert.deepEqual(hf.encode(t).ids, loom.encode(t).ids, t);
  });
});

describe("malformed tokenizer.json → FormatError naming file and field", () => {
  const good = JSON.parse(bertText) as Record<string, unknown>;
  const cases: [string, (j: Record<string, unknown>) => unknown, RegExp][] = [
    ["vocab entry not a number", (j) => ((j["model"] as { vocab: Record<string, unknown> }).vocab["the"] = "x"), /model\.vocab\.the: expected a number/],
    ["unknown normalizer", (j) => (j["normalizer"] = { type: "Nope" }), /normalizer\.type: unknown normalizer type "Nope"/],
    ["missing model", (j) => delete j["model"], /: model: missing/],
    ["bad added token", (j) => ((j["added_tokens"] as Record<string, unknown>[])[1]!["content"] = 7), /added_tokens\[1\]\.content: expected a string/],
    ["bad template piece", (j) => (((j["post_processor"] as { pair: unknown[] }).pair[3] = { Sequence: { id: "C", type_id: 1 } })), /post_processor\.pair\[3\]\.Sequence\.id/],
  ];
  for (const [name, breakIt, message] of cases) {
    test(name, () => {
      const j = structuredClone(good);
      breakIt(j);
      assert.throws(() => Tokenizer.fromJSON(j, "bert/tokenizer.json"), (e: unknown) => {
        assert.ok(e instanceof FormatError, String(e));
        assert.match(e.message, /^bert\/tokenizer\.json: /);
        assert.match(e.message, message);
        return true;
      });
    });
  }

  test("BPE merges: a bad entry is named by index", () => {
    const j = { model: { type: "BPE", vocab: { a: 0, b: 1, ab: 2 }, merges: ["a b", "a b", ["a"], "a b"] } };
    assert.throws(() => Tokenizer.fromJSON(j, "tok.json"), /^FormatError: tok\.json: model\.merges\[2\]: expected a pair/);
    const k = { model: { type: "BPE", vocab: { a: 0, b: 1, ab: 2 }, merges: ["a b", "a b", "a b", "a q"] } };
    assert.throws(() => Tokenizer.fromJSON(k, "tok.json"), /tok\.json: model\.merges\[3\]: token "q" is not in model\.vocab/);
  });

  test("truncated files and non-JSON fail with the file name", () => {
    const dir = tmp();
    for (const cut of [0, 1, 100, bertText.length / 2, bertText.length - 3]) {
      const path = join(dir, "tokenizer.json");
      writeFileSync(path, bertText.slice(0, cut));
      assert.throws(() => Tokenizer.fromFile(path), (e: unknown) => e instanceof FormatError && e.file === path && e.message.includes("not valid JSON"));
    }
  });
});

describe("hostile input", () => {
  const gpt2 = Tokenizer.fromTiktoken("gpt2");
  const bert = Tokenizer.fromFile(BERT_PATH);

  test("NUL and control characters encode and round-trip", () => {
    const s = "a\u0000b\u0001\u001f\u007f\u0000";
    assert.equal(gpt2.decode(gpt2.encodeIds(s)), s);
    // BERT's clean_text drops NUL and control characters.
    assert.deepEqual(bert.encode(s, undefined, { addSpecialTokens: false }).tokens, ["a", "##b"]);
  });

  test("a megabyte-long line without spaces, and a megabyte of prose, encode without a crash", () => {
    const long = "ab".repeat(500_000);
    const e = gpt2.encode(long);
    assert.equal(gpt2.decode(e.ids), long);
    assert.equal(e.offsets[e.offsets.length - 1]![1], long.length);
    const prose = "The quick brown fox, naïve café 中文.\u0000 ".repeat(25_000);
    assert.equal(gpt2.decode(gpt2.encodeIds(prose)), prose);
    const b = bert.encode(prose.slice(0, 100_000));
    assert.equal(b.tokens[0], "[CLS]");
  });
});

describe("truncation and padding", () => {
  const bert = Tokenizer.fromFile(BERT_PATH);
  const words = (n: number): string => Array.from({ length: n }, (_, i) => ["the", "fox", "dog", "over"][i % 4]).join(" ");

  test("longest_first on a pair keeps room for special tokens; overflowing parts overlap by stride", () => {
    const t = Tokenizer.fromFile(BERT_PATH);
    t.enableTruncation({ maxLength: 10, stride: 2 });
    const e = t.encode(words(8), words(3));
    assert.equal(e.length, 10);
    // 7 content tokens: the longer first sequence is cut to 7 - 3 = 4 tokens.
    assert.deepEqual(e.sequenceIds.filter((s) => s === 0).length, 4);
    assert.deepEqual(e.sequenceIds.filter((s) => s === 1).length, 3);
    assert.ok(e.overflowing.length > 0);
    const first = e.overflowing[0]!;
    assert.equal(first.tokens[0], "[CLS]");
    // The overflow of A starts 4 - 2 = 2 tokens into A.
    assert.deepEqual(first.ids.slice(1, 3), bert.encode(words(8), undefined, { addSpecialTokens: false }).ids.slice(2, 4));
  });

  test("only_first / only_second and left direction", () => {
    const t = Tokenizer.fromFile(BERT_PATH);
    t.enableTruncation({ maxLength: 8, strategy: "OnlySecond", direction: "Left" });
    const e = t.encode(words(2), "the quick brown fox jumps");
    const b = bert.encode("the quick brown fox jumps", undefined, { addSpecialTokens: false });
    // 5 special+first tokens leave 3 for B; "Left" keeps B's end.
    assert.deepEqual(e.ids.slice(4, 7), b.ids.slice(-3));
    t.enableTruncation({ maxLength: 5, strategy: "OnlyFirst" });
    assert.throws(() => t.encode(words(1), words(5)), /too short/);
  });

  test("padding: batch longest, fixed, left, pad_to_multiple_of", () => {
    const t = Tokenizer.fromFile(BERT_PATH);
    t.enablePadding({ padId: 0, padToken: "[PAD]" });
    const batch = t.encodeBatch(["the fox", "the quick brown fox jumps", ["over", "the dog"]]);
    const n = Math.max(...batch.map((e) => e.attentionMask.filter((m) => m === 1).length));
    for (const e of batch) assert.equal(e.length, n);
    assert.deepEqual(batch[0]!.attentionMask, [1, 1, 1, 1, 0, 0, 0, 0]);
    assert.deepEqual(batch[0]!.tokens.slice(4), ["[PAD]", "[PAD]", "[PAD]", "[PAD]"]);
    t.enablePadding({ length: 6, direction: "Left", padToMultipleOf: 4 });
    const e = t.encode("fox");
    assert.equal(e.length, 8);
    assert.deepEqual(e.attentionMask, [0, 0, 0, 0, 0, 1, 1, 1]);
    assert.deepEqual(e.specialTokensMask, [1, 1, 1, 1, 1, 1, 0, 1]);
    assert.equal(JSON.stringify(Tokenizer.fromJSON(t.toJSON()).toJSON()), JSON.stringify(t.toJSON()));
  });
});

describe("added tokens", () => {
  test("special vs normal, longest match first, single_word, lstrip/rstrip, normalized", () => {
    const t = Tokenizer.fromFile(BERT_PATH);
    const n = t.addTokens([new AddedToken("New York", { normalized: true }), new AddedToken("new"), new AddedToken("ok", { singleWord: true })]);
    assert.equal(n, 3);
    assert.equal(t.addSpecialTokens([new AddedToken("<eos>", { lstrip: true, rstrip: true })]), 1);
    const e = t.encode("I love NEW YORK and new things ok okay <eos>  the", undefined, { addSpecialTokens: false });
    const idOf = (s: string) => t.tokenToId(s)!;
    // A normalized added token is matched in normalized text, its own content normalized too:
    // "NEW YORK" and "New York" both become "new york"; the longer token wins over "new".
    assert.ok(e.ids.includes(idOf("New York")));
    assert.equal(e.ids.filter((id) => id === idOf("new")).length, 1);
    assert.equal(e.ids.filter((id) => id === idOf("ok")).length, 1, "ok inside okay is not a single word");
    const eos = e.tokens.indexOf(" <eos>  ");
    assert.ok(eos >= 0, `lstrip/rstrip take the spaces: ${JSON.stringify(e.tokens)}`);
    assert.equal(t.getVocabSize(), 45 + 4);
    assert.equal(t.decode(t.encode("the <eos>").ids, { skipSpecialTokens: true }), "the");
    // Regex metacharacters and "-" in token text are literal.
    t.addSpecialTokens(["<|fim-middle|>", "a.b*(c)[d]"]);
    assert.deepEqual(t.encode("x<|fim-middle|>a.b*(c)[d]", undefined, { addSpecialTokens: false }).tokens.slice(-2), ["<|fim-middle|>", "a.b*(c)[d]"]);
  });
});

describe("train", () => {
  test("reads files line by line (long lines too), feeds pre-tokenized pieces, adds special tokens", async () => {
    const dir = tmp();
    const file = join(dir, "corpus.txt");
    writeFileSync(file, ["hello world", "x".repeat(200_000), "", "hello there world"].join("\n"));
    const fed: string[][] = [];
    const t = Tokenizer.fromFile(BERT_PATH);
    await t.train([file], {
      type: "Fake",
      specialTokens: ["[BOS]"],
      feed: (pieces) => void fed.push([...pieces]),
      train: () => Tokenizer.fromFile(BERT_PATH).model,
    });
    assert.equal(fed.length, 3);
    assert.deepEqual(fed[0], ["hello", "world"]);
    assert.equal(fed[1]![0]!.length, 200_000);
    assert.ok(t.addedVocabulary.isSpecialToken("[BOS]"));
  });
});

test("tokenizer.json with a repeated vocabulary id or added-token id: FormatError naming the file and field", () => {
  const base = JSON.parse(readFileSync(BERT_PATH, "utf8")) as { model: { vocab: Record<string, number> }; added_tokens: { id: number }[] };
  const dupVocab = structuredClone(base);
  dupVocab.model.vocab["zebra"] = 7;
  assert.throws(() => Tokenizer.fromJSON(dupVocab, "dup.json"), (e: unknown) => e instanceof FormatError && e.message.includes("dup.json") && e.message.includes("model.vocab.zebra") && /id 7 is already the id of/.test(e.message));
  const dupAdded = structuredClone(base);
  dupAdded.added_tokens[1]!.id = dupAdded.added_tokens[0]!.id;
  assert.throws(() => Tokenizer.fromJSON(dupAdded, "dup.json"), (e: unknown) => e instanceof FormatError && e.message.includes("added_tokens[1].id") && /already the id of added_tokens\[0\]/.test(e.message));
});

test("fromTiktoken rejects names that are not encodings, Object.prototype's included", () => {
  for (const name of ["constructor", "toString", "__proto__", "gpt3"]) {
    assert.throws(() => Tokenizer.fromTiktoken(name as "gpt2"), (e: unknown) => e instanceof ValueError && /unknown encoding/.test(e.message), name);
  }
});
