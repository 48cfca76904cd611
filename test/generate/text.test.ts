import { test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, manualSeed } from "../../src/index.js";
import { GPT } from "../../src/models/gpt/index.js";
import { Tokenizer } from "../../src/tokenizers/tokenizer.js";
import { BPE } from "../../src/tokenizers/models/bpe/model.js";
import { ByteLevelPreTokenizer } from "../../src/tokenizers/pre_tokenizers/byte-level.js";
import { ByteLevelDecoder } from "../../src/tokenizers/decoders/byte-level.js";
import { BYTE_TO_CHAR } from "../../src/tokenizers/byte-level-alphabet.js";
import {
  type CausalLanguageModel, type DecodingCache, findStopSequence, generate, generateText, pendingStopPrefix, streamText,
} from "../../src/generate/index.js";

/** Byte-level BPE without merges: token id = byte value, plus <|endoftext|> = 256 (GPT-2's pipeline). */
function byteTokenizer(): Tokenizer {
  const tok = new Tokenizer(new BPE(new Map(BYTE_TO_CHAR.map((c, i) => [c, i])), []));
  tok.preTokenizer = new ByteLevelPreTokenizer({ addPrefixSpace: false, trimOffsets: true, useRegex: true });
  tok.decoder = new ByteLevelDecoder();
  tok.addSpecialTokens(["<|endoftext|>"]);
  return tok;
}
const EOT = 256;

class CountingCache implements DecodingCache {
  n = 0;
  reorder(): void {}
  get length(): number {
    return this.n;
  }
}

/** A "model" that emits `script` one token per step after a prompt of `promptLength` tokens, then <|endoftext|>. */
function scriptedModel(script: readonly number[], promptLength: number): CausalLanguageModel & { calls: number } {
  const V = 257;
  const model = {
    calls: 0,
    config: { n_positions: 1024, vocab_size: V },
    newCache: (): DecodingCache => new CountingCache(),
    forward(ids: Tensor, o: { cache?: DecodingCache; lastOnly?: boolean }) {
      model.calls++;
      const [B, T] = ids.shape as [number, number];
      let position = T;
      if (o.cache) position = ((o.cache as CountingCache).n += T);
      const next = script[position - promptLength] ?? EOT;
      const out = new Float32Array(B * V).fill(-10);
      for (let b = 0; b < B; b++) out[b * V + next] = 10;
      return { logits: new Tensor(out, [B, 1, V]) };
    },
  };
  return model;
}

const bytes = (s: string) => [...Buffer.from(s, "utf8")];

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const piece of it) out.push(piece);
  return out;
}

test("streaming holds back split UTF-8 characters: one piece per character, never U+FFFD", async () => {
  const tok = byteTokenizer();
  const text = "héllo 世界 🙂!";
  const prompt = "Hi";
  const m = scriptedModel(bytes(text), tok.encodeIds(prompt).length);
  const pieces = await collect(streamText(m, tok, prompt, { temperature: 0 }));
  assert.equal(pieces.join(""), text);
  assert.ok(pieces.every((p) => !p.includes("\uFFFD")), JSON.stringify(pieces));
  assert.deepEqual(pieces, [...text], "each character as soon as its last byte arrives");
  assert.equal(generateText(m, tok, prompt, { temperature: 0 }), text);
  assert.deepEqual(generate(m, tok.encodeIds(prompt), { temperature: 0, stopIds: [EOT] }), bytes(text));
});

test("a truncated character at the end is flushed as U+FFFD (the text the bytes decode to)", async () => {
  const tok = byteTokenizer();
  const script = [...bytes("ok "), 0xe4, 0xb8]; // first two of 世's three bytes, then maxNewTokens ends it
  const m = scriptedModel(script, 1);
  const pieces = await collect(streamText(m, tok, "x", { temperature: 0, maxNewTokens: script.length }));
  assert.equal(pieces.join(""), tok.decode(script));
  assert.equal(pieces.join(""), "ok \uFFFD");
  assert.deepEqual(pieces.slice(0, 3), ["o", "k", " "]);
});

