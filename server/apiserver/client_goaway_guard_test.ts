import assert from "node:assert/strict";
import { GoawayStripper } from "./client_goaway_guard.ts";

const PREFACE = new TextEncoder().encode("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

function frame(type: number, payload: number[]): number[] {
  const n = payload.length;
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff, type, 0, 0, 0, 0, 1, ...payload];
}

const settings = frame(0x4, [0, 4, 0, 0, 0xff, 0xff]);
// A HEADERS payload holding the bytes of a GOAWAY header: only frame boundaries count.
const headers = frame(0x1, [0, 0, 8, 7, 0, 0, 0, 0, 0, 0x82, 0x87]);
const goaway = frame(0x7, [0, 0, 0, 0, 0, 0, 0, 0]);
const windowUpdate = frame(0x8, [0, 0, 0x10, 0]);
const emptyGoaway = frame(0x7, []);
const data = frame(0x0, Array.from({ length: 40 }, (_, i) => i));

const input = new Uint8Array([
  ...PREFACE,
  ...settings,
  ...headers,
  ...goaway,
  ...windowUpdate,
  ...emptyGoaway,
  ...data,
  ...goaway,
]);
const expected = new Uint8Array([...PREFACE, ...settings, ...headers, ...windowUpdate, ...data]);

function run(chunks: Uint8Array[]): { out: Uint8Array; stripped: number } {
  const stripper = new GoawayStripper();
  const parts = chunks.map((chunk) => stripper.push(chunk));
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return { out, stripped: stripper.stripped };
}

Deno.test("GoawayStripper: removes GOAWAY frames and nothing else, however the bytes are split", () => {
  assert.deepEqual(run([input]), { out: expected, stripped: 3 });
  for (let a = 1; a < input.length; a++) {
    for (let b = a; b < input.length; b += 7) {
      const chunks = [input.subarray(0, a), input.subarray(a, b), input.subarray(b)];
      assert.deepEqual(run(chunks), { out: expected, stripped: 3 }, `split at ${a} and ${b}`);
    }
  }
  const oneByOne = Array.from(input, (byte) => new Uint8Array([byte]));
  assert.deepEqual(run(oneByOne), { out: expected, stripped: 3 });
});

Deno.test("GoawayStripper: a chunk without GOAWAY is handed on as the same object", () => {
  const stripper = new GoawayStripper();
  const first = new Uint8Array([...PREFACE, ...settings, ...headers]);
  assert.equal(stripper.push(first), first);
  const second = new Uint8Array([...data, ...windowUpdate]);
  assert.equal(stripper.push(second), second);
  assert.equal(stripper.stripped, 0);
});
