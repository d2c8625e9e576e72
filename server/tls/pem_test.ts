import assert from "node:assert/strict";
import { decodePem, encodePem, pemLabel, toBase64 } from "./pem.ts";

Deno.test("pem: encode and decode round trip with 64-character lines", () => {
  const der = crypto.getRandomValues(new Uint8Array(200));
  const pem = encodePem("CERTIFICATE", der);
  const lines = pem.trimEnd().split("\n");
  assert.equal(lines[0], "-----BEGIN CERTIFICATE-----");
  assert.equal(lines.at(-1), "-----END CERTIFICATE-----");
  assert.ok(lines.slice(1, -1).every((line) => line.length <= 64));
  assert.deepEqual(decodePem(pem, "CERTIFICATE"), der);
  assert.deepEqual(decodePem(pem.replaceAll("\n", "\r\n"), "CERTIFICATE"), der);
  assert.equal(pemLabel(pem), "CERTIFICATE");
});

Deno.test("pem: the requested block is found among several", () => {
  const key = encodePem("PRIVATE KEY", new Uint8Array([1, 2]));
  const cert = encodePem("CERTIFICATE", new Uint8Array([3, 4]));
  assert.deepEqual(decodePem(key + cert, "CERTIFICATE"), new Uint8Array([3, 4]));
});

Deno.test("pem: missing blocks and bad base64 throw TypeError", () => {
  assert.throws(() => decodePem("nothing", "CERTIFICATE"), TypeError);
  assert.throws(
    () => decodePem("-----BEGIN CERTIFICATE-----\n@@@\n-----END CERTIFICATE-----\n", "CERTIFICATE"),
    TypeError,
  );
});

Deno.test("pem: toBase64 encodes UTF-8 text", () => {
  assert.equal(toBase64("é"), "w6k=");
});
