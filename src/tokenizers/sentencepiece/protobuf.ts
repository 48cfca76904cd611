/**
 * Just enough of the protocol-buffers wire format to read SentencePiece's ModelProto
 * (https://protobuf.dev/programming-guides/encoding/): varints, 32/64-bit fixed fields and
 * length-delimited fields. Errors name the file and the field being read.
 */
import { FormatError } from "../../errors.js";

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

/** One field as read off the wire; `value` is a varint (as two 32-bit halves), or the raw bytes. */
export interface WireField {
  number: number;
  wireType: number;
  /** Low and high 32 bits of a varint or fixed64; low bits of a fixed32. */
  lo: number;
  hi: number;
  bytes: Uint8Array;
}

export class ProtoReader {
  private pos = 0;

  constructor(
    private readonly buf: Uint8Array,
    /** File name and field path for error messages, e.g. "m.model", "trainer_spec". */
    private readonly file: string,
    private readonly path: string,
  ) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  private fail(detail: string, field = this.path): never {
    throw new FormatError(this.file, field, detail);
  }

  /** Reads a varint of up to 10 bytes as its low and high 32-bit halves. */
  private varint(field: string): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= this.buf.length) this.fail(`truncated varint at byte ${this.pos}`, field);
      const b = this.buf[this.pos++]!;
      const bits = b & 0x7f;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >> 4;
      } else hi |= bits << (shift - 32);
      if ((b & 0x80) === 0) return [lo >>> 0, hi >>> 0];
    }
    return this.fail(`varint longer than 10 bytes at byte ${this.pos}`, field);
  }

  /** Reads the next field. */
  next(): WireField {
    const [key, keyHi] = this.varint(this.path);
    if (keyHi !== 0 || key >>> 3 === 0) this.fail(`invalid field key at byte ${this.pos}`);
    const number = key >>> 3;
    const wireType = key & 7;
    const field = `${this.path === "" ? "" : `${this.path}.`}#${number}`;
    const empty = new Uint8Array(0);
    switch (wireType) {
      case WIRE_VARINT: {
        const [lo, hi] = this.varint(field);
        return { number, wireType, lo, hi, bytes: empty };
      }
      case WIRE_FIXED64:
      case WIRE_FIXED32: {
        const size = wireType === WIRE_FIXED64 ? 8 : 4;
        if (this.pos + size > this.buf.length) this.fail(`truncated ${size * 8}-bit field`, field);
        const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, size);
        this.pos += size;
        const lo = view.getUint32(0, true);
        const hi = size === 8 ? view.getUint32(4, true) : 0;
        return { number, wireType, lo, hi, bytes: this.buf.subarray(this.pos - size, this.pos) };
      }
      case WIRE_LENGTH_DELIMITED: {
        const [length, lengthHi] = this.varint(field);
        if (lengthHi !== 0 || this.pos + length > this.buf.length) {
          this.fail(`length ${length} runs past the end of the data (${this.buf.length - this.pos} bytes left)`, field);
        }
        const bytes = this.buf.subarray(this.pos, this.pos + length);
        this.pos += length;
        return { number, wireType, lo: 0, hi: 0, bytes };
      }
      default:
        return this.fail(`unsupported wire type ${wireType} at byte ${this.pos}`, field);
    }
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Typed views of a field, each checking that the wire type fits. */
export class FieldReader {
  constructor(
    private readonly file: string,
    private readonly path: string,
  ) {}

  private expect(field: WireField, wireType: number, name: string): void {
    if (field.wireType !== wireType) {
      throw new FormatError(this.file, `${this.path}.${name}`, `wire type ${field.wireType}, expected ${wireType}`);
    }
  }

  string(field: WireField, name: string): string {
    this.expect(field, WIRE_LENGTH_DELIMITED, name);
    try {
      return utf8.decode(field.bytes);
    } catch {
      throw new FormatError(this.file, `${this.path}.${name}`, "not valid UTF-8");
    }
  }

  bytes(field: WireField, name: string): Uint8Array {
    this.expect(field, WIRE_LENGTH_DELIMITED, name);
    return field.bytes;
  }

  /** int32 and enums: negative values are sign-extended 64-bit varints, so the low half is enough. */
  int32(field: WireField, name: string): number {
    this.expect(field, WIRE_VARINT, name);
    return field.lo | 0;
  }

  uint64(field: WireField, name: string): number {
    this.expect(field, WIRE_VARINT, name);
    return field.hi * 2 ** 32 + field.lo;
  }

  bool(field: WireField, name: string): boolean {
    this.expect(field, WIRE_VARINT, name);
    return field.lo !== 0 || field.hi !== 0;
  }

  float(field: WireField, name: string): number {
    this.expect(field, WIRE_FIXED32, name);
    return new DataView(field.bytes.buffer, field.bytes.byteOffset, 4).getFloat32(0, true);
  }
}
