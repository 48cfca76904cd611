/**
 * A SentencePiece `.model` as a Hugging Face tokenizer.json, built as transformers' `SpmConverter`
 * builds it:
 *   normalizer     Precompiled(charsmap) → Strip(right) → Replace(" {2,}" → " ")   (the last two only
 *                  with remove_extra_whitespaces, SentencePiece's default)
 *   pre_tokenizer  Metaspace("▁", prepend_scheme "always" with add_dummy_prefix, else "never";
 *                  split only for BPE: a unigram sentence is one Viterbi, as in libsentencepiece)
 *   model          Unigram(pieces, scores, unk_id) or BPE(vocab, merges derived from the piece scores)
 *   decoder        Metaspace; with byte_fallback: Replace("▁"→" "), ByteFallback, Fuse, Strip(" ", 1, 0)
 *   added_tokens   the control and user-defined pieces, unnormalized (control ones special)
 * Unlike the generic SpmConverter, byte fallback is carried over from trainer_spec.byte_fallback (as
 * transformers' Llama and Gemma converters do), so byte-fallback models encode as libsentencepiece does.
 */
import { readFileSync } from "node:fs";
import { FormatError } from "../../errors.js";
import { ModelType, parseModelProto, PieceType, type ModelProto } from "./model-proto.js";

const WS = "\u2581";

/** Reads and parses a `.model` file; a truncated or malformed one fails with a FormatError naming it. */
export function readSentencePieceModel(path: string): ModelProto {
  let data: Uint8Array;
  try {
    data = readFileSync(path);
  } catch (e) {
    throw new FormatError(path, "(file)", `cannot read: ${(e as Error).message}`);
  }
  return parseModelProto(data, path);
}

/**
 * BPE merges implied by a SentencePiece BPE vocabulary (transformers' `generate_merges`): every split
 * of a piece into two pieces of the vocabulary is a merge, ranked by the merged piece's score (higher
 * first), then by the lengths of the two halves (longer first), then by the halves' ids.
 */
export function mergesFromScores(pieces: ReadonlyArray<{ piece: string; score: number }>): [string, string][] {
  const ids = new Map<string, number>();
  pieces.forEach(({ piece }, id) => {
    if (!ids.has(piece)) ids.set(piece, id);
  });
  const merges: { left: string; right: string; score: number; leftLength: number; rightLength: number; order: number }[] = [];
  for (const { piece, score } of pieces) {
    const chars = [...piece];
    const local: { left: string; right: string }[] = [];
    for (let k = 1; k < chars.length; k++) {
      const left = chars.slice(0, k).join("");
      const right = chars.slice(k).join("");
      if (ids.has(left) && ids.has(right)) local.push({ left, right });
    }
    local.sort((a, b) => ids.get(a.left)! - ids.get(b.left)! || ids.get(a.right)! - ids.get(b.right)!);
    for (const { left, right } of local) {
      merges.push({ left, right, score, leftLength: k(left), rightLength: k(right), order: merges.length });
    }
  }
  // Python's sort(reverse=True) is stable and keeps equal keys in their original order.
  merges.sort((a, b) => b.score - a.score || b.leftLength - a.leftLength || b.rightLength - a.rightLength || a.order - b.order);
  return merges.map(({ left, right }) => [left, right]);
}

function k(s: string): number {
  return [...s].length;
}

/** The tokenizer.json object equivalent to a SentencePiece model. */
export function sentencePieceToTokenizerJSON(proto: ModelProto, file = "(model)"): Record<string, unknown> {
  const { pieces, trainerSpec, normalizerSpec } = proto;
  if (trainerSpec.treatWhitespaceAsSuffix) {
    throw new FormatError(file, "trainer_spec.treat_whitespace_as_suffix", "true is not supported (Metaspace prepends)");
  }
  const byteFallback = trainerSpec.byteFallback;
  let model: Record<string, unknown>;
  if (trainerSpec.modelType === ModelType.UNIGRAM) {
    model = {
      type: "Unigram",
      unk_id: trainerSpec.unkId >= 0 ? trainerSpec.unkId : null,
      vocab: pieces.map(({ piece, score }) => [piece, score]),
      byte_fallback: byteFallback,
    };
  } else if (trainerSpec.modelType === ModelType.BPE) {
    const vocab: Record<string, number> = {};
    pieces.forEach(({ piece }, id) => {
      if (!(piece in vocab)) vocab[piece] = id;
    });
    model = {
      type: "BPE",
      dropout: null,
      unk_token: trainerSpec.unkId >= 0 ? pieces[trainerSpec.unkId]!.piece : null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: byteFallback,
      ignore_merges: false,
      vocab,
      merges: mergesFromScores(pieces),
    };
  } else {
    throw new FormatError(file, "trainer_spec.model_type", `${ModelType[trainerSpec.modelType]} models are not supported (only UNIGRAM and BPE)`);
  }

  const normalizers: Record<string, unknown>[] = [];
  if (normalizerSpec.precompiledCharsmap.length > 0) {
    normalizers.push({ type: "Precompiled", precompiled_charsmap: Buffer.from(normalizerSpec.precompiledCharsmap).toString("base64") });
  }
  if (normalizerSpec.removeExtraWhitespaces) {
    normalizers.push({ type: "Strip", strip_left: false, strip_right: true });
    normalizers.push({ type: "Replace", pattern: { Regex: " {2,}" }, content: " " });
  }
  const prependScheme = normalizerSpec.addDummyPrefix ? "always" : "never";
  // A unigram model is one Viterbi over the whole sentence in libsentencepiece; splitting at "▁" is
  // the same segmentation in exact arithmetic, but not in its float32 running sums (ties).
  const split = trainerSpec.modelType !== ModelType.UNIGRAM;
  const metaspace = { type: "Metaspace", replacement: WS, prepend_scheme: prependScheme, split };
  const decoder = byteFallback
    ? {
        type: "Sequence",
        decoders: [
          { type: "Replace", pattern: { String: WS }, content: " " },
          { type: "ByteFallback" },
          { type: "Fuse" },
          ...(normalizerSpec.addDummyPrefix ? [{ type: "Strip", content: " ", start: 1, stop: 0 }] : []),
        ],
      }
    : metaspace;

  const addedTokens = pieces.flatMap(({ piece, type }, id) =>
    type === PieceType.CONTROL || type === PieceType.USER_DEFINED || type === PieceType.UNKNOWN
      ? [{ id, content: piece, single_word: false, lstrip: false, rstrip: false, normalized: false, special: type !== PieceType.USER_DEFINED }]
      : [],
  );

  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: normalizers.length === 0 ? null : { type: "Sequence", normalizers },
    pre_tokenizer: metaspace,
    post_processor: null,
    decoder,
    model,
  };
}
