/** WordLevel (HF tokenizers `models::wordlevel`): each whole piece is one vocabulary entry or `unk_token`. */
import { ValueError } from "../../../errors.js";
import { getObject, getString, type JsonObject, type JsonPath } from "../../json.js";
import { readVocab } from "../bpe/model.js";
import type { Model, Token } from "../model.js";
import { VocabularyModel } from "../vocabulary.js";

/** A word-level model: each pre-tokenized word is one token (or the unknown token). */
export class WordLevel extends VocabularyModel implements Model {
  readonly type = "WordLevel";

  constructor(
    vocab: Map<string, number>,
    readonly unkToken = "<unk>",
  ) {
    super(vocab);
  }

  tokenize(sequence: string): Token[] {
    if (sequence.length === 0) return [];
    const id = this.vocab.get(sequence);
    if (id !== undefined) return [{ id, value: sequence, offsets: [0, sequence.length] }];
    const unk = this.vocab.get(this.unkToken);
    if (unk === undefined) throw new ValueError(`WordLevel: unk_token ${JSON.stringify(this.unkToken)} is not in the vocabulary`);
    return [{ id: unk, value: this.unkToken, offsets: [0, sequence.length] }];
  }

  toJSON(): Record<string, unknown> {
    const vocab = this.vocabJSON();
    return { type: this.type, vocab, unk_token: this.unkToken };
  }

  static fromJSON(json: JsonObject, at: JsonPath): WordLevel {
    return new WordLevel(readVocab(getObject(json, "vocab", at), at.key("vocab")), getString(json, "unk_token", at));
  }
}
