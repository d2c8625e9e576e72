/**
 * Bad input gets a Kubernetes Status error and stores nothing.
 */
import { assertEquals, assertMatch } from "./helpers/assert.ts";
import { apiClient, readKubeconfig } from "./helpers/api_client.ts";
import { startTestCluster } from "./helpers/cluster.ts";
import type { Backend } from "../server/storage/types.ts";

/** The keys written after `afterRevision`, up to the store's current revision. */
async function changedKeysSince(backend: Backend, afterRevision: number): Promise<string[]> {
  const until = await backend.currentRevision();
  const keys: string[] = [];
  if (until === afterRevision) return keys;
  const controller = new AbortController();
  for await (const batch of backend.watch("/", { afterRevision, signal: controller.signal })) {
    for (const event of batch) {
      if (event.kv.modRevision <= until) keys.push(event.kv.key);
    }
    if (batch.at(-1)!.kv.modRevision >= until) break;
  }
  controller.abort();
  return keys;
}

Deno.test("bad input: Status errors and nothing stored", async (t) => {
  await using cluster = await startTestCluster();
  const api = apiClient(await readKubeconfig(cluster.kubeconfig));
  const path = "/api/v1/namespaces/default/configmaps";
  const revisionBefore = await cluster.server.backend.currentRevision();

  const expectStatus = async (
    label: string,
    response: Promise<{ status: number; body: Record<string, unknown> }>,
    code: number,
    message: RegExp,
  ) => {
    await t.step(label, async () => {
      const { status, body } = await response;
      assertEquals(status, code, JSON.stringify(body));
      assertEquals(body.kind, "Status");
      assertEquals(body.status, "Failure");
      assertEquals(body.code, code);
      assertMatch(String(body.message), message);
    });
  };

  try {
    await expectStatus(
      "malformed JSON",
      api.json("POST", path, `{"metadata": {"name": "x"`),
      400,
      /not valid JSON/,
    );
    await expectStatus(
      "malformed YAML",
      api.json("POST", path, "metadata:\n  name: [x\n", { "content-type": "application/yaml" }),
      400,
      /not valid YAML/,
    );
    await expectStatus(
      "wrong kind",
      api.json("POST", path, { apiVersion: "v1", kind: "Secret", metadata: { name: "x" } }),
      400,
      /kind in the data \(Secret\) does not match/,
    );
    await expectStatus(
      "wrong apiVersion",
      api.json("POST", path, { apiVersion: "apps/v1", kind: "ConfigMap", metadata: { name: "x" } }),
      400,
      /API version in the data \(apps\/v1\) does not match the expected API version \(v1\)/,
    );
    await expectStatus(
      "bad name",
      api.json("POST", path, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "Bad_Name" },
      }),
      422,
      /metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    await expectStatus(
      "missing name",
      api.json("POST", path, { apiVersion: "v1", kind: "ConfigMap", metadata: {} }),
      422,
      /metadata\.name: Required value/,
    );
    await expectStatus(
      "mistyped field",
      api.json("POST", path, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "x" },
        data: "oops",
      }),
      400,
      /cannot unmarshal string/,
    );
    await expectStatus(
      "unknown field under Strict",
      api.json("POST", `${path}?fieldValidation=Strict`, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "x" },
        dataa: {},
      }),
      400,
      /strict decoding error: unknown field "dataa"/,
    );
    await expectStatus(
      "body over 3 MiB",
      api.json("POST", path, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "big" },
        data: { blob: "x".repeat(3 * 1024 * 1024 + 1) },
      }),
      413,
      /larger than the limit/,
    );
    await expectStatus(
      "unsupported media type",
      api.json("POST", path, "a=b", { "content-type": "text/plain" }),
      415,
      /unknown format/,
    );
    await expectStatus(
      "bad dryRun value",
      api.json("POST", `${path}?dryRun=Some`, { metadata: { name: "x" } }),
      400,
      /Invalid dry run value/,
    );
    await expectStatus(
      "bad label selector",
      api.json("GET", `${path}?labelSelector=${encodeURIComponent("a in (b")}`),
      400,
      /unable to parse requirement/,
    );
    await expectStatus(
      "unsupported field selector",
      api.json("GET", `${path}?fieldSelector=spec.x=y`),
      400,
      /field label not supported: spec\.x/,
    );

    await t.step("nothing was stored", async () => {
      // Meanwhile the control plane takes and renews its leader Leases (and records Events about
      // it) in kube-system; every other key must be exactly as it was.
      const bookkeeping =
        /^\/registry\/(coordination\.k8s\.io\/leases|core\/events)\/kube-system\//;
      const changed = await changedKeysSince(cluster.server.backend, revisionBefore);
      assertEquals(changed.filter((key) => !bookkeeping.test(key)), []);
    });

    await t.step("anonymous requests get 401 except the public paths", async () => {
      const anonymous = apiClient(await readKubeconfig(cluster.kubeconfig), { anonymous: true });
      try {
        const denied = await anonymous.json("GET", "/api/v1/namespaces");
        assertEquals(denied.status, 401);
        assertEquals(denied.body.reason, "Unauthorized");
        for (const open of ["/version", "/healthz", "/livez", "/readyz", "/cacerts", "/ping"]) {
          const response = await anonymous.fetch(open);
          await response.body?.cancel();
          assertEquals(response.status, 200, open);
        }
      } finally {
        anonymous.close();
      }
    });
  } finally {
    api.close();
  }
});
