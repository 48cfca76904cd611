/**
 * Browser stand-ins for the two Node globals the library mentions, injected by the web build (esbuild
 * `inject`) as module bindings, so `globalThis` stays untouched and code that feature-tests
 * `globalThis.Buffer` still sees none: `process` (an empty environment) and `Buffer` (UTF-8 and
 * base64 conversions only, what the tokenizers and the safetensors reader use).
 */

/** An empty Node `process`: no environment variables, a pid of 0. */
export const process = { env: {} as Record<string, string | undefined>, pid: 0, platform: "browser" };

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Bytes with Node Buffer's `toString("utf8" | "base64")`. */
class BrowserBuffer extends Uint8Array {
  override toString(encoding = "utf8"): string {
    if (encoding === "base64") {
      let binary = "";
      for (let i = 0; i < this.length; i += 0x8000) binary += String.fromCharCode(...this.subarray(i, i + 0x8000));
      return btoa(binary);
    }
    if (encoding === "utf8" || encoding === "utf-8") return utf8Decoder.decode(this);
    throw new Error(`Buffer.toString: encoding ${encoding} is not supported in the browser`);
  }
}

/** The part of Node's `Buffer` the library uses: `from` (string or bytes) and `byteLength`. */
export const Buffer = {
  from(value: string | ArrayLike<number> | ArrayBufferLike, encoding = "utf8"): BrowserBuffer {
    if (typeof value !== "string") return new BrowserBuffer(value as ArrayLike<number>);
    if (encoding === "base64") {
      const binary = atob(value);
      const out = new BrowserBuffer(binary.length);
      for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
      return out;
    }
    return new BrowserBuffer(utf8Encoder.encode(value));
  },
  byteLength(value: string): number {
    return utf8Encoder.encode(value).length;
  },
};
