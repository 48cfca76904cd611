/**
 * {"type":"BertProcessing"}: `[CLS] A [SEP]` and `[CLS] A [SEP] B [SEP]` with type id 1 for B's part;
 * {"type":"RobertaProcessing"}: `<s> A </s>` and `<s> A </s> </s> B </s>` (type id 1 from B's first
 * `</s>` on, as HF's processor writes them, though RoBERTa itself ignores type ids), trimming
 * byte-level offsets first when `trim_offsets` is set.
 */
import type { Encoding } from "../encoding.js";
import { asArray, asBoolean, asInteger, asString, getBoolean, type JsonObject, type JsonPath } from "../json.js";
import type { PostProcessor } from "./post-processor.js";
import { specialTokensEncoding } from "./special-token-encoding.js";
import { trimByteLevelOffsets } from "./trim-offsets.js";

type TokenAndId = [string, number];

function readTokenAndId(json: JsonObject, key: string, at: JsonPath): TokenAndId {
  const a = asArray(json[key], at.key(key));
  if (a.length !== 2) throw at.key(key).error(`expected ["token", id]`);
  return [asString(a[0], at.key(key).index(0)), asInteger(a[1], at.key(key).index(1))];
}

function withType(e: Encoding, typeId: number, sequenceId: number): Encoding {
  const c = e.withoutOverflowing();
  c.setTypeIds(typeId);
  c.setSequenceId(sequenceId);
  return c;
}

/** {"type":"BertProcessing"}: `[CLS] A [SEP]` and `[CLS] A [SEP] B [SEP]`, with type ids. */
export class BertProcessing implements PostProcessor {
  readonly type = "BertProcessing";
  constructor(
    readonly sep: TokenAndId = ["[SEP]", 102],
    readonly cls: TokenAndId = ["[CLS]", 101],
  ) {}
  addedTokens(isPair: boolean): number {
    return isPair ? 3 : 2;
  }
  processEncodings(encodings: Encoding[], addSpecialTokens: boolean): Encoding[] {
    if (!addSpecialTokens) return encodings;
    const [a, b] = encodings;
    const out = [
      specialTokensEncoding([this.cls[1]], [this.cls[0]], 0),
      withType(a!, 0, 0),
      specialTokensEncoding([this.sep[1]], [this.sep[0]], 0),
    ];
    if (b) out.push(withType(b, 1, 1), specialTokensEncoding([this.sep[1]], [this.sep[0]], 1));
    return out;
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, sep: [...this.sep], cls: [...this.cls] };
  }
  static fromJSON(json: JsonObject, at: JsonPath): BertProcessing {
    return new BertProcessing(readTokenAndId(json, "sep", at), readTokenAndId(json, "cls", at));
  }
}

/** {"type":"RobertaProcessing"}: `<s> A </s>` and `<s> A </s></s> B </s>`, with offset trimming. */
export class RobertaProcessing implements PostProcessor {
  readonly type = "RobertaProcessing";
  constructor(
    readonly sep: TokenAndId = ["</s>", 2],
    readonly cls: TokenAndId = ["<s>", 0],
    readonly trimOffsets = true,
    readonly addPrefixSpace = true,
  ) {}
  addedTokens(isPair: boolean): number {
    return isPair ? 4 : 2;
  }
  processEncodings(encodings: Encoding[], addSpecialTokens: boolean): Encoding[] {
    if (this.trimOffsets) for (const e of encodings) trimByteLevelOffsets(e, this.addPrefixSpace);
    if (!addSpecialTokens) return encodings;
    const [a, b] = encodings;
    const out = [
      specialTokensEncoding([this.cls[1]], [this.cls[0]], 0),
      withType(a!, 0, 0),
      specialTokensEncoding([this.sep[1]], [this.sep[0]], 0),
    ];
    if (b) {
      out.push(specialTokensEncoding([this.sep[1]], [this.sep[0]], 1), withType(b, 1, 1), specialTokensEncoding([this.sep[1]], [this.sep[0]], 1));
    }
    return out;
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, sep: [...this.sep], cls: [...this.cls], trim_offsets: this.trimOffsets, add_prefix_space: this.addPrefixSpace };
  }
  static fromJSON(json: JsonObject, at: JsonPath): RobertaProcessing {
    return new RobertaProcessing(
      readTokenAndId(json, "sep", at),
      readTokenAndId(json, "cls", at),
      getBoolean(json, "trim_offsets", at),
      asBoolean(json["add_prefix_space"], at.key("add_prefix_space")),
    );
  }
}
