/**
 * DaemonSets as a user drives them with kubectl, on simulated nodes: one Running pod per node
 * after `kubectl apply`, `kubectl rollout status` completing, a node that joins later getting its
 * pod, `kubectl set image` rolling every pod over within maxUnavailable, `kubectl rollout history`
 * and `undo` working from the ControllerRevisions, and deleting the DaemonSet removing its pods
 * and revisions.
 */
import type { KubeObject } from "../kube/types.ts";
import { watchStore } from "../server/apiserver/store_watch.ts";
import { assert, assertEquals, assertStringIncludes } from "./helpers/assert.ts";
import { startTestCluster } from "./helpers/cluster.ts";
import { simulateNodes } from "./helpers/simulated_nodes.ts";
import { waitFor } from "./helpers/wait.ts";

const DAEMON_SET = `
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: agent
        image: registry.k8s.io/pause:3.9
`;

/** One line per pod: name, node, phase, image, revision hash, template generation. */
const POD_ROWS = "jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.phase} " +
  "{.spec.containers[0].image} {.metadata.labels.controller-revision-hash} " +
  '{.metadata.labels.pod-template-generation}{"\\n"}{end}';

interface PodRow {
  name: string;
  node: string;
  phase: string;
  image: string;
  hash: string;
  generation: string;
}

Deno.test("daemonset: a pod per node, new nodes, set image and delete with kubectl", async (t) => {
  await using cluster = await startTestCluster();
  const dataDir = await Deno.makeTempDir({ prefix: "k3ts-sim-" });
  const k = cluster.kubectlOk;
  const lines = (text: string) => text.trim().split("\n").filter(Boolean);
  const pods = async (): Promise<PodRow[]> =>
    lines(await k(["get", "pods", "-l", "app=agent", "-o", POD_ROWS])).map((line) => {
      const [name, node, phase, image, hash, generation] = line.split(" ");
      return { name, node, phase, image, hash, generation };
    });
  /** Exactly one Running pod of `image` on each of `nodes`, and nothing else. */
  const onePerNode = async (nodes: readonly string[], image: string) => {
    const rows = await pods();
    const placed = rows.map((r) => r.node).sort();
    return JSON.stringify(placed) === JSON.stringify([...nodes].sort()) &&
      rows.every((r) => r.phase === "Running" && r.image === image) && rows;
  };
  try {
    await using first = await simulateNodes(cluster, { nodes: 3, dataDir });
    const nodes = [...first.simulation.nodeNames];
    await waitFor("three Ready nodes", async () => {
      const ready = await k([
        "get",
        "nodes",
        "-o",
        'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
      ]);
      return lines(ready).filter((s) => s === "True").length === 3;
    }, 30_000);

    await t.step("apply: one Running pod per node, and rollout status completes", async () => {
      await k(["apply", "-f", "-"], { stdin: DAEMON_SET });
      assertStringIncludes(
        await k(["rollout", "status", "ds/agent", "--timeout=90s"]),
        'daemon set "agent" successfully rolled out',
      );
      const rows = await waitFor(
        "a Running agent on each node",
        () => onePerNode(nodes, "registry.k8s.io/pause:3.9"),
        30_000,
      );
      for (const row of rows) {
        assertEquals(row.generation, "1");
        assertEquals(row.hash, rows[0].hash);
      }
      const owner = await k([
        "get",
        "pod",
        rows[0].name,
        "-o",
        "jsonpath={.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name} " +
        "{.metadata.ownerReferences[0].blockOwnerDeletion}",
      ]);
      assertEquals(owner, "DaemonSet/agent true");
      const columns = lines(await k(["get", "ds", "agent", "--no-headers"]))[0].split(/\s+/);
      // NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE-SELECTOR AGE
      assertEquals(columns.slice(0, 6), ["agent", "3", "3", "3", "3", "3"]);
    });

    // Nodes that join later, stopped with the test.
    await using later = new AsyncDisposableStack();
    const all = [...nodes];
    await t.step("a node that joins gets its daemon pod", async () => {
      const late = later.use(
        await simulateNodes(cluster, { nodes: 1, dataDir, namePrefix: "late" }),
      );
      all.push(...late.simulation.nodeNames);
      await waitFor(
        "an agent on the new node",
        () => onePerNode(all, "registry.k8s.io/pause:3.9"),
        30_000,
      );
      await k(["rollout", "status", "ds/agent", "--timeout=90s"]);
      assertEquals(
        await k(["get", "ds", "agent", "-o", "jsonpath={.status.desiredNumberScheduled}"]),
        "4",
      );
    });

    await t.step("set image rolls every pod over", async () => {
      const before = new Set((await pods()).map((r) => r.name));
      // Watch the status: maxUnavailable 1 of 4 nodes leaves at least 3 available throughout.
      const stop = new AbortController();
      let fewest = Infinity;
      const daemonSets = cluster.server.stores.forKind("apps", "DaemonSet");
      const watching = (async () => {
        for await (
          const event of watchStore(daemonSets, cluster.server.backend, "default", {
            signal: stop.signal,
            fieldSelector: "metadata.name=agent",
          })
        ) {
          const status = (event.object as KubeObject).status;
          if (status?.desiredNumberScheduled === 4) {
            fewest = Math.min(fewest, status.numberAvailable ?? 0);
          }
        }
      })().catch(() => {});
      await k(["set", "image", "ds/agent", "agent=registry.k8s.io/pause:3.10"]);
      assertStringIncludes(
        await k(["rollout", "status", "ds/agent", "--timeout=120s"]),
        'daemon set "agent" successfully rolled out',
      );
      stop.abort();
      await watching;
      assert(Number.isFinite(fewest), "the watch saw the rollout");
      assert(fewest >= 3, `numberAvailable dropped to ${fewest}`);
      const rows = await waitFor(
        "a Running pause:3.10 agent on each node",
        () => onePerNode(all, "registry.k8s.io/pause:3.10"),
        30_000,
      );
      for (const row of rows) {
        assertEquals(before.has(row.name), false, `${row.name} was replaced`);
        assertEquals(row.generation, "2");
      }
      const reasons = await k([
        "get",
        "events",
        "--field-selector",
        "involvedObject.kind=DaemonSet,involvedObject.name=agent",
        "-o",
        "jsonpath={.items[*].reason}",
      ]);
      assertStringIncludes(reasons, "SuccessfulCreate");
      assertStringIncludes(reasons, "SuccessfulDelete");
    });

    await t.step("rollout history lists both templates; undo goes back", async () => {
      const revisions = async () =>
        lines(await k(["rollout", "history", "ds/agent"])).slice(-2).map((l) => l.split(/\s+/)[0]);
      assertEquals(await revisions(), ["1", "2"]);
      await k(["rollout", "undo", "ds/agent"]);
      await k(["rollout", "status", "ds/agent", "--timeout=120s"]);
      await waitFor(
        "a Running pause:3.9 agent on each node again",
        () => onePerNode(all, "registry.k8s.io/pause:3.9"),
        30_000,
      );
      assertEquals(await revisions(), ["2", "3"]);
    });

    await t.step("deleting the DaemonSet removes its pods and revisions", async () => {
      await k(["delete", "ds", "agent"]);
      await waitFor(
        "no agent pods or revisions",
        async () =>
          lines(await k(["get", "pods,controllerrevisions", "-l", "app=agent", "-o", "name"]))
            .length === 0,
        30_000,
      );
    });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
