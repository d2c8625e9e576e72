import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import {
  createPasswordHash,
  PasswordHashFormatError,
  verifyPasswordHash,
} from "./password_hash.ts";

/** RFC 7914 §12: scrypt("password", "NaCl", N=1024, r=8, p=16, dkLen=64). */
const RFC_KEY =
  "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886" +
  "ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640";

async function rejects(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

Deno.test("password hash: reads K3s's $1:salt:N:r:p:key format with RFC 7914 scrypt", async () => {
  const salt = new TextEncoder().encode("NaCl").toHex();
  const key = Uint8Array.fromHex(RFC_KEY).toBase64({ omitPadding: true });
  const hash = `$1:${salt}:10:8:16:${key}`;
  assertEquals(await verifyPasswordHash(hash, "password"), true);
  assertEquals(await verifyPasswordHash(hash, "Password"), false);
});

Deno.test("password hash: K3s's default parameters and layout, salted per hash", async () => {
  const hash = await createPasswordHash("s3cret");
  // 8-byte salt as hex, N = 2^15, r = 8, p = 1, 64-byte key as unpadded base64 (86 chars).
  assertMatch(hash, /^\$1:[0-9a-f]{16}:15:8:1:[A-Za-z0-9+/]{86}$/);
  assertEquals(await verifyPasswordHash(hash, "s3cret"), true);
  assertEquals(await verifyPasswordHash(hash, "s3cret "), false);
  const again = await createPasswordHash("s3cret", { log2N: 4, r: 1 });
  assertMatch(again, /^\$1:[0-9a-f]{16}:4:1:1:/);
  assert(again.split(":")[1] !== hash.split(":")[1], "each hash has its own salt");
});

Deno.test("password hash: malformed or foreign hashes are format errors", async () => {
  for (
    const bad of [
      "",
      "plain",
      "$2:00:4:1:1:AAAA",
      "$1:zz:4:1:1:AAAA",
      "$1:00:4:1:1:",
      "$1:00:40:1:1:AAAA", // would ask for terabytes of scrypt memory
      "$1:00:4:1:1:AAAA:extra",
    ]
  ) {
    const error = await rejects(verifyPasswordHash(bad, "x"));
    assert(error instanceof PasswordHashFormatError, `${JSON.stringify(bad)}: ${error}`);
  }
});
