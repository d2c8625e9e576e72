import { ApiError } from "../../../kube/errors.ts";
import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { FakeObjects, object } from "./_test_objects.ts";
import { ServiceAccountTokens } from "./service_account_tokens.ts";
import { generateServiceAccountKey } from "./signing_key.ts";
import { createTokenRequest, type TokenRequestDeps } from "./token_request.ts";

const NOW = Date.parse("2026-03-01T12:00:00Z");

async function fixture(extra: Partial<TokenRequestDeps> = {}) {
  const objects = new FakeObjects([
    object("ServiceAccount", "ci", "builder", "sa-uid"),
    object("Pod", "ci", "web-0", "pod-uid", {
      spec: { serviceAccountName: "builder", nodeName: "n1" },
    }),
    object("Pod", "ci", "other", "other-uid", { spec: { serviceAccountName: "default" } }),
    object("Secret", "ci", "s1", "secret-uid"),
    object("Node", undefined, "n1", "node-uid"),
  ]);
  const tokens = new ServiceAccountTokens((await generateServiceAccountKey()).key, {
    now: () => NOW,
  });
  return { objects, tokens, deps: { objects, tokens, ...extra } };
}

async function apiErrorOf(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected an ApiError");
}

function claimsOf(token: string): Record<string, unknown> {
  const bytes = Uint8Array.fromBase64(token.split(".")[1], { alphabet: "base64url" });
  return JSON.parse(new TextDecoder().decode(bytes));
}

Deno.test("token request: defaults to one hour and the API server's audience", async () => {
  const { deps } = await fixture();
  const answer = await createTokenRequest(deps, "ci", "builder", {
    kind: "TokenRequest",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { creationTimestamp: null },
    spec: { audiences: null, expirationSeconds: null, boundObjectRef: null },
  }, NOW);
  assertEquals(answer.kind, "TokenRequest");
  assertEquals(answer.apiVersion, "authentication.k8s.io/v1");
  assertEquals(answer.metadata, { name: "builder", namespace: "ci", creationTimestamp: null });
  assertEquals(answer.spec, {
    audiences: ["https://kubernetes.default.svc.cluster.local"],
    expirationSeconds: 3600,
    boundObjectRef: null,
  });
  assertEquals(answer.status.expirationTimestamp, "2026-03-01T13:00:00Z");
  const claims = claimsOf(answer.status.token);
  assertEquals(claims["kubernetes.io"], {
    namespace: "ci",
    serviceaccount: { name: "builder", uid: "sa-uid" },
  });
});

Deno.test("token request: an empty body works; configured audiences and cap apply", async () => {
  const { deps } = await fixture({ audiences: ["k3ts"], maxExpirationSeconds: 7200 });
  const answer = await createTokenRequest(deps, "ci", "builder", {
    spec: { expirationSeconds: 86400 },
  }, NOW);
  assertEquals(answer.spec.audiences, ["k3ts"]);
  assertEquals(answer.spec.expirationSeconds, 7200);
  const plain = await createTokenRequest(deps, "ci", "builder", {}, NOW);
  assertEquals(plain.spec.expirationSeconds, 3600);
});

Deno.test("token request: lifetimes out of range are 422 with upstream's wording", async (t) => {
  const { deps } = await fixture();
  await t.step("under ten minutes", async () => {
    const error = await apiErrorOf(
      createTokenRequest(deps, "ci", "builder", { spec: { expirationSeconds: 599 } }, NOW),
    );
    assertEquals(error.code, 422);
    assertEquals(error.reason, "Invalid");
    assertEquals(
      error.message,
      'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes',
    );
    assertEquals(error.details?.kind, "TokenRequest");
    assertEquals(error.details?.group, "authentication.k8s.io");
    assertEquals(error.details?.causes?.[0].field, "spec.expirationSeconds");
  });
  await t.step("over 2^32 seconds", async () => {
    const error = await apiErrorOf(
      createTokenRequest(deps, "ci", "builder", { spec: { expirationSeconds: 2 ** 32 + 1 } }, NOW),
    );
    assertEquals(error.code, 422);
    assertEquals(
      error.message,
      'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds',
    );
  });
  await t.step("exactly ten minutes is fine", async () => {
    const answer = await createTokenRequest(deps, "ci", "builder", {
      spec: { expirationSeconds: 600 },
    }, NOW);
    assertEquals(answer.status.expirationTimestamp, "2026-03-01T12:10:00Z");
  });
  await t.step("a non-integer is a bad request", async () => {
    const error = await apiErrorOf(
      createTokenRequest(deps, "ci", "builder", { spec: { expirationSeconds: "1h" } }, NOW),
    );
    assertEquals(error.code, 400);
  });
});

