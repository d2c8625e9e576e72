import { assertEquals, assertThrows } from "../../../tests/helpers/assert.ts";
import { encodeResponseHeaders, HpackDecoder } from "./hpack.ts";
import { decodeHuffman } from "./huffman.ts";
import { Http2Error } from "./errors.ts";

const hex = (text: string) => new Uint8Array(text.match(/../g)!.map((pair) => parseInt(pair, 16)));
const latin1 = (octets: Uint8Array) => String.fromCharCode(...octets);

Deno.test("huffman: RFC 7541's examples decode", () => {
  assertEquals(latin1(decodeHuffman(hex("f1e3c2e5f23a6ba0ab90f4ff"))), "www.example.com");
  assertEquals(latin1(decodeHuffman(hex("a8eb10649cbf"))), "no-cache");
  assertEquals(latin1(decodeHuffman(hex("25a849e95ba97d7f"))), "custom-key");
  assertEquals(latin1(decodeHuffman(hex("25a849e95bb8e8b4bf"))), "custom-value");
});

Deno.test("huffman: every octet decodes, codes from 5 to 30 bits", () => {
  // Octets 0-255 in order, encoded by another HPACK implementation (python-hpack 4.0.0).
  const encoded = hex(
    "ffc7fffd8fffffe2fffffe3fffffe4fffffe5fffffe6fffffe7fffffe8ffffeafffffff3fffffa7fffffabff" +
      "ffffdfffffebfffffecfffffedfffffeefffffefffffff0ffffff1ffffff2fffffffbfffffcffffffd3ffff" +
      "fd7fffffdbfffffdffffffe3fffffe7fffffebfffffed4fe3f9ffaffcabf1febfafefe7fdfd2cbb00089969b" +
      "71d79fb9f7fff20ffbff3ff50ddbd7f061c58f265cd9f469d5af66dddbf871e5f9cff7ff7fffc3ff9ffe45ff" +
      "f4719242cb34e6e9d68a6a3d7dac426defe3cfaf7fffbfe7ffbffdffffffcfffe6ffff4bfff9ffffa3fffd3f" +
      "fff53fffd5ffffb3fffeb7fffdaffffb7ffff73fffeeffffdeffffebffffbfffffd9ffffdbfffebffffe0fff" +
      "feeffffc3ffff8bffff1ffffe4fffee7fffb1ffff97fffd9ffffcdffff9fffffbffffdafffeeffff4ffffb7f" +
      "ffee7fffe8ffffd3fffdeffffd5fffeeffffbdffffe1fffdfffff7fffff5ffffecffff07fff87fffe0ffff17" +
      "fffedffff87ffff77fffeffffeaffff8bfffe3ffff93ffff87fffcbffff37ffff1fffff83ffffe1fffebfffe" +
      "3ffff3fffff2ffffa3ffffd9fffff17ffffc7fffff27ffffdefffffbffffff2fffff8fffffb7fff97fff8fff" +
      "ffe6fffffc1fffff87ffffe7fffffc5ffffe5fffe4ffff2fffffd1fffff4ffffffefffffe3fffffc9fffff97" +
      "fffb3ffffcffffb7fffcdffff4ffff9ffffd1ffffcffffeaffffafffffddffffeffffff4fffff5fffffabfff" +
      "fa7ffffd7fffff9bffffecfffffb7fffff3fffffe8fffffd3fffffabfffff5fffffff7ffffecfffffdbffff" +
      "fbbfffff7ffffff0fffffbbf",
  );
  assertEquals([...decodeHuffman(encoded)], Array.from({ length: 256 }, (_, i) => i));
});

Deno.test("huffman: EOS, long padding and padding with a 0 are errors", () => {
  // 30 ones: the EOS code itself.
  assertThrows(() => decodeHuffman(hex("fffffffc")), Http2Error, "EOS");
  // "a" (00011) then 11 bits of ones: padding longer than 7 bits.
  assertThrows(() => decodeHuffman(hex("1fff")), Http2Error, "padding");
  // "a" then 110: padding must be all ones.
  assertThrows(() => decodeHuffman(hex("1e")), Http2Error, "padding");
  assertEquals(latin1(decodeHuffman(hex("1f"))), "a");
});

