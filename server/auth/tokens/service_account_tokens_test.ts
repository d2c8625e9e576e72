import { generateKeyPairSync } from "node:crypto";
import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { base64Url } from "./_jws.ts";
import {
  DEFAULT_API_AUDIENCES,
  type LiveObject,
  SERVICE_ACCOUNT_ISSUER,
  ServiceAccountTokens,
  type VerifyOptions,
} from "./service_account_tokens.ts";
import { generateServiceAccountKey, importServiceAccountKey } from "./signing_key.ts";

const T0 = Date.parse("2026-03-01T12:00:00Z");
const SA = { name: "builder", uid: "11111111-2222-4333-8444-555555555555" };

/** A clock the test moves, and lookups over a mutable map of live objects. */
function fixture() {
  const clock = { now: T0 };
  const live = new Map<string, LiveObject>([["ServiceAccount/ci/builder", { uid: SA.uid }]]);
  const options: VerifyOptions = {
    audiences: DEFAULT_API_AUDIENCES,
    lookupServiceAccount: (ns, name) => Promise.resolve(live.get(`ServiceAccount/${ns}/${name}`)),
    lookupBoundObject: (kind, ns, name) => Promise.resolve(live.get(`${kind}/${ns ?? ""}/${name}`)),
  };
  return { clock, live, options };
}

function partOf(token: string, index: 0 | 1): Record<string, unknown> {
  const bytes = Uint8Array.fromBase64(token.split(".")[index], { alphabet: "base64url" });
  return JSON.parse(new TextDecoder().decode(bytes));
}

const headerOf = (token: string) => partOf(token, 0);
const payloadOf = (token: string) => partOf(token, 1);

Deno.test("service account tokens: issue → verify round trip with upstream's claims", async () => {
  const { key } = await generateServiceAccountKey();
  const { clock, options } = fixture();
  const tokens = new ServiceAccountTokens(key, { now: () => clock.now });
  const issued = await tokens.issue({
    namespace: "ci",
    serviceAccount: SA,
    audiences: DEFAULT_API_AUDIENCES,
    expirationSeconds: 3600,
  });
  assertEquals(issued.expirationTimestamp, "2026-03-01T13:00:00Z");
  assertEquals(headerOf(issued.token), { alg: "ES256", kid: key.keyId });
  const claims = payloadOf(issued.token);
  assertEquals(Object.keys(claims), [
    "aud",
    "exp",
    "iat",
    "iss",
    "jti",
    "kubernetes.io",
    "nbf",
    "sub",
  ]);
  assertEquals(claims.iss, SERVICE_ACCOUNT_ISSUER);
  assertEquals(claims.sub, "system:serviceaccount:ci:builder");
  assertEquals(claims.aud, ["https://kubernetes.default.svc.cluster.local"]);
  assertEquals(claims.exp, T0 / 1000 + 3600);
  assertEquals(claims.iat, T0 / 1000);
  assertEquals(claims.nbf, T0 / 1000);
  assertEquals(claims.jti, issued.jti);
  assertEquals(claims["kubernetes.io"], { namespace: "ci", serviceaccount: SA });

  clock.now += 3000_000;
  assertEquals(await tokens.verify(issued.token, options), {
    user: {
      name: "system:serviceaccount:ci:builder",
      uid: SA.uid,
      groups: ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"],
      extra: { "authentication.kubernetes.io/credential-id": [`JTI=${issued.jti}`] },
    },
  });
});

