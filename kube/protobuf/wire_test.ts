import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { hex } from "./testdata/hex.ts";
import { WireFormatError, WireReader, WireType } from "./wire.ts";

const reader = (text: string) => new WireReader(new Uint8Array(hex(text)));

Deno.test("wire: multi-byte varints decode, including 64-bit ones", () => {
  assertEquals(reader("ac 02").readVarint(), 300n);
  assertEquals(reader("ff ff ff ff ff ff ff ff ff 01").readVarint(), 2n ** 64n - 1n);
  assertEquals(reader("80 80 80 80 10").readInt64(), 2 ** 32);
});

Deno.test("wire: negative int32 and int64 arrive sign-extended to 10 bytes", () => {
  assertEquals(reader("ff ff ff ff ff ff ff ff ff 01").readInt32(), -1);
  assertEquals(reader("fe ff ff ff ff ff ff ff ff 01").readInt64(), -2);
});

Deno.test("wire: a varint longer than 10 bytes is rejected", () => {
  throws(() => reader("ff ff ff ff ff ff ff ff ff ff 01").readVarint(), WireFormatError);
});

Deno.test("wire: a length past the end is rejected with its offset", () => {
  throws(() => reader("05 61 62").readBytes(), /runs past the end of the message at byte 0/);
});

Deno.test("wire: tags carry field number and wire type; field 0 is rejected", () => {
  assertEquals(reader("92 06").readTag(), { field: 98, wireType: WireType.LEN });
  throws(() => reader("02").readTag(), /invalid field number 0/);
});

Deno.test("wire: skip passes over every wire type, groups included", () => {
  // varint, fixed64, len, group {varint}, fixed32, then a marker varint field 15 = 7.
  const r = reader(
    "08 96 01 11 01 02 03 04 05 06 07 08 1a 02 aa bb 23 08 01 24 2d 01 02 03 04 78 07",
  );
  for (let i = 0; i < 5; i++) {
    const tag = r.readTag();
    r.skip(tag.wireType, tag.field);
  }
  assertEquals(r.readTag(), { field: 15, wireType: WireType.VARINT });
  assertEquals(r.readVarint(), 7n);
  assertEquals(r.done, true);
});

Deno.test("wire: fixed-width values are little-endian", () => {
  assertEquals(reader("00 00 00 00 00 00 f8 3f").readFixed64().getFloat64(0, true), 1.5);
  throws(() => reader("01 02").readFixed32(), /truncated 32-bit value/);
});
