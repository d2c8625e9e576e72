import { ApiError } from "../errors.ts";
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { startTestCluster } from "../../tests/helpers/cluster.ts";
import { apiErrorOf, KubeClient, resourcePath } from "./mod.ts";

Deno.test("client: resource paths", () => {
  assertEquals(resourcePath({ version: "v1", resource: "namespaces" }), "/api/v1/namespaces");
  assertEquals(
    resourcePath({ version: "v1", resource: "secrets", namespace: "kube-system", name: "a b" }),
    "/api/v1/namespaces/kube-system/secrets/a%20b",
  );
  assertEquals(
    resourcePath({
      group: "apps",
      version: "v1",
      resource: "deployments",
      namespace: "web",
      name: "front",
      subresource: "scale",
    }),
    "/apis/apps/v1/namespaces/web/deployments/front/scale",
  );
});

Deno.test("client: error answers without a Status body still become ApiErrors", async () => {
  const plain = await apiErrorOf(new Response("upstream connect error\n", { status: 503 }));
  assertEquals([plain.code, plain.reason, plain.message], [
    503,
    "ServiceUnavailable",
    "upstream connect error",
  ]);
  const empty = await apiErrorOf(new Response("", { status: 418, statusText: "Teapot" }));
  assertEquals([empty.reason, empty.message], ["Unknown", "the server answered 418 Teapot"]);
});

async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected an ApiError");
}

Deno.test("client: CRUD against a real server with the admin kubeconfig", async (t) => {
  await using cluster = await startTestCluster();
  using client = await KubeClient.fromKubeconfig(cluster.kubeconfig);
  const configMaps = resourcePath({ version: "v1", resource: "configmaps", namespace: "default" });

  await t.step("get and list", async () => {
    const ns = await client.get(
      resourcePath({ version: "v1", resource: "namespaces", name: "kube-system" }),
    );
    assertEquals(ns.metadata.name, "kube-system");
    const all = await client.list(resourcePath({ version: "v1", resource: "namespaces" }), {
      limit: 500,
    });
    assert(all.items.some((n) => n.metadata.name === "default"));
  });

  await t.step("create, patch, replace, delete", async () => {
    const created = await client.create(configMaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c1" },
      data: { a: "1" },
    });
    assertEquals(created.metadata.namespace, "default");
    const patched = await client.patch(`${configMaps}/c1`, "merge", { data: { b: "2" } });
    assertEquals(patched.data, { a: "1", b: "2" });
    const replaced = await client.replace(`${configMaps}/c1`, { ...patched, data: { c: "3" } });
    assertEquals(replaced.data, { c: "3" });
    await client.delete(`${configMaps}/c1`);
  });

  await t.step("the server's Status comes back as the ApiError it meant", async () => {
    const missing = await apiError(client.get(`${configMaps}/c1`));
    assertEquals([missing.code, missing.reason, missing.message], [
      404,
      "NotFound",
      'configmaps "c1" not found',
    ]);
    assertEquals(missing.details?.name, "c1");
    await client.create(configMaps, { metadata: { name: "dup" } });
    const duplicate = await apiError(client.create(configMaps, { metadata: { name: "dup" } }));
    assertEquals(duplicate.reason, "AlreadyExists");
  });

  await t.step("a client without credentials is refused with 401", async () => {
    using anonymous = new KubeClient({ server: client.server, caPem: client.caPem });
    const refused = await apiError(anonymous.list(configMaps));
    assertEquals([refused.code, refused.reason], [401, "Unauthorized"]);
    assertEquals((await anonymous.request<{ minor: string }>("GET", "/version")).minor, "32");
  });
});
