/**
 * A `"type"` → `fromJSON` table for one kind of pipeline component. Components register themselves
 * where they are defined; the stage's index module imports every built-in component so they are all
 * registered before a tokenizer.json is read.
 */
import { asObject, getType, type JsonObject, type JsonPath } from "./json.js";

export type FromJSON<T> = (json: JsonObject, at: JsonPath) => T;

/** A `"type"` → reader table for one kind of pipeline component, used to read tokenizer.json. */
export class Registry<T> {
  private readonly readers = new Map<string, FromJSON<T>>();

  /** `what` names the stage in error messages ("normalizer", "pre-tokenizer", …). */
  constructor(readonly what: string) {}

  register(type: string, read: FromJSON<T>): void {
    this.readers.set(type, read);
  }

  has(type: string): boolean {
    return this.readers.has(type);
  }

  types(): string[] {
    return [...this.readers.keys()].sort();
  }

  fromJSON(json: unknown, at: JsonPath): T {
    const obj = asObject(json, at);
    const type = getType(obj, at);
    const read = this.readers.get(type);
    if (!read) throw at.key("type").error(`unknown ${this.what} type "${type}" (known: ${this.types().join(", ")})`);
    return read(obj, at);
  }
}
