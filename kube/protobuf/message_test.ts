import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { decodeMessage, type MessageContext } from "./message.ts";
import { MESSAGES as ALL } from "./kinds.ts";
import { isScalarType, isWellKnownType, mapValueType, type MessageTable } from "./schema.ts";
import { hex } from "./testdata/hex.ts";
import { WireFormatError } from "./wire.ts";

const MESSAGES: MessageTable = {
  "t.Root": {
    1: ["plain", "int32"],
    2: ["pointer", "int32", "ptr"],
    3: ["kept", "string", "keep"],
    4: ["list", "int64", "rep"],
    5: ["sub", "t.Sub"],
    6: ["optional", "t.Sub", "ptr"],
    7: ["", "t.Inline", "inline"],
    8: ["resources", "map<quantity>"],
    9: ["port", "intstr"],
    10: ["extension", "raw"],
    11: ["when", "time"],
    12: ["flag", "bool"],
    13: ["data", "map<bytes>"],
  },
  "t.Sub": { 1: ["name", "string"] },
  "t.Inline": { 1: ["flat", "string"] },
};

const ctx: MessageContext = {
  messages: MESSAGES,
  depth: 0,
  decodeEmbedded: () => ({ embedded: true }),
};

const decode = (text: string) => decodeMessage(new Uint8Array(hex(text)), "t.Root", ctx);

Deno.test("message: an empty message keeps only what Go's JSON always writes", () => {
  // `kept` has no omitempty, `sub` is a struct and `port` an IntOrString value: never nil in Go.
  assertEquals(decode(""), { kept: "", sub: {}, port: 0 });
});

Deno.test("message: zero pointers stay, zero plain scalars go", () => {
  assertEquals(decode("08 00 10 00 60 00"), { pointer: 0, kept: "", sub: {}, port: 0 });
});

Deno.test("message: packed and unpacked repeated values collect in order", () => {
  assertEquals(decode("22 03 01 ac 02 20 05").list, [1, 300, 5]);
});

Deno.test("message: nested, optional and inline messages", () => {
  const obj = decode("2a 03 0a 01 78 32 00 3a 03 0a 01 79");
  assertEquals(obj.sub, { name: "x" });
  assertEquals(obj.optional, {});
  assertEquals(obj.flat, "y");
});

Deno.test("message: maps, quantities, int-or-string, time and bytes", () => {
  const obj = decode(`
    42 0a 0a 03 63 70 75 12 03 0a 01 31
    4a 08 08 01 1a 04 68 74 74 70
    5a 06 08 80 81 c8 ac 06
    6a 07 0a 01 6b 12 02 00 ff
  `);
  assertEquals(obj.resources, { cpu: "1" });
  assertEquals(obj.port, "http");
  assertEquals(obj.when, "2024-01-01T00:00:00Z");
  assertEquals(obj.data, { k: "AP8=" });
});

Deno.test("message: RawExtension holds JSON, or a nested k8s protobuf object", () => {
  assertEquals(decode("52 09 0a 07 7b 22 61 22 3a 31 7d").extension, { a: 1 });
  assertEquals(decode("52 08 0a 06 6b 38 73 00 0a 00").extension, { embedded: true });
  throws(() => decode("52 04 0a 02 7b 7b"), /neither JSON nor a protobuf object/);
});

Deno.test("message: a wire type that contradicts the descriptor is an error", () => {
  throws(() => decode("2d 00 00 00 00"), WireFormatError);
  throws(() => decode("0a 00"), /t\.Root\.plain has wire type 2, expected 0/);
});

Deno.test("message: every message the descriptor tables name has a descriptor", () => {
  const missing: string[] = [];
  for (const [name, spec] of Object.entries(ALL)) {
    for (const [, type] of Object.values(spec)) {
      const target = mapValueType(type) ?? type;
      if (!isScalarType(target) && !isWellKnownType(target) && !(target in ALL)) {
        missing.push(`${name} → ${target}`);
      }
    }
  }
  assertEquals(missing, []);
});