Deno.test("service account tokens: expiry honours upstream's one-minute leeway", async (t) => {
  const { key } = await generateServiceAccountKey();
  const { clock, options } = fixture();
  const tokens = new ServiceAccountTokens(key, { now: () => clock.now });
  const { token } = await tokens.issue({
    namespace: "ci",
    serviceAccount: SA,
    audiences: ["api"],
    expirationSeconds: 600,
  });
  const verify = () => tokens.verify(token, { ...options, audiences: ["api"] });
  await t.step("valid within the leeway after exp", async () => {
    clock.now = T0 + 600_000 + 59_000;
    assert("user" in await verify());
  });
  await t.step("expired past it", async () => {
    clock.now = T0 + 600_000 + 61_000;
    assertEquals(await verify(), { error: "service account token has expired" });
  });
  await t.step("not valid before nbf", async () => {
    clock.now = T0 - 120_000;
    assertEquals(await verify(), { error: "service account token is not valid yet" });
  });
});

Deno.test("service account tokens: tampering and foreign tokens are refused", async (t) => {
  const { key } = await generateServiceAccountKey();
  const { clock, options } = fixture();
  const tokens = new ServiceAccountTokens(key, { now: () => clock.now });
  const { token } = await tokens.issue({
    namespace: "ci",
    serviceAccount: SA,
    audiences: DEFAULT_API_AUDIENCES,
    expirationSeconds: 3600,
  });
  const [header, payload, signature] = token.split(".");

  await t.step("a changed payload breaks the signature", async () => {
    const claims = payloadOf(token);
    const forged = base64Url(JSON.stringify({ ...claims, sub: "system:serviceaccount:ci:admin" }));
    assertEquals(await tokens.verify(`${header}.${forged}.${signature}`, options), {
      error: "token signature is invalid",
    });
  });
  await t.step("a flipped signature byte is refused", async () => {
    const bytes = Uint8Array.fromBase64(signature, { alphabet: "base64url" });
    bytes[10] ^= 1;
    assertEquals(await tokens.verify(`${header}.${payload}.${base64Url(bytes)}`, options), {
      error: "token signature is invalid",
    });
  });
  await t.step("alg none is refused", async () => {
    const none = base64Url(JSON.stringify({ alg: "none" }));
    assertEquals(await tokens.verify(`${none}.${payload}.AA`, options), {
      error: 'token is signed with algorithm "none", expected ES256',
    });
  });
  await t.step("another cluster's key is refused", async () => {
    const other = new ServiceAccountTokens((await generateServiceAccountKey()).key, {
      now: () => clock.now,
    });
    assertEquals(await other.verify(token, options), { error: "token signature is invalid" });
  });
  await t.step("a wrong audience is refused", async () => {
    assertEquals(await tokens.verify(token, { ...options, audiences: ["vault"] }), {
      error:
        'token audiences ["https://kubernetes.default.svc.cluster.local"] is invalid for the target audiences ["vault"]',
    });
  });
  await t.step("another issuer is refused", async () => {
    const elsewhere = new ServiceAccountTokens(key, {
      issuer: "https://elsewhere",
      now: () => clock.now,
    });
    assertEquals(await elsewhere.verify(token, options), {
      error: 'token issuer "https://kubernetes.default.svc.cluster.local" is not https://elsewhere',
    });
  });
  await t.step("garbage is not a JWS", async () => {
    assertEquals(await tokens.verify("abc.def", options), { error: "token is not a compact JWS" });
  });
});

Deno.test("service account tokens: a deleted or re-created ServiceAccount ends the token", async (t) => {
  const { key } = await generateServiceAccountKey();
  const { clock, live, options } = fixture();
  const tokens = new ServiceAccountTokens(key, { now: () => clock.now });
  const { token } = await tokens.issue({
    namespace: "ci",
    serviceAccount: SA,
    audiences: DEFAULT_API_AUDIENCES,
    expirationSeconds: 3600,
  });
  await t.step("being deleted for more than the leeway", async () => {
    live.set("ServiceAccount/ci/builder", {
      uid: SA.uid,
      deletionTimestamp: new Date(T0 - 120_000).toISOString(),
    });
    assertEquals(await tokens.verify(token, options), {
      error: "service account ci/builder has been deleted",
    });
  });
  await t.step("gone", async () => {
    live.delete("ServiceAccount/ci/builder");
    assertEquals(await tokens.verify(token, options), {
      error: 'serviceaccounts "builder" not found',
    });
  });
  await t.step("re-created with another uid", async () => {
    live.set("ServiceAccount/ci/builder", { uid: "new-uid" });
    assertEquals(await tokens.verify(token, options), {
      error: `service account UID (new-uid) does not match claim (${SA.uid})`,
    });
  });
});

