/**
 * SentencePiece `.model` files trained by libsentencepiece (scripts/fixtures/sentencepiece.py) load in
 * loom and encode a broad test set — NFKC-sensitive characters, odd spaces, CJK, emoji, unknown
 * characters — to the same pieces and ids as libsentencepiece, and decode back to its text.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseModelProto } from "../../../src/tokenizers/sentencepiece/model-proto.js";
import { readSentencePieceModel, sentencePieceToTokenizerJSON } from "../../../src/tokenizers/sentencepiece/convert.js";
import { Unigram } from "../../../src/tokenizers/models/unigram/model.js";
import { JsonPath, type JsonObject } from "../../../src/tokenizers/json.js";
import { Tokenizer } from "../../../src/tokenizers/tokenizer.js";
import { fromSentencePiece } from "../../../src/tokenizers/sentencepiece/index.js";
import { expected, modelBytes } from "./helpers.js";

const UNK_SURFACE = " \u2047 ";

for (const [name, fixture] of Object.entries(expected.models)) {
  const flags = [fixture.byte_fallback ? "byte fallback" : "", ...fixture.spm_train_flags].filter((f) => f !== "");
  describe(`SentencePiece ${name}.model (${[fixture.model_type, ...flags].join(", ")})`, () => {
    const dir = mkdtempSync(join(tmpdir(), "loom-spm-"));
    const path = join(dir, `${name}.model`);
    writeFileSync(path, modelBytes(name));
    const proto = readSentencePieceModel(path);
    const tokenizer = Tokenizer.fromSentencePiece(path);
    const viaFunction = fromSentencePiece(path);
    rmSync(dir, { recursive: true, force: true });
    const json = sentencePieceToTokenizerJSON(proto, path);

    test("reads back into the same tokenizer.json", () => {
      assert.deepEqual(tokenizer.toJSON(), json);
      assert.deepEqual(viaFunction.toJSON(), json);
      assert.deepEqual(Tokenizer.fromString(JSON.stringify(json)).toJSON(), json);
    });

    test("has the vocabulary size and settings libsentencepiece reports", () => {
      assert.equal(proto.pieces.length, fixture.vocab_size);
      assert.equal(proto.trainerSpec.byteFallback, fixture.byte_fallback);
      assert.equal(proto.normalizerSpec.name, "nmt_nfkc");
    });

    for (const c of fixture.cases) {
      test(`encodes ${JSON.stringify(c.text)} as libsentencepiece does`, () => {
        const encoding = tokenizer.encode(c.text);
        assert.deepEqual(encoding.ids, c.ids, `pieces ${JSON.stringify(encoding.tokens)} vs ${JSON.stringify(c.pieces)}`);
        // Known pieces have the same strings (an unknown token keeps its source text in loom).
        encoding.tokens.forEach((t, i) => {
          if (encoding.ids[i] !== proto.trainerSpec.unkId) assert.equal(t, c.pieces[i]);
        });
        // Offsets point into the original text, in order.
        let last = 0;
        for (const [start, end] of encoding.offsets) {
          assert.ok(start >= last && end >= start && end <= c.text.length, `${start}-${end}`);
          last = start;
        }
        // Decoding ids gives libsentencepiece's text, except that the unknown piece reads "<unk>"
        // (Hugging Face decodes ids through the vocabulary) where libsentencepiece writes " ⁇ ".
        assert.equal(tokenizer.decode(c.ids), c.decoded.split(UNK_SURFACE).join(proto.trainerSpec.unkPiece));
      });
    }

    if (fixture.model_type === "unigram") {
      test("gives libsentencepiece's n-best segmentations, in order", () => {
        const model = Unigram.fromJSON(json.model as JsonObject, new JsonPath(path, "model"));
        for (const { text, pieces } of fixture.nbest) {
          // The n-best texts are single words after normalization: "▁" + text with spaces escaped.
          const normalized = "\u2581" + text.replace(/ /g, "\u2581");
          const ours = model.nbest(normalized, pieces.length + 1).map((tokens) => tokens.map((t) => t.value));
          assert.deepEqual(ours.slice(0, pieces.length), pieces, text);
        }
      });
    }
  });
}

describe("sentencePieceToTokenizerJSON", () => {
  test("writes the SpmConverter pipeline for a unigram model", () => {
    const json = sentencePieceToTokenizerJSON(parseModelProto(modelBytes("unigram"), "unigram.model"));
    const normalizer = json.normalizer as { normalizers: { type: string }[] };
    assert.deepEqual(normalizer.normalizers.map((n) => n.type), ["Precompiled", "Strip", "Replace"]);
    assert.deepEqual(json.pre_tokenizer, { type: "Metaspace", replacement: "\u2581", prepend_scheme: "always", split: false });
    assert.deepEqual(json.decoder, json.pre_tokenizer);
    const model = json.model as { type: string; unk_id: number; vocab: [string, number][]; byte_fallback: boolean };
    assert.equal(model.type, "Unigram");
    assert.equal(model.unk_id, 0);
    assert.deepEqual(model.vocab[0], ["<unk>", 0]);
    assert.equal(model.byte_fallback, false);
    const added = json.added_tokens as { id: number; content: string; special: boolean }[];
    assert.deepEqual(added.map((t) => [t.id, t.content, t.special]), [[0, "<unk>", true], [1, "<s>", true], [2, "</s>", true]]);
  });

  test("writes BPE merges and the byte-fallback decoders for a bpe model with byte fallback", () => {
    const json = sentencePieceToTokenizerJSON(parseModelProto(modelBytes("bpe_bf"), "bpe_bf.model"));
    const model = json.model as { type: string; merges: [string, string][]; vocab: Record<string, number>; byte_fallback: boolean };
    assert.equal(model.type, "BPE");
    assert.equal(model.byte_fallback, true);
    assert.equal(model.vocab["<0x41>"] !== undefined, true);
    for (const [a, b] of model.merges) assert.ok(model.vocab[a + b] !== undefined, `${a} + ${b} is a piece`);
    const decoder = json.decoder as { decoders: { type: string }[] };
    assert.deepEqual(decoder.decoders.map((d) => d.type), ["Replace", "ByteFallback", "Fuse", "Strip"]);
  });
});
