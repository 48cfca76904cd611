/**
 * Small HTTP helpers of the loom server over node:http: errors as values with a status, JSON replies,
 * bounded request bodies, and the headers every reply carries (cross-origin isolation, no sniffing).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { LoomError } from "../errors.js";

/** A request the server refuses, with the HTTP status to answer and a message for the user. */
export class HttpError extends LoomError {
  constructor(
    /** HTTP status, 4xx for the client's mistakes. */
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Headers on every reply. COOP `same-origin` + COEP `require-corp` make the page cross-origin
 * isolated, which browsers require before they hand out SharedArrayBuffer (the wasm backend's shared
 * memory); CORP `same-origin` lets the isolated page load our own files and keeps other sites out.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "X-Content-Type-Options": "nosniff",
};

/** Answers `value` as JSON with `status` (default 200). */
export function sendJson(res: ServerResponse, value: unknown, status = 200): void {
  const body = JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v));
  res.writeHead(status, { ...ISOLATION_HEADERS, "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body), "Cache-Control": "no-store" });
  res.end(body);
}

/** Answers an error as `{ "error": message }` with its status. */
export function sendError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, { error: message, status }, status);
}

/**
 * Reads a request body of at most `limit` bytes and parses it as a JSON object.
 * @throws HttpError 413 when it is longer, 415 when it is not JSON, 400 when it does not parse to an object.
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, `expected Content-Type application/json, got ${JSON.stringify(type)}`);
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > limit) throw new HttpError(413, `request body of ${declared} bytes is over the limit of ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `request body is over the limit of ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (e) {
    throw new HttpError(400, `malformed JSON body: ${(e as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new HttpError(400, "the JSON body must be an object");
  return parsed as Record<string, unknown>;
}

/** A string field of a parsed body, at most `maxLength` characters. @throws HttpError 400 or 413. */
export function stringField(body: Record<string, unknown>, name: string, maxLength: number): string {
  const value = body[name];
  if (typeof value !== "string") throw new HttpError(400, `field "${name}" must be a string, got ${value === undefined ? "nothing" : typeof value}`);
  if (value.length > maxLength) throw new HttpError(413, `field "${name}" has ${value.length} characters; at most ${maxLength}`);
  return value;
}
