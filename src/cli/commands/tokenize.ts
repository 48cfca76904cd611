/**
 * `loom tokenize --tokenizer <tokenizer.json | run directory | .model | gpt2 | r50k_base | p50k_base |
 * cl100k_base | o200k_base> [--json] [--ordinary] [--file PATH] [TEXT]`
 *
 * Encodes TEXT, the file, or else standard input (taken exactly, a final newline included) and prints
 * one line per token — id and token string (JSON-quoted, so spaces and byte-level characters show) —
 * or, with --json, `{ "ids", "tokens", "offsets" }`.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { ValueError } from "../../errors.js";
import { UsageError } from "../errors.js";
import { Tokenizer } from "../../tokenizers/tokenizer.js";
import type { TiktokenName } from "../../tokenizers/tiktoken.js";

export const tiktokenNames: readonly TiktokenName[] = ["gpt2", "r50k_base", "p50k_base", "cl100k_base", "o200k_base"];

/** Loads a tokenizer from a tokenizer.json, a directory holding one, a SentencePiece .model, or a tiktoken name. */
export function loadTokenizer(spec: string): Tokenizer {
  if ((tiktokenNames as readonly string[]).includes(spec) && !existsSync(spec)) {
    return Tokenizer.fromTiktoken(spec as TiktokenName);
  }
  if (!existsSync(spec)) {
    throw new UsageError(
      `tokenize: ${spec} is neither a file nor a built-in encoding (${tiktokenNames.join(", ")})`,
      "loom downloads nothing: give a tokenizer.json (e.g. one saved by transformers), a run folder, or a SentencePiece .model",
    );
  }
  if (statSync(spec).isDirectory()) {
    const inside = join(spec, "tokenizer.json");
    if (!existsSync(inside)) throw new UsageError(`tokenize: directory ${spec} has no tokenizer.json`, "give a run folder or the path of a tokenizer.json");
    return Tokenizer.fromFile(inside);
  }
  return spec.endsWith(".model") ? Tokenizer.fromSentencePiece(spec) : Tokenizer.fromFile(spec);
}

export interface TokenizeResult {
  ids: number[];
  tokens: string[];
  offsets: [number, number][];
}

/** Encodes `text`; `ordinary` treats special-token text as plain text (tiktoken's encode_ordinary). */
export function tokenizeText(tokenizer: Tokenizer, text: string, ordinary = false): TokenizeResult {
  tokenizer.setEncodeSpecialTokens(ordinary);
  const e = tokenizer.encode(text);
  return { ids: e.ids, tokens: e.tokens, offsets: e.offsets };
}

/** The readable form: one `id  "token"` line per token, then the count. */
export function formatTokens(result: TokenizeResult): string {
  const width = Math.max(0, ...result.ids.map((id) => String(id).length));
  const lines = result.ids.map((id, i) => `${String(id).padStart(width)}  ${JSON.stringify(result.tokens[i])}`);
  lines.push(`${result.ids.length} token${result.ids.length === 1 ? "" : "s"}`);
  return lines.join("\n") + "\n";
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function registerTokenizeCommand(program: Command): void {
  program
    .command("tokenize")
    .description("encode text with a tokenizer and print ids and tokens")
    .argument("[text]", "text to encode (default: --file, else standard input)")
    .requiredOption(
      "-t, --tokenizer <spec>",
      `tokenizer.json, a run directory, a SentencePiece .model, or ${tiktokenNames.join(", ")}`,
    )
    .option("--json", 'print { "ids", "tokens", "offsets" } as JSON')
    .option("--ordinary", "treat special-token text (e.g. <|endoftext|>) as plain text")
    .option("-f, --file <path>", "encode the contents of this file")
    .action(async (text: string | undefined, opts: { tokenizer: string; json?: boolean; ordinary?: boolean; file?: string }) => {
      if (text !== undefined && opts.file !== undefined) throw new ValueError("tokenize: give TEXT or --file, not both");
      const input = text ?? (opts.file !== undefined ? readFileSync(opts.file, "utf8") : await readStdin());
      const result = tokenizeText(loadTokenizer(opts.tokenizer), input, opts.ordinary ?? false);
      process.stdout.write(opts.json ? JSON.stringify(result) + "\n" : formatTokens(result));
    });
}
