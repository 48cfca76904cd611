/**
 * WordPiece (BERT; HF tokenizers `models::wordpiece`): greedy longest-match-first from the left; pieces
 * after the first carry `continuing_subword_prefix` ("##"). A word with any unmatched remainder, or
 * longer than `max_input_chars_per_word` characters, becomes the single `unk_token`.
 */
import { ValueError } from "../../../errors.js";
import { getInteger, getObject, getString, type JsonObject, type JsonPath } from "../../json.js";
import { readVocab } from "../bpe/model.js";
import type { Model, Token } from "../model.js";
import { VocabularyModel } from "../vocabulary.js";

/** Options of a WordPiece model: unknown token, continuation prefix ("##"), longest word. */
export interface WordPieceOptions {
  unkToken?: string;
  continuingSubwordPrefix?: string;
  maxInputCharsPerWord?: number;
}

/** WordPiece (BERT's): greedy longest-match-first splitting of each word into vocabulary pieces, "##" marking continuations. */
export class WordPiece extends VocabularyModel implements Model {
  readonly type = "WordPiece";
  readonly unkToken: string;
  readonly continuingSubwordPrefix: string;
  readonly maxInputCharsPerWord: number;

  constructor(vocab: Map<string, number>, options: WordPieceOptions = {}) {
    super(vocab);
    this.unkToken = options.unkToken ?? "[UNK]";
    this.continuingSubwordPrefix = options.continuingSubwordPrefix ?? "##";
    this.maxInputCharsPerWord = options.maxInputCharsPerWord ?? 100;
  }


  private unk(sequence: string): Token[] {
    const id = this.vocab.get(this.unkToken);
    if (id === undefined) throw new ValueError(`WordPiece: unk_token ${JSON.stringify(this.unkToken)} is not in the vocabulary`);
    return [{ id, value: this.unkToken, offsets: [0, sequence.length] }];
  }

  tokenize(sequence: string): Token[] {
    if (sequence.length === 0) return [];
    let chars = 0;
    for (const _ of sequence) if (++chars > this.maxInputCharsPerWord) return this.unk(sequence);
    const out: Token[] = [];
    let start = 0;
    while (start < sequence.length) {
      let end = sequence.length;
      let found: Token | undefined;
      while (start < end) {
        const piece = (start > 0 ? this.continuingSubwordPrefix : "") + sequence.slice(start, end);
        const id = this.vocab.get(piece);
        if (id !== undefined) {
          found = { id, value: piece, offsets: [start, end] };
          break;
        }
        // Step back one whole character (never between the halves of a surrogate pair).
        const last = sequence.charCodeAt(end - 1);
        end -= last >= 0xdc00 && last <= 0xdfff && end - 2 >= start && sequence.charCodeAt(end - 2) >= 0xd800 && sequence.charCodeAt(end - 2) <= 0xdbff ? 2 : 1;
      }
      if (!found) return this.unk(sequence);
      out.push(found);
      start = end;
    }
    return out;
  }

  toJSON(): Record<string, unknown> {
    const vocab = this.vocabJSON();
    return {
      type: this.type,
      unk_token: this.unkToken,
      continuing_subword_prefix: this.continuingSubwordPrefix,
      max_input_chars_per_word: this.maxInputCharsPerWord,
      vocab,
    };
  }

  static fromJSON(json: JsonObject, at: JsonPath): WordPiece {
    return new WordPiece(readVocab(getObject(json, "vocab", at), at.key("vocab")), {
      unkToken: getString(json, "unk_token", at),
      continuingSubwordPrefix: getString(json, "continuing_subword_prefix", at),
      maxInputCharsPerWord: getInteger(json, "max_input_chars_per_word", at),
    });
  }
}
