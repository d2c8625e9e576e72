/**
 * A server restarted in the middle of a rolling update: the new server, on the same data dir
 * and port, picks the rollout up where the old one left it (the simulated nodes reconnect by
 * themselves), and the rollout ends with exactly the replicas asked for, all of the new
 * template, without a single pod created beyond what the rollout needs.
 */
import type { KubeObject } from "../kube/types.ts";
import { watchStore } from "../server/apiserver/store_watch.ts";
import { assert, assertEquals, assertStringIncludes } from "./helpers/assert.ts";
import { freePort, startTestCluster, type TestCluster } from "./helpers/cluster.ts";
import { simulateNodes } from "./helpers/simulated_nodes.ts";
import { waitFor } from "./helpers/wait.ts";

const REPLICAS = 10;

/** 10 replicas, one extra pod at a time, none unavailable, each new pod ready after 1 s. */
const DEPLOYMENT = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default" },
  spec: {
    replicas: REPLICAS,
    minReadySeconds: 1,
    selector: { matchLabels: { app: "web" } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] },
    },
  },
};

interface ReplicaSetView {
  name: string;
  hash: string;
  replicas: number;
}

Deno.test("a server restarted mid-rollout finishes it with no extra pods", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "k3ts-restart-rollout-" });
  const simDir = await Deno.makeTempDir({ prefix: "k3ts-sim-" });
  const port = ["--https-listen-port", String(freePort())];
  try {
    const first = await startTestCluster(port, dataDir);
    let second: TestCluster | undefined;
    try {
      await using _nodes = await simulateNodes(first, { nodes: 3, dataDir: simDir });
      const k = first.kubectlOk;
      const startRevision = await first.server.backend.currentRevision();
      await k(["apply", "-f", "-"], { stdin: JSON.stringify(DEPLOYMENT) });
      await k(["rollout", "status", "deployment/web", "--timeout=90s"]);
      await k(["set", "image", "deployment/web", "nginx=nginx:1.28"]);

      const replicaSets = async (kubectl = k): Promise<ReplicaSetView[]> =>
        (JSON.parse(await kubectl(["get", "rs", "-l", "app=web", "-o", "json"]))
          .items as KubeObject[]).map((rs) => ({
            name: rs.metadata.name!,
            hash: rs.metadata.labels!["pod-template-hash"],
            replicas: rs.status?.replicas ?? 0,
          }));
      // Mid-way: the new ReplicaSet has some pods, the old one still has most.
      const midway = await waitFor("the rollout half-way", async () => {
        const sets = await replicaSets();
        return sets.length === 2 && sets.every((rs) => rs.replicas >= 2) && sets;
      }, 60_000);
      await first.stop();

      second = await startTestCluster(port, dataDir);
      const k2 = second.kubectlOk;
      assertStringIncludes(
        await k2(["rollout", "status", "deployment/web", "--timeout=120s"]),
        'deployment "web" successfully rolled out',
      );
      const newHash = (await replicaSets(k2)).find((rs) =>
        rs.replicas === REPLICAS && midway.some((m) => m.name === rs.name)
      )?.hash;
      assert(newHash, `the new ReplicaSet of ${JSON.stringify(midway)}`);
      // Old pods the nodes have not confirmed deleted yet may linger a moment.
      const pods = await waitFor(`${REPLICAS} web pods`, async () => {
        const items = JSON.parse(await k2(["get", "pods", "-l", "app=web", "-o", "json"]))
          .items as KubeObject[];
        return items.length === REPLICAS && items;
      }, 30_000);
      assertEquals(
        pods.map((p) => p.metadata.labels!["pod-template-hash"]),
        Array(REPLICAS).fill(newHash),
      );
      assertEquals(new Set(pods.map((p) => p.metadata.name)).size, REPLICAS);
      assert(
        pods.every((p) =>
          p.status?.phase === "Running" && p.metadata.deletionTimestamp === undefined
        ),
        "every pod runs",
      );

      // Every web pod ever created, from the datastore's history across both servers: a
      // marker pod created now ends the replay.
      await k2(["run", "marker", "--image=busybox"]);
      const created: KubeObject[] = [];
      const stop = new AbortController();
      for await (
        const event of watchStore(
          second.server.stores.forKind("", "Pod"),
          second.server.backend,
          "default",
          { signal: stop.signal, resourceVersion: String(startRevision) },
        )
      ) {
        const pod = event.object as KubeObject;
        if (pod.metadata.name === "marker") break;
        if (event.type === "ADDED") created.push(pod);
      }
      stop.abort();
      const names = created.map((p) => p.metadata.name);
      assertEquals(new Set(names).size, names.length, `names reused: ${names}`);
      // 10 of the old template, 10 of the new: not one more.
      assertEquals(created.length, 2 * REPLICAS, `created: ${names}`);
      assertEquals(
        created.filter((p) => p.metadata.labels!["pod-template-hash"] === newHash).length,
        REPLICAS,
      );
    } finally {
      await first[Symbol.asyncDispose]();
      await second?.[Symbol.asyncDispose]();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => undefined);
    await Deno.remove(simDir, { recursive: true }).catch(() => undefined);
  }
});
