/** The ModelProto reader: documented defaults for absent fields, and FormatErrors for broken files. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FormatError } from "../../../src/errors.js";
import { ModelType, parseModelProto, PieceType } from "../../../src/tokenizers/sentencepiece/model-proto.js";
import { readSentencePieceModel } from "../../../src/tokenizers/sentencepiece/convert.js";
import { modelBytes } from "./helpers.js";

/** A minimal protobuf writer for building test messages (varints as BigInt so negatives sign-extend). */
function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
  return out;
}
const key = (field: number, wire: number): number[] => varint((field << 3) | wire);
const int = (field: number, value: number): number[] => [...key(field, 0), ...varint(value)];
const bytes = (field: number, data: number[] | Uint8Array): number[] => [...key(field, 2), ...varint(data.length), ...data];
const str = (field: number, s: string): number[] => bytes(field, [...Buffer.from(s, "utf8")]);
const float = (field: number, x: number): number[] => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(x);
  return [...key(field, 5), ...b];
};
const piece = (p: string, score: number, type?: PieceType): number[] =>
  bytes(1, [...str(1, p), ...float(2, score), ...(type === undefined ? [] : int(3, type))]);

function expectFormatError(run: () => unknown, file: string, field: RegExp): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof FormatError, String(e));
    assert.equal(e.file, file);
    assert.match(e.field, field);
    return true;
  });
}

describe("parseModelProto", () => {
  test("fills absent fields with sentencepiece_model.proto's defaults", () => {
    const proto = parseModelProto(Uint8Array.from([...piece("<unk>", 0, PieceType.UNKNOWN), ...piece("a", -1.5)]), "m.model");
    assert.deepEqual(proto.pieces, [
      { piece: "<unk>", score: 0, type: PieceType.UNKNOWN },
      { piece: "a", score: -1.5, type: PieceType.NORMAL },
    ]);
    assert.equal(proto.trainerSpec.modelType, ModelType.UNIGRAM);
    assert.equal(proto.trainerSpec.unkId, 0);
    assert.equal(proto.trainerSpec.padId, -1);
    assert.equal(proto.trainerSpec.byteFallback, false);
    assert.equal(proto.normalizerSpec.addDummyPrefix, true);
    assert.equal(proto.normalizerSpec.removeExtraWhitespaces, true);
    assert.equal(proto.normalizerSpec.escapeWhitespaces, true);
  });

  test("reads trainer and normalizer specs, negative int32s and unknown fields", () => {
    const trainer = [...int(3, ModelType.BPE), ...int(35, 1), ...int(40, 1), ...int(41, -1), ...int(43, 0), ...str(45, "[UNK]"), ...int(99, 7)];
    const normalizer = [...str(1, "identity"), ...int(3, 0), ...int(4, 0)];
    const proto = parseModelProto(
      Uint8Array.from([...piece("<pad>", 0, PieceType.CONTROL), ...piece("[UNK]", 0, PieceType.UNKNOWN), ...bytes(2, trainer), ...bytes(3, normalizer), ...str(77, "ignored")]),
      "m.model",
    );
    assert.equal(proto.trainerSpec.modelType, ModelType.BPE);
    assert.equal(proto.trainerSpec.byteFallback, true);
    assert.equal(proto.trainerSpec.unkId, 1);
    assert.equal(proto.trainerSpec.bosId, -1);
    assert.equal(proto.trainerSpec.padId, 0);
    assert.equal(proto.trainerSpec.unkPiece, "[UNK]");
    assert.equal(proto.normalizerSpec.name, "identity");
    assert.equal(proto.normalizerSpec.addDummyPrefix, false);
    assert.equal(proto.normalizerSpec.removeExtraWhitespaces, false);
  });

  test("a truncated .model is a FormatError naming the file and a field", () => {
    const data = modelBytes("unigram");
    for (const cut of [1, 7, 1000, Math.floor(data.length / 2), data.length - 3]) {
      expectFormatError(() => parseModelProto(data.subarray(0, cut), "cut.model"), "cut.model", /./);
    }
  });

  test("a field of the wrong wire type names that field", () => {
    expectFormatError(() => parseModelProto(Uint8Array.from([...piece("a", 0), ...bytes(2, str(4, "8000"))]), "w.model"), "w.model", /trainer_spec\.vocab_size/);
    expectFormatError(() => parseModelProto(Uint8Array.from(bytes(1, int(1, 5))), "w.model"), "w.model", /pieces\[0\]\.piece/);
  });

  test("an unknown piece type, a model without pieces, an unk_id past the pieces are FormatErrors", () => {
    expectFormatError(() => parseModelProto(Uint8Array.from(piece("a", 0, 9 as PieceType)), "t.model"), "t.model", /pieces\[0\]\.type/);
    expectFormatError(() => parseModelProto(Uint8Array.from(bytes(2, int(4, 10))), "t.model"), "t.model", /^pieces$/);
    expectFormatError(() => parseModelProto(Uint8Array.from([...piece("a", 0), ...bytes(2, int(40, 3))]), "t.model"), "t.model", /trainer_spec\.unk_id/);
  });

  test("readSentencePieceModel names a missing file", () => {
    expectFormatError(() => readSentencePieceModel("/nonexistent/x.model"), "/nonexistent/x.model", /file/);
  });
});