test("stop ids and stop sequences end generation and are not in the text", async () => {
  const tok = byteTokenizer();
  const m = scriptedModel([...bytes("one two"), EOT, ...bytes("three")], 1);
  assert.equal(generateText(m, tok, "x", { temperature: 0 }), "one two", "<|endoftext|> is the default stop id");
  assert.equal(generateText(m, tok, "x", { temperature: 0, stopIds: [] }), "one twothree", "special token skipped in decode");
  const s = scriptedModel(bytes("hello END world, END again"), 1);
  assert.equal(generateText(s, tok, "x", { temperature: 0, stopSequences: ["END"] }), "hello ");
  const callsForOne = s.calls;
  assert.ok(callsForOne <= bytes("hello END").length + 1, `generation stopped at the stop sequence (${callsForOne} forwards)`);
  const pieces = await collect(streamText(s, tok, "x", { temperature: 0, stopSequences: ["world", " E"] }));
  assert.equal(pieces.join(""), "hello");
  assert.ok(pieces.every((p) => !p.includes(" ")), "the ' ' that might start ' E' was held back, then dropped");
});

test("a held-back stop-sequence prefix that does not complete is emitted", async () => {
  const tok = byteTokenizer();
  const m = scriptedModel(bytes("abc EN-D"), 1);
  const pieces = await collect(streamText(m, tok, "x", { temperature: 0, stopSequences: ["END"] }));
  assert.equal(pieces.join(""), "abc EN-D");
  assert.ok(pieces.includes("EN-"), `"EN" held until "-" ruled out END: ${JSON.stringify(pieces)}`);
});

test("stream pieces concatenate to generateText and to decoding generate's ids (GPT, byte-level, sampling)", async () => {
  const tok = byteTokenizer();
  manualSeed(31);
  const m = new GPT({ vocab_size: 257, n_positions: 32, n_embd: 16, n_layer: 2, n_head: 2, embd_pdrop: 0, attn_pdrop: 0, resid_pdrop: 0 });
  const prompt = "Über 世";
  for (const seed of [1, 2, 3]) {
    const options = { maxNewTokens: 40, seed, stopSequences: ["e"] };
    const pieces = await collect(streamText(m, tok, prompt, options));
    const text = generateText(m, tok, prompt, options);
    assert.equal(pieces.join(""), text);
    const ids = generate(m, tok.encodeIds(prompt), { maxNewTokens: 40, seed, stopIds: [EOT] });
    const decoded = tok.decode(ids, { skipSpecialTokens: true });
    const cut = decoded.indexOf("e");
    assert.equal(text, cut >= 0 ? decoded.slice(0, cut) : decoded);
  }
  // beam search through the text API: one piece, the decoded beam result
  const beam = await collect(streamText(m, tok, prompt, { maxNewTokens: 10, numBeams: 2 }));
  assert.equal(beam.join(""), tok.decode(generate(m, tok.encodeIds(prompt), { maxNewTokens: 10, numBeams: 2, stopIds: [EOT] }), { skipSpecialTokens: true }));
});

test("closing a stream early stops generation and restores training mode", async () => {
  const tok = byteTokenizer();
  manualSeed(32);
  const m = new GPT({ vocab_size: 257, n_positions: 32, n_embd: 16, n_layer: 1, n_head: 2 });
  m.train();
  let n = 0;
  for await (const piece of streamText(m, tok, "ab", { maxNewTokens: 20, seed: 1 })) {
    assert.equal(m.training, false, "eval mode while streaming");
    if (piece.length > 0 && ++n === 2) break;
  }
  assert.equal(m.training, true);
});

test("an empty prompt starts from <|endoftext|>", () => {
  const tok = byteTokenizer();
  const m = scriptedModel(bytes("hey"), 1);
  assert.equal(generateText(m, tok, "", { temperature: 0 }), "hey");
});

test("findStopSequence / pendingStopPrefix", () => {
  assert.equal(findStopSequence("abcXYdefXY", ["XY", "def"]), 3);
  assert.equal(findStopSequence("abcXYdefXY", ["XY", "def"], 4), 5);
  assert.equal(findStopSequence("abc", ["", "z"]), -1);
  assert.equal(pendingStopPrefix("hello EN", ["END"]), 2);
  assert.equal(pendingStopPrefix("hello E", ["END", "E!"]), 1);
  assert.equal(pendingStopPrefix("hello END", ["END"]), 0, "a whole stop sequence is found, not pending");
  assert.equal(pendingStopPrefix("aab", ["aabx", "b"]), 3);
});
