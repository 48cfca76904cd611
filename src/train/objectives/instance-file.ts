/**
 * A run's pretraining instances cached in its folder (`train.instances`, `validation.instances`), so a
 * resumed run trains on exactly the same pairs without the corpus: int32 little-endian, a magic word,
 * the instance count, then per instance |A|, |B|, label, A's ids, B's ids.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FormatError } from "../../errors.js";
import { asFileError, writeFileAtomic } from "../../io/atomic.js";
import type { PretrainingInstance } from "./pairs.js";

/** "LMI1" read as a little-endian int32: marks a loom instance file. */
const MAGIC = 0x31494d4c;

/** The bytes of `instances` in the file format above. */
export function encodeInstances(instances: readonly PretrainingInstance[]): Uint8Array {
  let n = 2;
  for (const x of instances) n += 3 + x.a.length + x.b.length;
  const out = new Int32Array(n);
  out[0] = MAGIC;
  out[1] = instances.length;
  let o = 2;
  for (const x of instances) {
    out[o++] = x.a.length;
    out[o++] = x.b.length;
    out[o++] = x.label;
    out.set(x.a, o);
    o += x.a.length;
    out.set(x.b, o);
    o += x.b.length;
  }
  return new Uint8Array(out.buffer);
}

/** Reads instances back, each malformed field named with the file. */
export function decodeInstances(bytes: Uint8Array, file: string): PretrainingInstance[] {
  if (bytes.length % 4 !== 0 || bytes.length < 8) throw new FormatError(file, "(file)", `${bytes.length} bytes is not a loom instance file`);
  const data = new Int32Array(bytes.length / 4);
  new Uint8Array(data.buffer).set(bytes);
  if (data[0] !== MAGIC) throw new FormatError(file, "magic", "not a loom instance file");
  const count = data[1] as number;
  const instances: PretrainingInstance[] = [];
  let o = 2;
  for (let i = 0; i < count; i++) {
    if (o + 3 > data.length) throw new FormatError(file, `instance ${i}`, `the file ends after ${i} of ${count} instances`);
    const aLen = data[o] as number;
    const bLen = data[o + 1] as number;
    const label = data[o + 2] as number;
    o += 3;
    if (aLen < 1 || bLen < 0 || o + aLen + bLen > data.length) throw new FormatError(file, `instance ${i}`, `lengths ${aLen}, ${bLen} do not fit the file`);
    if (label !== 0 && label !== 1) throw new FormatError(file, `instance ${i}.label`, `expected 0 or 1, got ${label}`);
    instances.push({ a: data.slice(o, o + aLen), b: data.slice(o + aLen, o + aLen + bLen), label });
    o += aLen + bLen;
  }
  if (o !== data.length) throw new FormatError(file, "(file)", `${data.length - o} int32 words after the last instance`);
  return instances;
}

/** Writes `<name>.instances` into `dir` (atomically). */
export function saveInstances(dir: string, name: string, instances: readonly PretrainingInstance[]): void {
  writeFileAtomic(join(dir, `${name}.instances`), encodeInstances(instances));
}

/** Reads `<name>.instances` from `dir`. */
export function loadInstances(dir: string, name: string): PretrainingInstance[] {
  const file = join(dir, `${name}.instances`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw asFileError(e, file, "read the pretraining instances");
  }
  return decodeInstances(bytes, file);
}
