/**
 * {"type":"TemplateProcessing"}: special tokens and type ids from templates such as
 * `[CLS] $A [SEP]` and `[CLS] $A [SEP] $B:1 [SEP]:1` (`$A`/`$B` are the sequences, `:n` a type id,
 * `$` alone is `$A`, `$n` is `$A:n`).
 */
import { ValueError } from "../../errors.js";
import type { Encoding } from "../encoding.js";
import { asArray, asInteger, asObject, asString, getArray, getObject, type JsonObject, type JsonPath } from "../json.js";
import type { PostProcessor } from "./post-processor.js";
import { specialTokensEncoding } from "./special-token-encoding.js";

/** One piece of a template: a sequence (A or B) or a special token, each with its type id. */
export type TemplatePiece = { Sequence: { id: "A" | "B"; type_id: number } } | { SpecialToken: { id: string; type_id: number } };

/** A special token a template uses: its id(s) and token text(s). */
export interface SpecialTokenEntry {
  id: string;
  ids: number[];
  tokens: string[];
}

/** Parses one template word: `$A`, `$B:1`, `[SEP]:1`, `$`, `$1`. */
export function parseTemplatePiece(word: string): TemplatePiece {
  const colon = word.lastIndexOf(":");
  let name = word;
  let typeId = 0;
  if (colon > 0 && /^\d+$/.test(word.slice(colon + 1))) {
    name = word.slice(0, colon);
    typeId = Number(word.slice(colon + 1));
  }
  if (name.startsWith("$")) {
    const rest = name.slice(1);
    if (rest === "" || rest === "A") return { Sequence: { id: "A", type_id: typeId } };
    if (rest === "B") return { Sequence: { id: "B", type_id: typeId } };
    if (/^\d+$/.test(rest)) return { Sequence: { id: "A", type_id: Number(rest) } };
    throw new ValueError(`TemplateProcessing: cannot read template piece ${JSON.stringify(word)}`);
  }
  return { SpecialToken: { id: name, type_id: typeId } };
}

/** Parses a template such as `"[CLS] $A [SEP]"` (or its JSON list) into pieces. */
export function parseTemplate(template: string | TemplatePiece[]): TemplatePiece[] {
  if (typeof template !== "string") return template;
  return template.split(/\s+/).filter((w) => w.length > 0).map(parseTemplatePiece);
}

/**
 * {"type":"TemplateProcessing"}: adds special tokens around one sequence or a pair by templates such as `[CLS] $A [SEP] $B:1
 * [SEP]:1`.
 */
export class TemplateProcessing implements PostProcessor {
  readonly type = "TemplateProcessing";
  readonly single: TemplatePiece[];
  readonly pair: TemplatePiece[];
  readonly specialTokens: Map<string, SpecialTokenEntry>;

  /** `specialTokens`: each special token of the templates with its id(s), e.g. `[["[CLS]", 101]]`. */
  constructor(
    single: string | TemplatePiece[],
    pair: string | TemplatePiece[],
    specialTokens: ([string, number] | SpecialTokenEntry)[],
  ) {
    this.single = parseTemplate(single);
    this.pair = parseTemplate(pair);
    this.specialTokens = new Map();
    for (const s of specialTokens) {
      const entry = Array.isArray(s) ? { id: s[0], ids: [s[1]], tokens: [s[0]] } : s;
      this.specialTokens.set(entry.id, entry);
    }
    for (const piece of [...this.single, ...this.pair]) {
      if ("SpecialToken" in piece && !this.specialTokens.has(piece.SpecialToken.id)) {
        throw new ValueError(`TemplateProcessing: missing special token ${JSON.stringify(piece.SpecialToken.id)} in special_tokens`);
      }
    }
  }

  addedTokens(isPair: boolean): number {
    let n = 0;
    for (const piece of isPair ? this.pair : this.single) {
      if ("SpecialToken" in piece) n += this.specialTokens.get(piece.SpecialToken.id)!.ids.length;
    }
    return n;
  }

  processEncodings(encodings: Encoding[], addSpecialTokens: boolean): Encoding[] {
    const template = encodings.length === 2 ? this.pair : this.single;
    const out: Encoding[] = [];
    for (const piece of template) {
      if ("Sequence" in piece) {
        const i = piece.Sequence.id === "A" ? 0 : 1;
        const e = encodings[i];
        if (!e) throw new ValueError(`TemplateProcessing: the template uses $${piece.Sequence.id} but only ${encodings.length} sequence(s) were given`);
        const copy = e.withoutOverflowing();
        copy.setTypeIds(piece.Sequence.type_id);
        copy.setSequenceId(i);
        out.push(copy);
      } else if (addSpecialTokens) {
        const tok = this.specialTokens.get(piece.SpecialToken.id)!;
        out.push(specialTokensEncoding(tok.ids, tok.tokens, piece.SpecialToken.type_id));
      }
    }
    return out;
  }

  toJSON(): Record<string, unknown> {
    const special: Record<string, unknown> = {};
    for (const [k, v] of this.specialTokens) special[k] = { id: v.id, ids: v.ids.slice(), tokens: v.tokens.slice() };
    const pieces = (t: TemplatePiece[]) =>
      t.map((p) => ("Sequence" in p ? { Sequence: { id: p.Sequence.id, type_id: p.Sequence.type_id } } : { SpecialToken: { id: p.SpecialToken.id, type_id: p.SpecialToken.type_id } }));
    return { type: this.type, single: pieces(this.single), pair: pieces(this.pair), special_tokens: special };
  }

  static fromJSON(json: JsonObject, at: JsonPath): TemplateProcessing {
    const readPieces = (key: string): TemplatePiece[] =>
      getArray(json, key, at).map((p, i) => {
        const pAt = at.key(key).index(i);
        const obj = asObject(p, pAt);
        if (obj["Sequence"] !== undefined) {
          const s = asObject(obj["Sequence"], pAt.key("Sequence"));
          const id = asString(s["id"], pAt.key("Sequence").key("id"));
          if (id !== "A" && id !== "B") throw pAt.key("Sequence").key("id").error(`expected "A" or "B", got ${JSON.stringify(id)}`);
          return { Sequence: { id, type_id: asInteger(s["type_id"], pAt.key("Sequence").key("type_id")) } };
        }
        const s = asObject(obj["SpecialToken"], pAt.key("SpecialToken"));
        return {
          SpecialToken: {
            id: asString(s["id"], pAt.key("SpecialToken").key("id")),
            type_id: asInteger(s["type_id"], pAt.key("SpecialToken").key("type_id")),
          },
        };
      });
    const specialAt = at.key("special_tokens");
    const entries = Object.entries(getObject(json, "special_tokens", at)).map(([k, v]): SpecialTokenEntry => {
      const eAt = specialAt.key(k);
      const o = asObject(v, eAt);
      return {
        id: asString(o["id"], eAt.key("id")),
        ids: asArray(o["ids"], eAt.key("ids")).map((x, i) => asInteger(x, eAt.key("ids").index(i))),
        tokens: asArray(o["tokens"], eAt.key("tokens")).map((x, i) => asString(x, eAt.key("tokens").index(i))),
      };
    });
    try {
      return new TemplateProcessing(readPieces("single"), readPieces("pair"), entries);
    } catch (e) {
      if (e instanceof ValueError) throw at.error(e.message);
      throw e;
    }
  }
}
