import { ApiError } from "../../kube/errors.ts";
import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { startTestCluster } from "../../tests/helpers/cluster.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { CHEAP_HASH } from "./_test_helpers.ts";
import {
  NODE_PASSWORD_NAMESPACE,
  NODE_PASSWORD_REJECTED,
  NODE_PASSWORD_SECRET_TYPE,
  nodePasswordSecretName,
  verifyNodePassword,
} from "./node_password.ts";
import { verifyPasswordHash } from "./password_hash.ts";

const options = { hash: CHEAP_HASH };

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected an ApiError");
}

async function createNode(stores: StoreSet, name: string): Promise<void> {
  await stores.forKind("", "Node").create(undefined, { metadata: { name } });
}

Deno.test("node password: first join, same password, other password, Node deleted", async () => {
  await using cluster = await startTestCluster();
  const stores = cluster.server.stores;

  // First join claims the name: an immutable Secret with K3s's type and a scrypt hash.
  const first = await verifyNodePassword(stores, "Agent-1", "pw-one", options);
  assertEquals(first, { nodeName: "agent-1", outcome: "created" });
  const secret = await stores.forKind("", "Secret").get(
    NODE_PASSWORD_NAMESPACE,
    "agent-1.node-password.k3s",
  );
  assertEquals(secret.type, NODE_PASSWORD_SECRET_TYPE);
  assertEquals(secret.type, "k3s.cattle.io/node-password");
  assertEquals(secret.immutable, true);
  const hash = new TextDecoder().decode(Uint8Array.fromBase64(secret.data.hash));
  assertMatch(hash, /^\$1:[0-9a-f]{16}:4:1:1:/);
  assert(await verifyPasswordHash(hash, "pw-one"));

  // The same password again (an agent restart) is accepted.
  assertEquals(
    (await verifyNodePassword(stores, "agent-1", "pw-one", options)).outcome,
    "verified",
  );

  // Another password while the Node exists: a second machine with the same host name.
  await createNode(stores, "agent-1");
  const rejected = await refusal(verifyNodePassword(stores, "agent-1", "pw-two", options));
  assertEquals(rejected.code, 403);
  assertEquals(rejected.message, NODE_PASSWORD_REJECTED);
  assertEquals(
    (await stores.forKind("", "Secret").get(NODE_PASSWORD_NAMESPACE, secret.metadata.name!))
      .metadata.uid,
    secret.metadata.uid,
    "a rejected join leaves the Secret alone",
  );

  // Deleting the Node frees the name: a reinstalled machine joins with its new password.
  await stores.forKind("", "Node").delete(undefined, "agent-1");
  assertEquals(
    (await verifyNodePassword(stores, "agent-1", "pw-two", options)).outcome,
    "replaced",
  );
  assertEquals(
    (await verifyNodePassword(stores, "agent-1", "pw-two", options)).outcome,
    "verified",
  );
  const replaced = await stores.forKind("", "Secret").get(
    NODE_PASSWORD_NAMESPACE,
    "agent-1.node-password.k3s",
  );
  assert(replaced.metadata.uid !== secret.metadata.uid);
  assertEquals(replaced.immutable, true);
});

Deno.test("node password: missing headers and bad names are 400", async () => {
  await using cluster = await startTestCluster();
  const stores = cluster.server.stores;
  for (
    const [name, password, text] of [
      [undefined, "pw", "node name not set"],
      ["", "pw", "node name not set"],
      ["agent-1", null, "node password not set"],
      ["agent-1", "", "node password not set"],
      ["bad_name", "pw", "invalid node name"],
      ["-dash", "pw", "invalid node name"],
    ] as const
  ) {
    const error = await refusal(verifyNodePassword(stores, name, password, options));
    assertEquals(error.code, 400);
    assert(error.message.includes(text), error.message);
  }
  const secrets = await stores.forKind("", "Secret").list(NODE_PASSWORD_NAMESPACE);
  assertEquals(secrets.items.length, 0, "no Secret is written for a bad request");
});

Deno.test("node password: concurrent first joins with different passwords, one wins", async () => {
  await using cluster = await startTestCluster();
  const stores = cluster.server.stores;
  await createNode(stores, "racer");
  const passwords = ["a", "b", "c", "d", "e", "f"];
  const results = await Promise.allSettled(
    passwords.map((pw) => verifyNodePassword(stores, "racer", pw, options)),
  );
  const won = results.filter((r) => r.status === "fulfilled");
  assertEquals(won.length, 1, JSON.stringify(results.map((r) => r.status)));
  for (const result of results) {
    if (result.status === "rejected") assertEquals((result.reason as ApiError).code, 403);
  }
  assertEquals(nodePasswordSecretName("Racer"), "racer.node-password.k3s");
});

Deno.test("node password: a corrupt hash counts as a mismatch", async () => {
  await using cluster = await startTestCluster();
  const stores = cluster.server.stores;
  await stores.forKind("", "Secret").create(NODE_PASSWORD_NAMESPACE, {
    metadata: { name: "broken.node-password.k3s" },
    immutable: true,
    type: NODE_PASSWORD_SECRET_TYPE,
    data: { hash: new TextEncoder().encode("not-a-hash").toBase64() },
  });
  await createNode(stores, "broken");
  assertEquals((await refusal(verifyNodePassword(stores, "broken", "pw", options))).code, 403);
  await stores.forKind("", "Node").delete(undefined, "broken");
  assertEquals((await verifyNodePassword(stores, "broken", "pw", options)).outcome, "replaced");
});