Deno.test("service account tokens: bound pod and node", async (t) => {
  const { key } = await generateServiceAccountKey();
  const { clock, live, options } = fixture();
  const tokens = new ServiceAccountTokens(key, { now: () => clock.now });
  const pod = { name: "web-0", uid: "pod-uid" };
  const node = { name: "n1", uid: "node-uid" };
  live.set("Pod/ci/web-0", { uid: pod.uid });
  const podToken = (await tokens.issue({
    namespace: "ci",
    serviceAccount: SA,
    audiences: DEFAULT_API_AUDIENCES,
    expirationSeconds: 3600,
    pod,
    node,
  })).token;
  await t.step("the user carries pod and node extras", async () => {
    const result = await tokens.verify(podToken, options);
    assert("user" in result);
    assertEquals(result.user.extra?.["authentication.kubernetes.io/pod-name"], ["web-0"]);
    assertEquals(result.user.extra?.["authentication.kubernetes.io/node-uid"], ["node-uid"]);
  });
  await t.step("a pod re-created under the same name invalidates it", async () => {
    live.set("Pod/ci/web-0", { uid: "other" });
    assertEquals(await tokens.verify(podToken, options), {
      error: "pod UID (other) does not match service account pod ref claim (pod-uid)",
    });
  });
  await t.step("a deleted pod invalidates it", async () => {
    live.delete("Pod/ci/web-0");
    assertEquals(await tokens.verify(podToken, options), {
      error: "service account token has been invalidated",
    });
  });
  await t.step("a node-bound token ends with its node", async () => {
    const nodeToken = (await tokens.issue({
      namespace: "ci",
      serviceAccount: SA,
      audiences: DEFAULT_API_AUDIENCES,
      expirationSeconds: 3600,
      node,
    })).token;
    live.set("Node//n1", { uid: node.uid });
    assert("user" in await tokens.verify(nodeToken, options));
    live.delete("Node//n1");
    assertEquals(await tokens.verify(nodeToken, options), {
      error: "service account token has been invalidated",
    });
  });
});

Deno.test("service account tokens: RS256 keys sign and verify too", async () => {
  const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey
    .export({ type: "pkcs8", format: "pem" }).toString();
  const key = await importServiceAccountKey(pem);
  const { options } = fixture();
  const tokens = new ServiceAccountTokens(key);
  const { token } = await tokens.issue({
    namespace: "ci",
    serviceAccount: SA,
    audiences: DEFAULT_API_AUDIENCES,
    expirationSeconds: 3600,
  });
  assertEquals(headerOf(token).alg, "RS256");
  assert("user" in await tokens.verify(token, options));
});

Deno.test("service account tokens: a remembered signature never outlives expiry or deletion", async () => {
  const { key } = await generateServiceAccountKey();
  const { clock, live, options } = fixture();
  const tokens = new ServiceAccountTokens(key, { now: () => clock.now });
  const { token } = await tokens.issue({
    namespace: "ci",
    serviceAccount: SA,
    audiences: DEFAULT_API_AUDIENCES,
    expirationSeconds: 600,
  });
  assert("user" in await tokens.verify(token, options));
  assert("user" in await tokens.verify(token, options));
  live.delete("ServiceAccount/ci/builder");
  assertEquals(await tokens.verify(token, options), {
    error: 'serviceaccounts "builder" not found',
  });
  live.set("ServiceAccount/ci/builder", { uid: SA.uid });
  clock.now += 3600_000;
  assertEquals(await tokens.verify(token, options), { error: "service account token has expired" });
});
