/**
 * What the pretraining objectives need to know about a tokenizer's vocabulary, as flat tables by id:
 * the `[MASK]` id, the vocabulary size (random replacements are drawn from it), which ids are special
 * (never masked, as HF's `get_special_tokens_mask`), and which ids continue a word (WordPiece's `##`
 * pieces, for whole-word masking, as Google's `create_pretraining_data.py` tests `token.startswith("##")`).
 */
import { ValueError } from "../../errors.js";
import type { Tokenizer } from "../../tokenizers/tokenizer.js";

/** A vocabulary as the masking functions see it. */
export interface MaskingVocabulary {
  /** Ids are drawn from [0, vocabSize) for the "random token" replacement. */
  vocabSize: number;
  /** The id written over a masked token. */
  maskTokenId: number;
  /** 1 for special ids ([CLS], [SEP], [PAD], [UNK], [MASK], …), which are never chosen for prediction. */
  special: Uint8Array;
  /** 1 for ids that continue the previous token's word (WordPiece `##…`); all 0 when the tokenizer has none. */
  continuation: Uint8Array;
}

/** Options of {@link maskingVocabulary}. */
export interface MaskingVocabularyOptions {
  /** The mask token's text (default "[MASK]"). */
  maskToken?: string;
  /** The prefix of word-continuing pieces (default: the WordPiece model's, else "##"). */
  continuingSubwordPrefix?: string;
}

/**
 * The masking tables of `tokenizer`: special ids are the tokenizer's special added tokens; continuation
 * ids are those whose token starts with the WordPiece prefix.
 */
export function maskingVocabulary(tokenizer: Tokenizer, options: MaskingVocabularyOptions = {}): MaskingVocabulary {
  const maskToken = options.maskToken ?? "[MASK]";
  const maskTokenId = tokenizer.tokenToId(maskToken);
  if (maskTokenId === undefined) {
    throw new ValueError(`maskingVocabulary: the tokenizer has no mask token "${maskToken}" (masked-LM pretraining writes it over the chosen tokens)`);
  }
  const vocab = tokenizer.getVocab(true);
  let vocabSize = 0;
  for (const id of vocab.values()) vocabSize = Math.max(vocabSize, id + 1);
  const special = new Uint8Array(vocabSize);
  for (const [id, token] of tokenizer.addedVocabulary.entries()) if (token.special && id < vocabSize) special[id] = 1;
  special[maskTokenId] = 1;
  const modelPrefix = (tokenizer.model as { continuingSubwordPrefix?: unknown }).continuingSubwordPrefix;
  const prefix = options.continuingSubwordPrefix ?? (typeof modelPrefix === "string" && modelPrefix !== "" ? modelPrefix : "##");
  const continuation = new Uint8Array(vocabSize);
  for (const [token, id] of vocab) if (token.length > prefix.length && token.startsWith(prefix) && special[id] === 0) continuation[id] = 1;
  return { vocabSize, maskTokenId, special, continuation };
}
