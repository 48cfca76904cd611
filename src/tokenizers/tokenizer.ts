/**
 * The tokenizer: normalizer → pre-tokenizer → model → post-processor → decoder, with added tokens,
 * truncation and padding — HF tokenizers' `TokenizerImpl`, read from and written to tokenizer.json.
 * Offsets are UTF-16 code units of the input, so `text.slice(...offsets[i])` is token i's source.
 */
import { createReadStream, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { FormatError, ValueError } from "../errors.js";
import { AddedToken, AddedVocabulary } from "./added-vocabulary.js";
import { BYTE_TO_CHAR } from "./byte-level-alphabet.js";
import { applyChatTemplate, loadChatTemplateBeside, type ChatMessage, type ChatTemplateConfig, type ChatTemplateOptions } from "./chat-template.js";
import { ByteLevelFastPath, type FastEncoding } from "./byte-level-fast-path.js";
import { SentencePieceFastPath } from "./sentencepiece-fast-path.js";
import { WordPieceFastPath } from "./wordpiece-fast-path.js";
import { decoderRegistry } from "./decoders/index.js";
import type { Decoder } from "./decoders/decoder.js";
import { Encoding } from "./encoding.js";
import { asArray, asObject, JsonPath, type JsonObject } from "./json.js";
import { BPE } from "./models/bpe/model.js";
import { Unigram } from "./models/unigram/model.js";
import { modelRegistry } from "./models/index.js";
import type { Model } from "./models/model.js";
import { normalizerRegistry } from "./normalizers/index.js";
import type { Normalizer } from "./normalizers/normalizer.js";
import { ByteLevelPreTokenizer, GPT2_REGEX } from "./pre_tokenizers/byte-level.js";
import { preTokenizerRegistry } from "./pre_tokenizers/index.js";
import type { PreTokenizer } from "./pre_tokenizers/pre-tokenizer.js";
import { Metaspace } from "./pre_tokenizers/metaspace.js";
import { PreTokenizerSequence } from "./pre_tokenizers/sequence.js";
import { Split } from "./pre_tokenizers/split.js";
import { padEncodings, paddingFromJSON, paddingToJSON, defaultPadding, type PaddingParams } from "./padding.js";
import { ByteLevelProcessor } from "./processors/byte-level.js";
import { postProcess, postProcessorRegistry } from "./processors/index.js";
import type { PostProcessor } from "./processors/post-processor.js";
import { compileRegex } from "./regex.js";
import { fromTiktoken, type TiktokenName } from "./tiktoken.js";
import type { Trainer } from "./trainers/trainer.js";
import { defaultTruncation, truncateEncodings, truncationFromJSON, truncationToJSON, type TruncationParams } from "./truncation.js";
import { readSentencePieceModel, sentencePieceToTokenizerJSON } from "./sentencepiece/convert.js";

export interface EncodeOptions {
  /** Run the post-processor's special tokens ([CLS], [SEP], …); default true. */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Leave out special added tokens; default false. */
  skipSpecialTokens?: boolean;
}

export type AddedTokenInput = string | AddedToken;

/**
 * Checks that a file can be written at `path` — its folder exists and it is not itself a folder —
 * so that callers can refuse before long work (training) rather than after it.
 */
export function checkOutputPath(path: string, op: string): void {
  const folder = dirname(path);
  let folderStat;
  try {
    folderStat = statSync(folder);
  } catch {
    throw new ValueError(`${op}: cannot write ${path}: the folder ${folder} does not exist`);
  }
  if (!folderStat.isDirectory()) throw new ValueError(`${op}: cannot write ${path}: ${folder} is not a folder`);
  let target;
  try {
    target = statSync(path);
  } catch {
    return;
  }
  if (target.isDirectory()) throw new ValueError(`${op}: cannot write ${path}: it is a folder (give a file name, e.g. ${path}/tokenizer.json)`);
}

/** What every fast path offers (see byte-level-fast-path.ts, sentencepiece-fast-path.ts). */
interface FastPath {
  /**
   * Appends the ids of `text` (no added tokens in it; `atStart`: it begins the input); false when
   * this text needs the general pipeline.
   */
  encodeIds(text: string, out: number[], atStart: boolean): boolean;
  /**
   * Appends the tokens of text[start, end) with offsets into `text`; returns the next word number,
   * or -1 when this text needs the general pipeline.
   */
  encode(text: string, start: number, end: number, out: FastEncoding, firstWord: number): number;
}

export class Tokenizer {
  /** The model stage (BPE, WordPiece, WordLevel, Unigram). */
  model: Model;
  /** The normalizer stage, if any. */
  normalizer: Normalizer | undefined;
  /** The pre-tokenizer stage, if any. */
  preTokenizer: PreTokenizer | undefined;
  /** The post-processor stage (special tokens, type ids), if any. */
  postProcessor: PostProcessor | undefined;
  /** The decoder stage, if any. */
  decoder: Decoder | undefined;
  /** Truncation applied by `encode`, if enabled. */
  truncation: TruncationParams | undefined;
  /** Padding applied by `encodeBatch`, if enabled. */
  padding: PaddingParams | undefined;
  /** Tokens added beyond the model's vocabulary (special tokens among them). */
  readonly addedVocabulary = new AddedVocabulary();
  /** A Jinja chat template (from chat_template.jinja / tokenizer_config.json beside the file), if any. */
  chatTemplate: ChatTemplateConfig | undefined;
  /** Set false to force the general pipeline (the tests compare it with the fast path). */
  useFastPath = true;
  private fastPath: FastPath | null | undefined;

  constructor(model: Model) {
    this.model = model;
  }

  // ---- loading and saving -------------------------------------------------------------------

  /** Reads a tokenizer.json; a malformed file fails with a FormatError naming the file and field. */
  static fromFile(path: string): Tokenizer {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new ValueError(`Tokenizer.fromFile: cannot read ${path}: ${(e as Error).message}`);
    }
    const t = Tokenizer.fromString(text, path);
    t.chatTemplate = loadChatTemplateBeside(path);
    return t;
  }

  /** Reads a tokenizer.json without blocking the event loop. */
  static async fromFileAsync(path: string): Promise<Tokenizer> {
    const t = Tokenizer.fromString(await readFile(path, "utf8"), path);
    t.chatTemplate = loadChatTemplateBeside(path);
    return t;
  }

  /** Parses tokenizer.json text; `source` names it in errors. */
  static fromString(text: string, source = "tokenizer.json"): Tokenizer {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new FormatError(source, "(root)", `not valid JSON (${(e as Error).message})`);
    }
    return Tokenizer.fromJSON(json, source);
  }

  /** A SentencePiece `.model` file (unigram or BPE), encoding as libsentencepiece does; see sentencepiece/convert.ts. */
  static fromSentencePiece(path: string): Tokenizer {
    const t = Tokenizer.fromJSON(sentencePieceToTokenizerJSON(readSentencePieceModel(path), path), path);
    // libsentencepiece's float32 sums decide its ties; tokenizer.json has no field for them.
    if (t.model instanceof Unigram) t.model.sentencePieceArithmetic = true;
    return t;
  }

  /** OpenAI's gpt2 (r50k_base), p50k_base, cl100k_base or o200k_base encoding; ids identical to tiktoken. */
  static fromTiktoken(name: TiktokenName): Tokenizer {
    return fromTiktoken(name);
  }

  /** Builds a tokenizer from a parsed tokenizer.json; `source` names the file in errors. */
  static fromJSON(json: unknown, source = "tokenizer.json"): Tokenizer {
    const root = new JsonPath(source, "");
    const obj = asObject(json, root);
    if (obj["model"] === undefined) throw root.key("model").error("missing");
    const model = modelRegistry.fromJSON(obj["model"], root.key("model"));
    const t = new Tokenizer(model);
    const component = <T>(key: string, read: (v: unknown, at: JsonPath) => T): T | undefined =>
      obj[key] === undefined || obj[key] === null ? undefined : read(obj[key], root.key(key));
    t.normalizer = component("normalizer", (v, at) => normalizerRegistry.fromJSON(v, at));
    t.preTokenizer = component("pre_tokenizer", (v, at) => preTokenizerRegistry.fromJSON(v, at));
    t.postProcessor = component("post_processor", (v, at) => postProcessorRegistry.fromJSON(v, at));
    t.decoder = component("decoder", (v, at) => decoderRegistry.fromJSON(v, at));
    t.truncation = component("truncation", truncationFromJSON);
    t.padding = component("padding", paddingFromJSON);
    const added = obj["added_tokens"] === undefined ? [] : asArray(obj["added_tokens"], root.key("added_tokens"));
    const addedAt = new Map<number, number>();
    added.forEach((a, i) => {
      const at = root.key("added_tokens").index(i);
      const { id, token } = AddedToken.fromJSON(a as JsonObject, at);
      const first = addedAt.get(id);
      if (first !== undefined) throw at.key("id").error(`id ${id} is already the id of added_tokens[${first}]; added-token ids must be distinct`);
      if (id < 0) throw at.key("id").error(`id ${id} is negative`);
      addedAt.set(id, i);
      t.addedVocabulary.setToken(id, token);
    });
    t.addedVocabulary.refresh(t.normalizer);
    return t;
  }

  /** The tokenizer.json object, fields in Hugging Face's order. */
  toJSON(): Record<string, unknown> {
    return {
      version: "1.0",
      truncation: this.truncation ? truncationToJSON(this.truncation) : null,
      padding: this.padding ? paddingToJSON(this.padding) : null,
      added_tokens: this.addedVocabulary.entries().map(([id, t]) => t.toJSON(id)),
      normalizer: this.normalizer?.toJSON() ?? null,
      pre_tokenizer: this.preTokenizer?.toJSON() ?? null,
      post_processor: this.postProcessor?.toJSON() ?? null,
      decoder: this.decoder?.toJSON() ?? null,
      model: this.model.toJSON(),
    };
  }

  /** The tokenizer as tokenizer.json text. */
  toString(pretty = false): string {
    return JSON.stringify(this.toJSON(), null, pretty ? 2 : undefined);
  }

  /**
   * Writes tokenizer.json atomically: a temporary file beside it, then a rename. A path that cannot
   * take it (a directory, a missing folder) is a ValueError naming it, and no temporary file is left.
   */
  save(path: string, pretty = true): void {
    checkOutputPath(path, "Tokenizer.save");
    const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
    try {
      writeFileSync(tmp, this.toString(pretty));
      renameSync(tmp, path);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw new ValueError(`Tokenizer.save: cannot write ${path}: ${(e as Error).message}`);
    }
  }

  /** Writes tokenizer.json (atomically) without blocking the event loop. */
  async saveAsync(path: string, pretty = true): Promise<void> {
    checkOutputPath(path, "Tokenizer.saveAsync");
    const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
    try {
      await writeFile(tmp, this.toString(pretty));
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw new ValueError(`Tokenizer.saveAsync: cannot write ${path}: ${(e as Error).message}`);
    }
  }

  // ---- vocabulary ---------------------------------------------------------------------------

  /** The id of a token (added tokens included), or undefined. */
  tokenToId(token: string): number | undefined {
    return this.addedVocabulary.tokenToId(token) ?? this.model.tokenToId(token);
  }

  /** The token of an id (added tokens included), or undefined. */
  idToToken(id: number): string | undefined {
    return this.addedVocabulary.idToToken(id) ?? this.model.idToToken(id);
  }

  /** The model's vocabulary plus the added tokens (`withAddedTokens`, default true). */
  getVocabSize(withAddedTokens = true): number {
    if (!withAddedTokens) return this.model.getVocabSize();
    const vocab = this.model.getVocab();
    let extra = 0;
    for (const [id, t] of this.addedVocabulary.entries()) if (vocab.get(t.content) !== id) extra++;
    return this.model.getVocabSize() + extra;
  }

  /** Every token and its id. */
  getVocab(withAddedTokens = true): Map<string, number> {
    const v = this.model.getVocab();
    if (withAddedTokens) for (const [id, t] of this.addedVocabulary.entries()) v.set(t.content, id);
    return v;
  }

  /** Adds normal tokens; returns how many are new to the vocabulary. */
  addTokens(tokens: AddedTokenInput[]): number {
    const list = tokens.map((t) => (typeof t === "string" ? new AddedToken(t) : t));
    this.fastPath = undefined;
    return this.addedVocabulary.addTokens(list, this.model, this.normalizer);
  }

  /** Adds special tokens (never split, never normalized, skippable in decode). */
  addSpecialTokens(tokens: AddedTokenInput[]): number {
    const list = tokens.map((t) =>
      typeof t === "string" ? new AddedToken(t, { special: true }) : new AddedToken(t.content, { ...t, special: true }),
    );
    this.fastPath = undefined;
    return this.addedVocabulary.addTokens(list, this.model, this.normalizer);
  }

  /**
   * Drops the encoding caches (the fast path's piece → ids tables, a BPE model's word cache); they
   * refill on the next encode. After encoding a whole corpus they hold ~10 MB that a training run would
   * otherwise keep (and its garbage collector walk) to the end.
   */
  clearCache(): void {
    this.fastPath = undefined;
    this.model.clearCache?.();
  }

  /** Encodes special-token text as ordinary text instead of as the special token. */
  setEncodeSpecialTokens(value: boolean): void {
    this.addedVocabulary.encodeSpecialTokens = value;
  }

  /** Makes `encode` cut encodings to `maxLength` (with the given strategy, stride and side). */
  enableTruncation(params: Partial<TruncationParams> & { maxLength: number }): void {
    this.truncation = { ...defaultTruncation, ...params };
  }
  /** Turns truncation off. */
  noTruncation(): void {
    this.truncation = undefined;
  }
  /** Makes `encodeBatch` pad encodings to the longest (or a fixed length). */
  enablePadding(params: Partial<PaddingParams> = {}): void {
    this.padding = { ...defaultPadding, ...params };
  }
  /** Turns padding off. */
  noPadding(): void {
    this.padding = undefined;
  }

  // ---- encoding -----------------------------------------------------------------------------

  /**
   * A fast path when this pipeline has the shape of one: byte-level BPE (no normalizer, regex split),
   * SentencePiece (charsmap, Metaspace, Unigram or BPE) or BERT (BertNormalizer, BertPreTokenizer,
   * WordPiece). Each gives exactly what the general pipeline gives.
   */
  private getFastPath(): FastPath | null {
    if (this.fastPath !== undefined) return this.fastPath;
    this.fastPath = null;
    if (this.addedVocabulary.hasNormalizedTokens) return null;
    this.fastPath =
      SentencePieceFastPath.forPipeline(this.normalizer, this.preTokenizer, this.model) ??
      WordPieceFastPath.forPipeline(this.normalizer, this.preTokenizer, this.model);
    if (this.fastPath) return this.fastPath;
    const m = this.model;
    if (this.normalizer || !(m instanceof BPE)) return null;
    if (m.dropout || m.continuingSubwordPrefix || m.endOfWordSuffix || m.byteFallback) return null;
    if (m.unkToken !== undefined && m.tokenToId(m.unkToken) === undefined) return null;
    let regex: RegExp | undefined;
    const p = this.preTokenizer;
    if (p instanceof ByteLevelPreTokenizer && p.useRegex && !p.addPrefixSpace) regex = GPT2_REGEX;
    if (p instanceof PreTokenizerSequence && p.preTokenizers.length === 2) {
      const [split, bl] = p.preTokenizers;
      if (
        split instanceof Split &&
        split.behavior === "Isolated" &&
        !split.invert &&
        "Regex" in split.pattern &&
        bl instanceof ByteLevelPreTokenizer &&
        !bl.useRegex &&
        !bl.addPrefixSpace
      ) {
        regex = compileRegex(split.pattern.Regex);
      }
    }
    if (!regex) return null;
    // Every byte must be a single-character token, or pieces could hit unknown symbols.
    for (let b = 0; b < 256; b++) if (m.tokenToId(BYTE_TO_CHAR[b]!) === undefined) return null;
    this.fastPath = new ByteLevelFastPath(regex, m);
    return this.fastPath;
  }

  /** One sequence through normalizer, pre-tokenizer and model (no post-processing). */
  private encodeSequence(text: string, typeId: number): Encoding {
    const fast = this.useFastPath ? this.getFastPath() : null;
    if (fast) {
      const out: FastEncoding = { ids: [], tokens: [], offsets: [], wordIds: [] };
      let word = 0;
      for (const [start, end, id] of this.addedVocabulary.splitPlain(text)) {
        if (id === undefined) {
          word = fast.encode(text, start, end, out, word);
          if (word < 0) return this.encodeSequenceGeneral(text, typeId);
        } else {
          out.ids.push(id);
          out.tokens.push(text.slice(start, end));
          out.offsets.push([start, end]);
          out.wordIds.push(word++);
        }
      }
      return new Encoding({ ...out, typeIds: new Array<number>(out.ids.length).fill(typeId) });
    }
    return this.encodeSequenceGeneral(text, typeId);
  }

  private encodeSequenceGeneral(text: string, typeId: number): Encoding {
    const pts = this.addedVocabulary.extractAndNormalize(this.normalizer, text);
    this.preTokenizer?.preTokenize(pts);
    pts.tokenize((s) => this.model.tokenize(s.get()));
    return pts.intoEncoding(undefined, typeId);
  }

  /** Truncation, post-processing and padding of one input (HF `post_process`). */
  postProcess(encoding: Encoding, pair: Encoding | undefined, addSpecialTokens = true): Encoding {
    if (this.truncation) {
      const added = addSpecialTokens && this.postProcessor ? this.postProcessor.addedTokens(pair !== undefined) : 0;
      if (added > this.truncation.maxLength) {
        throw new ValueError(`truncation: max_length ${this.truncation.maxLength} leaves no room for the ${added} special tokens`);
      }
      truncateEncodings(encoding, pair, { ...this.truncation, maxLength: this.truncation.maxLength - added });
    }
    const result = postProcess(this.postProcessor, encoding, pair, addSpecialTokens);
    if (this.padding) padEncodings([result], this.padding);
    return result;
  }

  /** Encodes one text, or a pair of texts (question/context, sentence A/B). */
  encode(text: string, pair?: string, options: EncodeOptions = {}): Encoding {
    const addSpecialTokens = options.addSpecialTokens ?? true;
    const a = this.encodeSequence(text, 0);
    const b = pair === undefined ? undefined : this.encodeSequence(pair, 1);
    return this.postProcess(a, b, addSpecialTokens);
  }

  /**
   * Only the ids of `text` — what `encode(text).ids` gives, faster on the byte-level fast path when
   * no post-processing, truncation or padding applies.
   */
  encodeIds(text: string, options: EncodeOptions = {}): number[] {
    const fast = this.useFastPath && !this.truncation && !this.padding ? this.getFastPath() : null;
    const trivialPost = !this.postProcessor || this.postProcessor instanceof ByteLevelProcessor || options.addSpecialTokens === false;
    if (!fast || !trivialPost) return this.encode(text, undefined, options).ids;
    const out: number[] = [];
    if (this.addedVocabulary.isEmpty) {
      return fast.encodeIds(text, out, true) ? out : this.encode(text, undefined, options).ids;
    }
    for (const [start, end, id] of this.addedVocabulary.splitPlain(text)) {
      if (id !== undefined) out.push(id);
      else if (!fast.encodeIds(text.slice(start, end), out, start === 0)) return this.encode(text, undefined, options).ids;
    }
    return out;
  }

  /** Encodes many inputs (texts or [text, pair]); padding, if enabled, applies across the batch. */
  encodeBatch(inputs: (string | [string, string])[], options: EncodeOptions = {}): Encoding[] {
    const padding = this.padding;
    this.padding = undefined;
    let encodings: Encoding[];
    try {
      encodings = inputs.map((x) => (typeof x === "string" ? this.encode(x, undefined, options) : this.encode(x[0], x[1], options)));
    } finally {
      this.padding = padding;
    }
    if (padding) padEncodings(encodings, padding);
    return encodings;
  }

  // ---- decoding -----------------------------------------------------------------------------

  /** The text of `ids` (special tokens skipped if `skipSpecialTokens`). */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const skip = options.skipSpecialTokens ?? false;
    const tokens: string[] = [];
    for (const id of ids) {
      const added = this.addedVocabulary.getToken(id);
      if (added) {
        if (!(skip && added.special)) tokens.push(added.content);
        continue;
      }
      const t = this.model.idToToken(id);
      if (t !== undefined) tokens.push(t);
    }
    return this.decoder ? this.decoder.decodeChain(tokens).join("") : tokens.join(" ");
  }

  /** `decode` for each list of ids. */
  decodeBatch(batch: readonly (readonly number[])[], options: DecodeOptions = {}): string[] {
    return batch.map((ids) => this.decode(ids, options));
  }

  // ---- chat ----------------------------------------------------------------------------------

  /**
   * Renders chat messages to prompt text with `options.chatTemplate`, else this tokenizer's template,
   * else loom's default (`<|system|>`, `<|user|>`, `<|assistant|>`, `<|endoftext|>`).
   */
  applyChatTemplate(messages: readonly ChatMessage[], options: ChatTemplateOptions = {}): string {
    return applyChatTemplate(messages, {
      ...options,
      chatTemplate: options.chatTemplate ?? this.chatTemplate?.template,
      variables: { ...this.chatTemplate?.variables, ...options.variables },
    });
  }

  // ---- training -----------------------------------------------------------------------------

  /** The pieces the model sees for one text: normalized, pre-tokenized, added tokens removed. */
  preTokenizeForTraining(text: string): string[] {
    const n = this.normalizer;
    const p = this.preTokenizer;
    const normalizeString = n ? n.normalizeString?.bind(n) : (s: string) => s;
    const preTokenizeString = p ? p.preTokenizeString?.bind(p) : (s: string) => [s];
    if (this.useFastPath && this.addedVocabulary.isEmpty && normalizeString && preTokenizeString) {
      // Strings only: the same pieces as below without building NormalizedStrings.
      const normalized = normalizeString(text);
      return normalized.length === 0 ? [] : preTokenizeString(normalized).filter((x) => x.length > 0);
    }
    // With added tokens matched in the raw text only, the same per segment between them — except
    // Metaspace's "first" scheme, which must know where a segment starts.
    const firstOnly = p instanceof Metaspace && p.prependScheme === "first";
    if (this.useFastPath && !this.addedVocabulary.hasNormalizedTokens && normalizeString && preTokenizeString && !firstOnly) {
      const pieces: string[] = [];
      for (const [start, end, id] of this.addedVocabulary.splitPlain(text)) {
        if (id !== undefined) continue;
        const normalized = normalizeString(text.slice(start, end));
        if (normalized.length > 0) for (const x of preTokenizeString(normalized)) if (x.length > 0) pieces.push(x);
      }
      return pieces;
    }
    const pts = this.addedVocabulary.extractAndNormalize(this.normalizer, text);
    this.preTokenizer?.preTokenize(pts);
    const pieces: string[] = [];
    for (const s of pts.splits) if (!s.tokens) pieces.push(s.normalized.get());
    return pieces;
  }

  /**
   * Trains the model on text files, line by line (streamed, so long lines and large files are fine):
   * each line is normalized and pre-tokenized and its pieces fed to `trainer`; then the trained model
   * replaces this one and the trainer's special tokens are added as special tokens.
   */
  async train(files: readonly string[], trainer: Trainer): Promise<void> {
    for (const file of files) {
      const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
      for await (const line of lines) {
        if (line.length > 0) trainer.feed(this.preTokenizeForTraining(line));
      }
    }
    this.trainFinish(trainer);
  }

  /** Trains from texts in memory (each treated like one line of a file). */
  trainFromTexts(texts: Iterable<string>, trainer: Trainer): void {
    for (const text of texts) if (text.length > 0) trainer.feed(this.preTokenizeForTraining(text));
    this.trainFinish(trainer);
  }

  private trainFinish(trainer: Trainer): void {
    this.model = trainer.train();
    this.fastPath = undefined;
    if (trainer.specialTokens.length > 0) this.addSpecialTokens([...trainer.specialTokens]);
    this.addedVocabulary.refresh(this.normalizer);
  }
}