Deno.test("hpack: RFC 7541 C.4's requests decode in sequence, through the dynamic table", () => {
  const decoder = new HpackDecoder(1 << 20);
  const pairs = (block: string) => {
    const fields = decoder.decode(hex(block));
    return Array.from(
      { length: fields.length / 2 },
      (_, i) => `${fields[2 * i]}: ${fields[2 * i + 1]}`,
    );
  };
  assertEquals(pairs("828684418cf1e3c2e5f23a6ba0ab90f4ff"), [
    ":method: GET",
    ":scheme: http",
    ":path: /",
    ":authority: www.example.com",
  ]);
  // 0xbe is dynamic entry 62, added by the first block.
  assertEquals(pairs("828684be5886a8eb10649cbf"), [
    ":method: GET",
    ":scheme: http",
    ":path: /",
    ":authority: www.example.com",
    "cache-control: no-cache",
  ]);
  assertEquals(pairs("828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf"), [
    ":method: GET",
    ":scheme: https",
    ":path: /index.html",
    ":authority: www.example.com",
    "custom-key: custom-value",
  ]);
  // Entry 62 is now the newest (custom-key), 64 the oldest (:authority).
  assertEquals(pairs("bebfc0"), [
    "custom-key: custom-value",
    "cache-control: no-cache",
    ":authority: www.example.com",
  ]);
});

Deno.test("hpack: a size update evicts, and entries past the table are errors", () => {
  const decoder = new HpackDecoder(1 << 20);
  decoder.decode(hex("4001610162")); // "a: b", literal with incremental indexing
  assertEquals(decoder.decode(hex("be")), ["a", "b"]);
  // Size update to 0 empties the table.
  assertThrows(() => decoder.decode(hex("20be")), Http2Error, "not in the table");
  assertThrows(() => decoder.decode(hex("80")), Http2Error, "index 0");
  assertThrows(() => decoder.decode(hex("8220")), Http2Error, "after a header field");
  assertThrows(() => decoder.decode(hex("3fe21f")), Http2Error, "table size"); // 4097
});

Deno.test("hpack: cut-short blocks and oversized lists are errors", () => {
  const decoder = new HpackDecoder(100);
  assertThrows(() => decoder.decode(hex("0004")), Http2Error, "cut short");
  assertThrows(() => decoder.decode(hex("00036162")), Http2Error, "cut short");
  assertThrows(() => decoder.decode(hex("ff")), Http2Error, "cut short");
  assertThrows(() => decoder.decode(hex("ffffffffffff7f")), Http2Error, "too large");
  // A 40-octet value added once, then referred to twice: 2 × 72 octets over the 100 allowed.
  const value = "61".repeat(40);
  const fresh = new HpackDecoder(100);
  fresh.decode(hex("40016128" + value));
  assertThrows(() => fresh.decode(hex("bebe")), Http2Error, "over 100 octets");
});

Deno.test("hpack: response headers round-trip through the decoder", () => {
  const decoder = new HpackDecoder(1 << 20);
  const block = encodeResponseHeaders(201, {
    "content-type": "application/json",
    "content-length": "1234",
    "audit-id": "7d1c",
    "warning": '299 - "unknown field \\"spec.naïve\nx\\""',
  });
  assertEquals(decoder.decode(block), [
    ":status",
    "201",
    "content-type",
    "application/json",
    "content-length",
    "1234",
    "audit-id",
    "7d1c",
    "warning",
    // UTF-8 octets, one character each; the newline became a space.
    '299 - "unknown field \\"spec.na\u00c3\u00afve x\\""',
  ]);
  assertEquals([...encodeResponseHeaders(200, {})], [0x88]);
  assertEquals([...encodeResponseHeaders(404, {})], [0x8d]);
  const long = "x".repeat(300);
  assertEquals(decoder.decode(encodeResponseHeaders(500, { "x-long": long })), [
    ":status",
    "500",
    "x-long",
    long,
  ]);
});
