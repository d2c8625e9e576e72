/**
 * A minimal protobuf wire-format reader: tags, varints, length-delimited fields and fixed-width
 * numbers. Kubernetes never uses zig-zag (`sint*`) types, so there is no support for them.
 *
 * @module
 */

/** Protobuf wire types. */
export const WireType = {
  VARINT: 0,
  FIXED64: 1,
  LEN: 2,
  START_GROUP: 3,
  END_GROUP: 4,
  FIXED32: 5,
} as const;

/** Malformed protobuf bytes. */
export class WireFormatError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at byte ${offset}`);
    this.name = "WireFormatError";
  }
}

/** A field key: number and wire type. */
export interface FieldTag {
  /** Field number, at least 1. */
  field: number;
  /** One of {@link WireType}. */
  wireType: number;
}

/** Reads one protobuf message (or a slice of one) front to back. */
export class WireReader {
  #pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  /** True when every byte has been read. */
  get done(): boolean {
    return this.#pos >= this.buf.length;
  }

  /** Current byte offset, for error messages. */
  get offset(): number {
    return this.#pos;
  }

  /** Reads a field key. */
  readTag(): FieldTag {
    const start = this.#pos;
    const key = this.readVarint();
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field < 1 || field > 0x1fffffff) {
      throw new WireFormatError(`invalid field number ${field}`, start);
    }
    if (wireType > 5) throw new WireFormatError(`invalid wire type ${wireType}`, start);
    return { field, wireType };
  }

  /** Reads a varint as an unsigned 64-bit value. */
  readVarint(): bigint {
    const start = this.#pos;
    // Fast path: most varints fit in 28 bits and need no BigInt arithmetic while reading.
    let small = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const byte = this.#byte(start);
      small |= (byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt(small >>> 0);
    }
    let value = BigInt(small >>> 0);
    for (let shift = 28n; shift < 70n; shift += 7n) {
      const byte = this.#byte(start);
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asUintN(64, value);
    }
    throw new WireFormatError("varint longer than 10 bytes", start);
  }

  /** Reads a varint holding a signed 32-bit value (negatives are sign-extended to 10 bytes). */
  readInt32(): number {
    return Number(BigInt.asIntN(32, this.readVarint()));
  }

  /** Reads a varint holding a signed 64-bit value, as a JS number (exact up to 2^53). */
  readInt64(): number {
    return Number(BigInt.asIntN(64, this.readVarint()));
  }

  /** Reads a varint holding a bool. */
  readBool(): boolean {
    return this.readVarint() !== 0n;
  }

  /** Reads a length-delimited field's bytes (a view, not a copy). */
  readBytes(): Uint8Array {
    const start = this.#pos;
    const length = this.readVarint();
    if (length > BigInt(this.buf.length - this.#pos)) {
      throw new WireFormatError(`length ${length} runs past the end of the message`, start);
    }
    const end = this.#pos + Number(length);
    const bytes = this.buf.subarray(this.#pos, end);
    this.#pos = end;
    return bytes;
  }

  /** Reads 4 little-endian bytes. */
  readFixed32(): DataView {
    return this.#fixed(4);
  }

  /** Reads 8 little-endian bytes. */
  readFixed64(): DataView {
    return this.#fixed(8);
  }

  /** Skips a field's value of the given wire type. */
  skip(wireType: number, field: number): void {
    switch (wireType) {
      case WireType.VARINT:
        this.readVarint();
        return;
      case WireType.FIXED64:
        this.#fixed(8);
        return;
      case WireType.LEN:
        this.readBytes();
        return;
      case WireType.FIXED32:
        this.#fixed(4);
        return;
      case WireType.START_GROUP:
        this.#skipGroup(field);
        return;
      default:
        throw new WireFormatError(`unexpected wire type ${wireType}`, this.#pos);
    }
  }

  #skipGroup(field: number): void {
    for (;;) {
      if (this.done) throw new WireFormatError(`unterminated group ${field}`, this.#pos);
      const tag = this.readTag();
      if (tag.wireType === WireType.END_GROUP) {
        if (tag.field !== field) {
          throw new WireFormatError(`mismatched end of group ${field}`, this.#pos);
        }
        return;
      }
      this.skip(tag.wireType, tag.field);
    }
  }

  #fixed(size: number): DataView {
    if (this.#pos + size > this.buf.length) {
      throw new WireFormatError(`truncated ${size * 8}-bit value`, this.#pos);
    }
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.#pos, size);
    this.#pos += size;
    return view;
  }

  #byte(start: number): number {
    if (this.#pos >= this.buf.length) throw new WireFormatError("truncated varint", start);
    return this.buf[this.#pos++];
  }
}
