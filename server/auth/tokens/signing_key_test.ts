import { generateKeyPairSync } from "node:crypto";
import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import {
  ensureServiceAccountKey,
  importServiceAccountKey,
  serviceAccountKeyPath,
} from "./signing_key.ts";

async function withTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "k3ts-sa-key-" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("signing key: created once as ES256 with mode 0600, reused on restart", async () => {
  await withTempDir(async (dir) => {
    const first = await ensureServiceAccountKey(dir);
    assertEquals(first.created, true);
    assertEquals(first.algorithm, "ES256");
    assertEquals(first.path, `${dir}/server/tls/service.key`);
    assertEquals((await Deno.stat(first.path)).mode! & 0o777, 0o600);
    assert((await Deno.readTextFile(first.path)).startsWith("-----BEGIN PRIVATE KEY-----"));

    const second = await ensureServiceAccountKey(dir);
    assertEquals(second.created, false);
    assertEquals(second.keyId, first.keyId);
    assertEquals(second.privateKey.extractable, false);
  });
});

Deno.test("signing key: a reused file readable by others is narrowed to 0600", async () => {
  await withTempDir(async (dir) => {
    const { path } = await ensureServiceAccountKey(dir);
    await Deno.chmod(path, 0o644);
    await ensureServiceAccountKey(dir);
    assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
  });
});

Deno.test("signing key: an RSA key from an older data dir (PKCS#1) is used as RS256", async () => {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  assert(pem.startsWith("-----BEGIN RSA PRIVATE KEY-----"));
  const key = await importServiceAccountKey(pem);
  assertEquals(key.algorithm, "RS256");
  assertEquals(key.keyId.length, 43);
});

Deno.test("signing key: SEC1 EC keys load; P-384 and garbage are refused, never overwritten", async () => {
  const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  const sec1 = p256.export({ type: "sec1", format: "pem" }).toString();
  assertEquals((await importServiceAccountKey(sec1)).algorithm, "ES256");

  const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey;
  const pkcs8 = p384.export({ type: "pkcs8", format: "pem" }).toString();
  let refused = "";
  await importServiceAccountKey(pkcs8).catch((e: Error) => refused = e.message);
  assertEquals(refused, "service account key must be an ECDSA P-256 or an RSA private key");

  await withTempDir(async (dir) => {
    const path = serviceAccountKeyPath(dir);
    await Deno.mkdir(`${dir}/server/tls`, { recursive: true });
    await Deno.writeTextFile(path, "not a key\n");
    let message = "";
    await ensureServiceAccountKey(dir).catch((e: Error) => message = e.message);
    assertEquals(message, `${path}: unsupported service account key PEM "none"`);
    assertEquals(await Deno.readTextFile(path), "not a key\n");
  });
});
