import type { KubeObject } from "../../../kube/types.ts";
import { assert, assertEquals, assertMatch } from "../../../tests/helpers/assert.ts";
import {
  authenticateBootstrapToken,
  BootstrapTokenError,
  bootstrapTokenFromSecret,
  bootstrapTokenToSecret,
  generateBootstrapToken,
  isBootstrapTokenId,
  K3S_NODE_TOKEN_GROUP,
  parseBootstrapToken,
  validateBootstrapGroups,
  validateBootstrapUsages,
} from "./bootstrap_tokens.ts";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const TOKEN = { id: "abcdef", secret: "0123456789abcdef" };

function secretFor(overrides: Partial<Parameters<typeof bootstrapTokenToSecret>[0]> = {}) {
  return bootstrapTokenToSecret({
    token: TOKEN,
    description: "join",
    expires: new Date(NOW + 3600_000),
    usages: ["signing", "authentication"],
    groups: [K3S_NODE_TOKEN_GROUP],
    ...overrides,
  });
}

function lookupOf(secret: KubeObject | undefined) {
  return (namespace: string, name: string) =>
    Promise.resolve(
      secret && namespace === "kube-system" && name === secret.metadata.name ? secret : undefined,
    );
}

Deno.test("bootstrap tokens: parse, generate, ids", () => {
  assertEquals(parseBootstrapToken("abcdef.0123456789abcdef"), TOKEN);
  for (const bad of ["ABCDEF.0123456789abcdef", "abcde.0123456789abcdef", "abcdef.0123", "x"]) {
    assertEquals(parseBootstrapToken(bad), undefined);
  }
  for (let i = 0; i < 20; i++) {
    const { id, secret } = generateBootstrapToken();
    assertMatch(`${id}.${secret}`, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  }
  assert(isBootstrapTokenId("abc123"));
  assert(!isBootstrapTokenId("abc12"));
});

Deno.test("bootstrap tokens: the Secret layout and its reading back", () => {
  const secret = secretFor();
  assertEquals(secret.metadata, { name: "bootstrap-token-abcdef", namespace: "kube-system" });
  assertEquals(secret.type, "bootstrap.kubernetes.io/token");
  const decoded = Object.fromEntries(
    Object.entries(secret.data as Record<string, string>).map((
      [k, v],
    ) => [k, new TextDecoder().decode(Uint8Array.fromBase64(v))]),
  );
  assertEquals(decoded, {
    "token-id": "abcdef",
    "token-secret": "0123456789abcdef",
    description: "join",
    expiration: "2026-03-01T13:00:00Z",
    "usage-bootstrap-signing": "true",
    "usage-bootstrap-authentication": "true",
    "auth-extra-groups": "system:bootstrappers:k3s:default-node-token",
  });
  assertEquals(bootstrapTokenFromSecret(secret), {
    token: TOKEN,
    description: "join",
    expires: new Date(NOW + 3600_000),
    usages: ["authentication", "signing"],
    groups: [K3S_NODE_TOKEN_GROUP],
  });
  const misnamed = { ...secret, metadata: { ...secret.metadata, name: "bootstrap-token-zzzzzz" } };
  let message = "";
  try {
    bootstrapTokenFromSecret(misnamed);
  } catch (error) {
    assert(error instanceof BootstrapTokenError);
    message = error.message;
  }
  assertMatch(message, /^bootstrap token name is not of the form/);
});

Deno.test("bootstrap tokens: usages and groups are checked with upstream's messages", () => {
  validateBootstrapUsages(["signing", "authentication"]);
  validateBootstrapGroups([K3S_NODE_TOKEN_GROUP, "system:bootstrappers:a-b:c1"]);
  let usage = "";
  try {
    validateBootstrapUsages(["signing", "sing", "auth"]);
  } catch (error) {
    usage = (error as Error).message;
  }
  assertEquals(
    usage,
    "invalid bootstrap token usage string: auth,sing, valid usage options: signing,authentication",
  );
  let group = "";
  try {
    validateBootstrapGroups(["system:masters"]);
  } catch (error) {
    group = (error as Error).message;
  }
  assertEquals(
    group,
    String
      .raw`bootstrap group "system:masters" is invalid (must match \Asystem:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]\z)`,
  );
});

Deno.test("bootstrap tokens: authentication", async (t) => {
  const token = "abcdef.0123456789abcdef";
  await t.step("a valid token is system:bootstrap:<id> with its groups", async () => {
    assertEquals(await authenticateBootstrapToken(token, lookupOf(secretFor()), NOW), {
      user: {
        name: "system:bootstrap:abcdef",
        groups: [
          "system:bootstrappers",
          "system:bootstrappers:k3s:default-node-token",
          "system:authenticated",
        ],
      },
    });
  });
  await t.step("expired", async () => {
    const result = await authenticateBootstrapToken(token, lookupOf(secretFor()), NOW + 3600_000);
    assertEquals(result, {
      error:
        'bootstrap token secret kube-system/bootstrap-token-abcdef has expired (expiration "2026-03-01T13:00:00Z")',
    });
  });
  await t.step("no expiration never expires", async () => {
    const forever = secretFor({ expires: undefined });
    assert("user" in await authenticateBootstrapToken(token, lookupOf(forever), NOW + 1e12));
  });
  await t.step("an unparseable expiration counts as expired", async () => {
    const secret = secretFor();
    secret.data.expiration = btoa("tomorrow");
    const result = await authenticateBootstrapToken(token, lookupOf(secret), NOW);
    assert("error" in result && result.error.includes("has expired"));
  });
  await t.step("a wrong secret is refused without echoing it", async () => {
    const result = await authenticateBootstrapToken(
      "abcdef.ffffffffffffffff",
      lookupOf(secretFor()),
      NOW,
    );
    assert("error" in result);
    assert(!result.error.includes("ffffffffffffffff"));
  });
  await t.step("not marked for authentication", async () => {
    const result = await authenticateBootstrapToken(
      token,
      lookupOf(secretFor({ usages: ["signing"] })),
      NOW,
    );
    assertEquals(result, {
      error:
        "bootstrap token secret kube-system/bootstrap-token-abcdef is not marked usage-bootstrap-authentication=true",
    });
  });
  await t.step("an invalid extra group refuses the token", async () => {
    const secret = secretFor({ groups: ["system:masters"] });
    const result = await authenticateBootstrapToken(token, lookupOf(secret), NOW);
    assert("error" in result && result.error.includes("auth-extra-groups"));
  });
  await t.step("wrong type, deleted, missing", async () => {
    const opaque = { ...secretFor(), type: "Opaque" };
    assert("error" in await authenticateBootstrapToken(token, lookupOf(opaque), NOW));
    const deleting = secretFor();
    deleting.metadata.deletionTimestamp = "2026-03-01T11:00:00Z";
    assert("error" in await authenticateBootstrapToken(token, lookupOf(deleting), NOW));
    assertEquals(await authenticateBootstrapToken(token, lookupOf(undefined), NOW), {
      error:
        "no bootstrap token secret kube-system/bootstrap-token-abcdef to match bootstrap bearer token",
    });
  });
});
