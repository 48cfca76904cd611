/**
 * Pipeline components one by one. Where Hugging Face's JS port (@huggingface/tokenizers) follows the
 * reference Rust library, loom is compared with it on generated text; where the port differs from the
 * Rust library (JS `\s`/`\w`/`\d` instead of Unicode classes, grouped punctuation, empty input), the
 * Rust behaviour is checked on cases worked out by hand from HF's Rust source.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { Tokenizer } from "../../src/tokenizers/tokenizer.js";
import { NormalizedString } from "../../src/tokenizers/normalized-string.js";
import { PreTokenizedString } from "../../src/tokenizers/pre-tokenized-string.js";
import { normalizerRegistry } from "../../src/tokenizers/normalizers/index.js";
import { preTokenizerRegistry } from "../../src/tokenizers/pre_tokenizers/index.js";
import { decoderRegistry } from "../../src/tokenizers/decoders/index.js";
import { JsonPath } from "../../src/tokenizers/json.js";
import { TemplateProcessing } from "../../src/tokenizers/processors/template.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";

type Json = Record<string, unknown>;
const at = new JsonPath("test.json", "");
const WORDLEVEL = { type: "WordLevel", vocab: { "<unk>": 0 }, unk_token: "<unk>" };

function hfWith(parts: Json): HfTokenizer {
  return new HfTokenizer({ model: WORDLEVEL, added_tokens: [], normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, ...parts }, {});
}
function normalize(config: Json, s: string): string {
  const ns = new NormalizedString(s);
  normalizerRegistry.fromJSON(config, at).normalize(ns);
  return ns.get();
}
function preTokenize(config: Json, s: string): string[] {
  const pts = new PreTokenizedString(s);
  preTokenizerRegistry.fromJSON(config, at).preTokenize(pts);
  return pts.splits.map((x) => x.normalized.get());
}

const COMMON = [" ", "  ", "\n", "\t", "a", "Abc", "É", "e\u0301", "123", "4", "!", "?.", ",", "中文", "😀", "\u00a0", "\u3000", "ﬁ", "İ", "'s", "\u0000", "\u200b", "ß"];
const ASCII = [" ", "  ", "\n", "\t", "a", "Abc", "x", "123", "4", "!", "?.", ",", "'s", "-", "(", ")"];
const text = (parts: string[], minLength = 0) => fc.array(fc.constantFrom(...parts), { minLength, maxLength: 12 }).map((a) => a.join(""));

describe("normalizers", () => {
  const configs: Json[] = [
    { type: "NFC" }, { type: "NFD" }, { type: "NFKC" }, { type: "NFKD" }, { type: "Lowercase" },
    { type: "Sequence", normalizers: [{ type: "NFD" }, { type: "StripAccents" }, { type: "Lowercase" }] },
    { type: "Strip", strip_left: true, strip_right: true }, { type: "Strip", strip_left: false, strip_right: true },
    { type: "Replace", pattern: { String: " " }, content: "▁" }, { type: "Replace", pattern: { Regex: "\\s+" }, content: " " },
    { type: "Prepend", prepend: "▁" },
    { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    { type: "BertNormalizer", clean_text: false, handle_chinese_chars: false, strip_accents: true, lowercase: false },
  ];
  for (const config of configs) {
    test(`${JSON.stringify(config)} equals the JS port and round-trips its JSON`, () => {
      const hf = hfWith({ normalizer: config });
      const n = normalizerRegistry.fromJSON(config, at);
      assert.deepEqual(n.toJSON(), config);
      fc.assert(
        fc.property(text(COMMON, 1), (s) => {
          assert.equal(normalize(config, s), (hf.normalizer as unknown as { normalize(s: string): string }).normalize(s));
        }),
        { seed: 21, numRuns: 150 },
      );
    });
  }

  test("Rust semantics where the JS port differs: Unicode White_Space, empty input, unassigned characters", () => {
    // char::is_whitespace: U+0085 is whitespace, U+FEFF is not.
    assert.equal(normalize({ type: "Strip", strip_left: true, strip_right: true }, "\u0085a\ufeff\u0085"), "a\ufeff");
    // Prepend needs a first character to align with.
    assert.equal(normalize({ type: "Prepend", prepend: "▁" }, ""), "");
    // BERT's clean_text drops Cc, Cf, Cn and Co (control, format, unassigned, private use).
    assert.equal(normalize({ type: "BertNormalizer", clean_text: true, handle_chinese_chars: false, strip_accents: false, lowercase: false }, "a\u200b\ue000\u{e0fff}\u0378b"), "ab");
  });
});

describe("pre-tokenizers", () => {
  const agreeing: [Json, string[]][] = [
    [{ type: "Whitespace" }, ASCII],
    [{ type: "WhitespaceSplit" }, COMMON],
    [{ type: "BertPreTokenizer" }, COMMON],
    [{ type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true }, COMMON],
    [{ type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false }, COMMON],
    [{ type: "Digits", individual_digits: true }, ASCII],
    [{ type: "Split", pattern: { Regex: "\\s+" }, behavior: "Isolated", invert: false }, COMMON],
    [{ type: "Sequence", pretokenizers: [{ type: "WhitespaceSplit" }, { type: "Digits", individual_digits: true }] }, ASCII],
  ];
  for (const [config, parts] of agreeing) {
    test(`${JSON.stringify(config)} equals the JS port and round-trips its JSON`, () => {
      const hf = hfWith({ pre_tokenizer: config });
      assert.deepEqual(preTokenizerRegistry.fromJSON(config, at).toJSON(), config);
      fc.assert(
        fc.property(text(parts, 1), (s) => {
          const want = (hf.pre_tokenizer as unknown as { pre_tokenize_text(s: string): string[] }).pre_tokenize_text(s);
          assert.deepEqual(preTokenize(config, s), want);
        }),
        { seed: 22, numRuns: 150 },
      );
    });
  }

  test("Split and Punctuation behaviours (each punctuation character is its own match, as in Rust)", () => {
    const punct = (behavior: string) => preTokenize({ type: "Punctuation", behavior }, "a--b!");
    assert.deepEqual(punct("Isolated"), ["a", "-", "-", "b", "!"]);
    assert.deepEqual(punct("Removed"), ["a", "b"]);
    assert.deepEqual(punct("MergedWithPrevious"), ["a-", "-", "b!"]);
    assert.deepEqual(punct("MergedWithNext"), ["a", "-", "-b", "!"]);
    assert.deepEqual(punct("Contiguous"), ["a", "--", "b", "!"]);
    const split = (pattern: Json, behavior: string, invert = false) => preTokenize({ type: "Split", pattern, behavior, invert }, "ab12 c3");
    assert.deepEqual(split({ Regex: "\\d" }, "Contiguous"), ["ab", "12", " c", "3"]);
    assert.deepEqual(split({ String: " " }, "Removed"), ["ab12", "c3"]);
    assert.deepEqual(split({ Regex: "\\d+" }, "Removed", true), ["12", "3"]);
  });

  test("Unicode classes as in Rust's regex: \\w, \\d and is_numeric are Unicode, \\s is White_Space", () => {
    assert.deepEqual(preTokenize({ type: "Whitespace" }, "sİ 中文4 ½"), ["sİ", "中文4", "½"]);
    assert.deepEqual(preTokenize({ type: "Digits", individual_digits: false }, "x½12Ⅻ٣"), ["x", "½12Ⅻ٣"]);
    assert.deepEqual(preTokenize({ type: "WhitespaceSplit" }, "a\u0085b\ufeffc"), ["a", "b\ufeffc"]);
    assert.deepEqual(preTokenize({ type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true }, ""), []);
  });

  test("splits keep their place in the original text", () => {
    const pts = new PreTokenizedString("Hello  wörld!");
    preTokenizerRegistry.fromJSON({ type: "BertPreTokenizer" }, at).preTokenize(pts);
    assert.deepEqual(pts.getSplits().map(([s, o]) => [s, o]), [["Hello", [0, 5]], ["wörld", [7, 12]], ["!", [12, 13]]]);
  });
});

describe("decoders", () => {
  const cases: [Json, string[]][] = [
    [{ type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true }, ["Hello", "Ġw", "Ã¶", "rld", "Ċ", "ðŁĺ", "Ģ"]],
    [{ type: "WordPiece", prefix: "##", cleanup: true }, ["un", "##aff", "##able", ",", "is", "##n", "'", "t", "!"]],
    [{ type: "BPEDecoder", suffix: "</w>" }, ["hel", "lo</w>", "wor", "ld</w>"]],
    [{ type: "Fuse" }, ["a", "b", " c"]],
    [{ type: "Strip", content: " ", start: 1, stop: 0 }, [" a", "  b", "c "]],
    [{ type: "Replace", pattern: { String: "▁" }, content: " " }, ["▁Hello", "▁wor", "ld"]],
    [{ type: "Sequence", decoders: [{ type: "Replace", pattern: { String: "▁" }, content: " " }, { type: "Fuse" }, { type: "Strip", content: " ", start: 1, stop: 0 }] }, ["▁Hello", "▁wor", "ld"]],
  ];
  for (const [config, tokens] of cases) {
    test(`${config["type"]}: equals the JS port, round-trips its JSON`, () => {
      const hf = hfWith({ decoder: config });
      const d = decoderRegistry.fromJSON(config, at);
      assert.deepEqual(d.toJSON(), config);
      assert.equal(d.decodeChain(tokens).join(""), (hf.decoder as unknown as { decode(t: string[]): string }).decode(tokens));
    });
  }
});

describe("post-processors", () => {
  const vocab = { "<s>": 0, "</s>": 1, "[CLS]": 2, "[SEP]": 3, hello: 4, world: 5, a: 6, b: 7 };
  const configs: Json[] = [
    { type: "BertProcessing", sep: ["[SEP]", 3], cls: ["[CLS]", 2] },
    { type: "RobertaProcessing", sep: ["</s>", 1], cls: ["<s>", 0], trim_offsets: true, add_prefix_space: true },
    {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
      pair: [{ Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } }, { Sequence: { id: "B", type_id: 1 } }],
      special_tokens: { "<s>": { id: "<s>", ids: [0], tokens: ["<s>"] }, "</s>": { id: "</s>", ids: [1], tokens: ["</s>"] } },
    },
  ];
  for (const config of configs) {
    test(`${config["type"]}: ids and type ids equal the JS port; JSON round-trips`, () => {
      const json = { model: { type: "WordLevel", vocab, unk_token: "</s>" }, added_tokens: [], normalizer: null, pre_tokenizer: { type: "WhitespaceSplit" }, post_processor: config, decoder: null };
      const hf = new HfTokenizer(json, {});
      const loom = Tokenizer.fromJSON(json);
      assert.deepEqual(loom.postProcessor!.toJSON(), config);
      for (const [a, b] of [["hello world", undefined], ["a", "b hello"]] as const) {
        const want = hf.encode(a, { text_pair: b ?? null, return_token_type_ids: true });
        const got = loom.encode(a, b);
        assert.deepEqual(got.ids, want.ids);
        assert.deepEqual(got.typeIds, want.token_type_ids);
      }
      assert.equal(loom.postProcessor!.addedTokens(false), loom.encode("a").length - 1);
      assert.equal(loom.postProcessor!.addedTokens(true), loom.encode("a", "b").length - 2);
    });
  }

  test("TemplateProcessing from template strings writes the JSON HF writes (the BERT fixture's)", () => {
    const fixture = JSON.parse(readFileSync(join(process.cwd(), "test/fixtures/tokenizers/bert-tiny/tokenizer.json"), "utf8")) as Json;
    const t = new TemplateProcessing("[CLS] $A [SEP]", "[CLS] $A [SEP] $B:1 [SEP]:1", [["[CLS]", 2], ["[SEP]", 3]]);
    assert.deepEqual(t.toJSON(), fixture["post_processor"]);
    assert.throws(() => new TemplateProcessing("$A [EOS]", "$A $B", []), /missing special token "\[EOS\]"/);
  });

  test("ByteLevel offset trimming", () => {
    const t = Tokenizer.fromJSON({
      model: { type: "WordLevel", vocab: { "[CLS]": 0, "[SEP]": 1, "Ġhello": 2, "Ġworld": 3, hello: 4 }, unk_token: "[SEP]" },
      pre_tokenizer: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
      post_processor: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    });
    const e = t.encode("hello  world");
    assert.deepEqual(e.tokens, ["Ġhello", "[SEP]", "Ġworld"]);
    // "Ġhello" keeps the prefix space it added (nothing to trim); the unknown " " became "[SEP]",
    // whose text has no space to trim; "Ġworld" loses its space.
    assert.deepEqual(e.offsets, [[0, 5], [5, 6], [7, 12]]);
  });
});

describe("string-only path used by training", () => {
  const normalizers: (Json | null)[] = [
    null,
    { type: "NFKC" },
    { type: "Sequence", normalizers: [{ type: "NFD" }, { type: "StripAccents" }, { type: "Lowercase" }, { type: "Strip", strip_left: true, strip_right: false }] },
    { type: "Replace", pattern: { Regex: "\\s+" }, content: " " },
    { type: "Prepend", prepend: "▁" },
    { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    { type: "Sequence", normalizers: [{ type: "NFKC" }, { type: "Strip", strip_left: false, strip_right: true }, { type: "Replace", pattern: { Regex: " {2,}" }, content: " " }] },
  ];
  const preTokenizers: (Json | null)[] = [
    null,
    { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
    { type: "Whitespace" },
    { type: "BertPreTokenizer" },
    { type: "Sequence", pretokenizers: [{ type: "Split", pattern: { Regex: "\\d" }, behavior: "MergedWithNext", invert: false }, { type: "Punctuation", behavior: "Contiguous" }, { type: "Digits", individual_digits: false }] },
    { type: "Metaspace", replacement: "\u2581", prepend_scheme: "always", split: true },
    { type: "Metaspace", replacement: "\u2581", prepend_scheme: "never", split: true },
    { type: "Metaspace", replacement: "\u2581", prepend_scheme: "first", split: false },
  ];
  test("gives the pieces the NormalizedString pipeline gives, for every normalizer × pre-tokenizer pair", () => {
    const arb = fc.oneof(text(COMMON), text([...COMMON, "<s>", "[SEP]", " <s> "]), fc.string({ unit: "binary", maxLength: 20 }));
    for (const normalizer of normalizers) {
      for (const pre_tokenizer of preTokenizers) {
        const t = Tokenizer.fromJSON({ model: WORDLEVEL, normalizer, pre_tokenizer });
        // Special tokens matched in the raw text: training splits around them (the per-segment route).
        if (normalizer !== null && pre_tokenizer !== null) t.addSpecialTokens(["<s>", "[SEP]"]);
        fc.assert(
          fc.property(arb, (s) => {
            t.useFastPath = true;
            const fast = t.preTokenizeForTraining(s);
            t.useFastPath = false;
            assert.deepEqual(fast, t.preTokenizeForTraining(s), `${JSON.stringify(normalizer)} ${JSON.stringify(pre_tokenizer)}`);
          }),
          { seed: 31, numRuns: 60 },
        );
      }
    }
  });
});
