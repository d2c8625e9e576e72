import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { FakeObjects, object } from "./_test_objects.ts";
import { createBearerAuthenticator } from "./bearer_authenticator.ts";
import { bootstrapTokenToSecret, K3S_NODE_TOKEN_GROUP } from "./bootstrap_tokens.ts";
import { DEFAULT_API_AUDIENCES, ServiceAccountTokens } from "./service_account_tokens.ts";
import { generateServiceAccountKey } from "./signing_key.ts";

const NOW = Date.parse("2026-03-01T12:00:00Z");

function requestWith(authorization?: string): Request {
  return new Request("https://k3ts.test/api/v1/pods", {
    headers: authorization === undefined ? {} : { authorization },
  });
}

async function fixture() {
  const { key } = await generateServiceAccountKey();
  const objects = new FakeObjects([
    object("ServiceAccount", "ci", "builder", "sa-uid"),
    bootstrapTokenToSecret({
      token: { id: "abcdef", secret: "0123456789abcdef" },
      usages: ["authentication"],
      groups: [K3S_NODE_TOKEN_GROUP],
    }),
  ]);
  const authenticate = createBearerAuthenticator({ stores: objects, key, now: () => NOW });
  const tokens = new ServiceAccountTokens(key, { now: () => NOW });
  const saToken = (await tokens.issue({
    namespace: "ci",
    serviceAccount: { name: "builder", uid: "sa-uid" },
    audiences: DEFAULT_API_AUDIENCES,
    expirationSeconds: 3600,
  })).token;
  return { objects, authenticate, saToken };
}

Deno.test("bearer authenticator: no bearer credentials leaves the request anonymous", async () => {
  const { authenticate } = await fixture();
  assertEquals(await authenticate(requestWith()), undefined);
  assertEquals(await authenticate(requestWith("Basic bm9kZTpwdw==")), undefined);
});

Deno.test("bearer authenticator: a presented token that fails is an error, not anonymous", async () => {
  const { authenticate } = await fixture();
  assertEquals(await authenticate(requestWith("Bearer")), { error: "empty bearer token" });
  assertEquals(await authenticate(requestWith("Bearer not-a-token")), {
    error: "invalid bearer token",
  });
  const wrongSecret = await authenticate(requestWith("Bearer abcdef.ffffffffffffffff"));
  assert(wrongSecret && "error" in wrongSecret);
});

Deno.test("bearer authenticator: service-account JWTs authenticate until the SA goes", async () => {
  const { authenticate, saToken, objects } = await fixture();
  const result = await authenticate(requestWith(`bearer ${saToken}`));
  assert(result && "user" in result);
  assertEquals(result.user.name, "system:serviceaccount:ci:builder");
  assertEquals(result.user.uid, "sa-uid");
  objects.remove("ServiceAccount", "ci", "builder");
  assertEquals(await authenticate(requestWith(`Bearer ${saToken}`)), {
    error: 'serviceaccounts "builder" not found',
  });
});

Deno.test("bearer authenticator: bootstrap tokens authenticate as system:bootstrap:<id>", async () => {
  const { authenticate } = await fixture();
  const result = await authenticate(requestWith("Bearer abcdef.0123456789abcdef"));
  assert(result && "user" in result);
  assertEquals(result.user.name, "system:bootstrap:abcdef");
  assertEquals(result.user.groups, [
    "system:bootstrappers",
    K3S_NODE_TOKEN_GROUP,
    "system:authenticated",
  ]);
});
