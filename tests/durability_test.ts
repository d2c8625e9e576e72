/**
 * What survives a restart and a `kill -9`.
 */
import { assert, assertEquals } from "./helpers/assert.ts";
import { apiClient, readKubeconfig } from "./helpers/api_client.ts";
import { freePort, startTestCluster } from "./helpers/cluster.ts";
import { waitFor } from "./helpers/wait.ts";
import { spawnServerProcess } from "./helpers/server_process.ts";

Deno.test("restart keeps every object, the tokens and the kubeconfig; revisions keep rising", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "k3ts-restart-" });
  const port = ["--https-listen-port", String(freePort())];
  try {
    const first = await startTestCluster(port, dataDir);
    await first.kubectlOk(["create", "namespace", "keep"]);
    await first.kubectlOk(["create", "configmap", "c1", "-n", "keep", "--from-literal=a=1"]);
    await first.kubectlOk(["create", "deployment", "d1", "-n", "keep", "--image=busybox"]);
    const before = JSON.parse(
      await first.kubectlOk(["get", "cm", "c1", "-n", "keep", "-o", "json"]),
    );
    const token = await Deno.readTextFile(`${dataDir}/server/token`);
    const kubeconfig = await Deno.readTextFile(first.kubeconfig);
    const revision = await first.server.backend.currentRevision();
    await first.stop();

    await using second = await startTestCluster(port, dataDir);
    assertEquals(await Deno.readTextFile(`${dataDir}/server/token`), token);
    assertEquals(await Deno.readTextFile(second.kubeconfig), kubeconfig);
    const after = JSON.parse(
      await second.kubectlOk(["get", "cm", "c1", "-n", "keep", "-o", "json"]),
    );
    assertEquals(after.metadata.uid, before.metadata.uid);
    assertEquals(after.metadata.resourceVersion, before.metadata.resourceVersion);
    assertEquals(
      (await second.kubectlOk(["get", "deploy", "d1", "-n", "keep", "-o", "name"])).trim(),
      "deployment.apps/d1",
    );
    const created = JSON.parse(
      await second.kubectlOk(["create", "configmap", "c2", "-n", "keep", "-o", "json"]),
    );
    assert(
      Number(created.metadata.resourceVersion) > revision,
      `${created.metadata.resourceVersion} > ${revision}`,
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => undefined);
  }
});

Deno.test("kill -9 during 16 concurrent writers: every acknowledged write survives", async () => {
  const { dataDir, child } = await spawnServerProcess("k3ts-crash-");
  let killed = false;
  try {
    const credentials = await waitFor(
      "kubeconfig",
      () => readKubeconfig(`${dataDir}/kubeconfig.yaml`),
      30_000,
    );
    const api = apiClient(credentials);
    await waitFor("readyz", async () => (await api.json("GET", "/readyz")).status === 200, 30_000);
    const acknowledged: string[] = [];
    let stop = false;
    const writer = async (id: number) => {
      for (let n = 0; !stop; n++) {
        const name = `w${id}-${n}`;
        try {
          const { status } = await api.json("POST", "/api/v1/namespaces/default/configmaps", {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name },
            data: { n: String(n) },
          });
          if (status === 201) acknowledged.push(name);
        } catch {
          return; // the server is gone
        }
      }
    };
    const writers = Array.from({ length: 16 }, (_, i) => writer(i));
    await waitFor("400 acknowledged writes", () => acknowledged.length >= 400, 60_000);
    child.kill("SIGKILL");
    killed = true;
    await child.status;
    stop = true;
    await Promise.all(writers);
    api.close();

    await using restarted = await startTestCluster([], dataDir);
    const names = new Set(
      (await restarted.server.stores.forKind("", "ConfigMap").list("default")).items.map((cm) =>
        cm.metadata.name
      ),
    );
    const lost = acknowledged.filter((name) => !names.has(name));
    assertEquals(lost, [], `${lost.length} of ${acknowledged.length} acknowledged writes lost`);
  } finally {
    if (!killed) {
      child.kill("SIGKILL");
      await child.status;
    }
    await Deno.remove(dataDir, { recursive: true }).catch(() => undefined);
  }
});