Deno.test("token request: a missing ServiceAccount is 404", async () => {
  const { deps } = await fixture();
  const error = await apiErrorOf(createTokenRequest(deps, "ci", "ghost", {}, NOW));
  assertEquals(error.code, 404);
  assertEquals(error.message, 'serviceaccounts "ghost" not found');
});

Deno.test("token request: bound objects", async (t) => {
  const { deps } = await fixture();
  const bound = (ref: Record<string, unknown>) =>
    createTokenRequest(deps, "ci", "builder", { spec: { boundObjectRef: ref } }, NOW);

  await t.step("a pod binding names the pod and its node", async () => {
    const answer = await bound({ kind: "Pod", apiVersion: "v1", name: "web-0", uid: "pod-uid" });
    assertEquals(claimsOf(answer.status.token)["kubernetes.io"], {
      namespace: "ci",
      node: { name: "n1", uid: "node-uid" },
      pod: { name: "web-0", uid: "pod-uid" },
      serviceaccount: { name: "builder", uid: "sa-uid" },
    });
    assertEquals(answer.spec.boundObjectRef?.name, "web-0");
  });
  await t.step("secret and node bindings", async () => {
    const secret = await bound({ kind: "Secret", apiVersion: "v1", name: "s1" });
    assertEquals((claimsOf(secret.status.token)["kubernetes.io"] as { secret: unknown }).secret, {
      name: "s1",
      uid: "secret-uid",
    });
    const node = await bound({ kind: "Node", apiVersion: "v1", name: "n1" });
    assertEquals((claimsOf(node.status.token)["kubernetes.io"] as { node: unknown }).node, {
      name: "n1",
      uid: "node-uid",
    });
  });
  await t.step("a uid that differs is a conflict", async () => {
    const error = await apiErrorOf(
      bound({ kind: "Pod", apiVersion: "v1", name: "web-0", uid: "x" }),
    );
    assertEquals(error.code, 409);
    assertEquals(
      error.message,
      'Operation cannot be fulfilled on Pod "web-0": the UID in the bound object reference (x) does not match the UID in record. The object might have been deleted and then recreated',
    );
  });
  await t.step("a pod of another ServiceAccount is refused", async () => {
    const error = await apiErrorOf(bound({ kind: "Pod", apiVersion: "v1", name: "other" }));
    assertEquals(error.code, 400);
    assertEquals(
      error.message,
      'cannot bind token for serviceaccount "builder" to pod running with different serviceaccount name.',
    );
  });
  await t.step("a missing object is 404", async () => {
    const error = await apiErrorOf(bound({ kind: "Secret", apiVersion: "v1", name: "nope" }));
    assertEquals(error.code, 404);
    assertEquals(error.message, 'secrets "nope" not found');
  });
  await t.step("other kinds cannot be bound", async () => {
    const error = await apiErrorOf(bound({ kind: "ConfigMap", apiVersion: "v1", name: "c" }));
    assertEquals(error.code, 400);
    assertEquals(error.message, "cannot bind token to object of type /v1, Kind=ConfigMap");
    const apps = await apiErrorOf(bound({ kind: "Deployment", apiVersion: "apps/v1", name: "d" }));
    assertEquals(apps.message, "cannot bind token to object of type apps/v1, Kind=Deployment");
  });
});

Deno.test("token request: the body's namespace must match the path's", async () => {
  const { deps } = await fixture();
  const error = await apiErrorOf(
    createTokenRequest(deps, "ci", "builder", { metadata: { namespace: "prod" } }, NOW),
  );
  assertEquals(error.code, 400);
  assert(error.message.includes("does not match the namespace sent on the request"));
});
