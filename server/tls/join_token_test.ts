import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  caHashOf,
  ensureJoinTokens,
  formatJoinToken,
  JoinTokenError,
  parseJoinToken,
} from "./join_token.ts";
import { modeOf, tempDataDir } from "./_test_helpers.ts";

const caPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const hash = createHash("sha256").update(new TextEncoder().encode(caPem)).digest("hex");

Deno.test("join token: format and parse round trip", () => {
  const token = { caHash: hash, username: "node", password: "s3cr:et" };
  const text = formatJoinToken(token);
  assert.equal(text, `K10${hash}::node:s3cr:et`);
  assert.deepEqual(parseJoinToken(text), token);
  assert.deepEqual(parseJoinToken(`${text}\n`), token);
  assert.deepEqual(parseJoinToken(formatJoinToken({ username: "server", password: "p" })), {
    username: "server",
    password: "p",
  });
});

Deno.test("join token: a bare password has no CA hash and user server", () => {
  assert.deepEqual(parseJoinToken("abc:def"), { username: "server", password: "abc:def" });
});

Deno.test("join token: malformed tokens are refused", () => {
  for (const bad of ["", "K10abc::server:x", "K10nothing", `K10${hash}::server:`]) {
    assert.throws(() => parseJoinToken(bad), JoinTokenError, bad);
  }
});

Deno.test("join token: the hash is sha256 of the exact CA PEM bytes", () => {
  assert.equal(caHashOf(caPem), hash);
  assert.notEqual(caHashOf(caPem.trimEnd()), hash);
});

Deno.test("join token: token files are written 0600, identical, and reused on restart", async () => {
  await using dir = await tempDataDir();
  const first = await ensureJoinTokens({ dataDir: dir.path, caPem });
  assert.match(first.secret, /^[0-9a-f]{32}$/);
  assert.equal(first.token, `K10${hash}::server:${first.secret}`);
  const tokenPath = join(dir.path, "server", "token");
  const nodeTokenPath = join(dir.path, "server", "node-token");
  assert.equal(await Deno.readTextFile(tokenPath), `${first.token}\n`);
  assert.equal(await Deno.readTextFile(nodeTokenPath), `${first.token}\n`);
  assert.equal(await modeOf(tokenPath), 0o600);
  assert.equal(await modeOf(nodeTokenPath), 0o600);
  const second = await ensureJoinTokens({ dataDir: dir.path, caPem });
  assert.deepEqual(second, first);
  const same = await ensureJoinTokens({ dataDir: dir.path, caPem, secret: first.token });
  assert.equal(same.secret, first.secret);
});

Deno.test("join token: a given secret is used, and a different one later is refused", async () => {
  await using dir = await tempDataDir();
  const first = await ensureJoinTokens({ dataDir: dir.path, caPem, secret: "mysecret" });
  assert.equal(first.secret, "mysecret");
  await assert.rejects(
    () => ensureJoinTokens({ dataDir: dir.path, caPem, secret: "other" }),
    (error: Error) => error instanceof JoinTokenError && error.message.includes("does not match"),
  );
});

Deno.test("join token: a full token for another CA is refused", async () => {
  await using dir = await tempDataDir();
  await assert.rejects(
    () =>
      ensureJoinTokens({
        dataDir: dir.path,
        caPem,
        secret: formatJoinToken({ caHash: "0".repeat(64), username: "server", password: "x" }),
      }),
    JoinTokenError,
  );
});

Deno.test("join token: a new CA rewrites the hash and keeps the secret", async () => {
  await using dir = await tempDataDir();
  const first = await ensureJoinTokens({ dataDir: dir.path, caPem });
  const otherCa = caPem.replace("MIIB", "MIIC");
  const second = await ensureJoinTokens({ dataDir: dir.path, caPem: otherCa });
  assert.equal(second.secret, first.secret);
  assert.equal(second.caHash, caHashOf(otherCa));
  assert.equal(await Deno.readTextFile(second.paths.nodeToken), `${second.token}\n`);
});
