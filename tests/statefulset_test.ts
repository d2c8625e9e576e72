/**
 * StatefulSets as a user drives them with kubectl, on three simulated nodes: OrderedReady makes
 * web-0, web-1, web-2 in order, each only once the one before is Ready (checked from watch
 * events); `kubectl rollout status` completes, a new image rolls out from the highest ordinal
 * down and `kubectl rollout undo` brings the old one back through its ControllerRevision;
 * scaling down removes web-2, then web-1 once web-2 is gone; Parallel makes every replica at once;
 * deleting a set removes its pods and revisions.
 */
import type { KubeObject } from "../kube/types.ts";
import { watchStore } from "../server/apiserver/store_watch.ts";
import { isPodReady } from "../server/controllers/pod_state.ts";
import { assert, assertEquals, assertStringIncludes } from "./helpers/assert.ts";
import { startTestCluster, type TestCluster } from "./helpers/cluster.ts";
import { simulateNodes } from "./helpers/simulated_nodes.ts";
import { waitFor } from "./helpers/wait.ts";

/** One pod watch event, as much of it as the ordering checks need. */
interface Seen {
  type: string;
  name: string;
  ready: boolean;
  deleting: boolean;
  image: string;
}

/** Records the pod events of one app from now on; dispose of it to end the watch. */
async function recordPods(cluster: TestCluster, app: string) {
  const stop = new AbortController();
  const seen: Seen[] = [];
  const pods = cluster.server.stores.forKind("", "Pod");
  // Taken before returning: every change after this call is seen, whenever the watch starts.
  const from = (await pods.list("default", { limit: 1 })).metadata.resourceVersion;
  const watching = (async () => {
    for await (
      const event of watchStore(pods, cluster.server.backend, "default", {
        signal: stop.signal,
        labelSelector: `app=${app}`,
        // From the current revision, without the synthetic ADDED events of a fresh list.
        resourceVersion: from,
      })
    ) {
      const pod = event.object as KubeObject;
      seen.push({
        type: event.type,
        name: pod.metadata.name!,
        ready: isPodReady(pod),
        deleting: pod.metadata.deletionTimestamp !== undefined,
        image: pod.spec?.containers?.[0]?.image ?? "",
      });
    }
  })().catch(() => {});
  return {
    seen,
    async [Symbol.asyncDispose]() {
      stop.abort();
      await watching;
    },
  };
}

/** Index of the first event matching, or -1. */
function first(seen: Seen[], match: (s: Seen) => boolean): number {
  return seen.findIndex(match);
}

/** A headless Service and a StatefulSet of 3, as JSON documents. */
function manifests(name: string, extra: Record<string, unknown> = {}, podSpec = {}): string[] {
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name },
      spec: { clusterIP: "None", selector: { app: name }, ports: [{ port: 80 }] },
    },
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name },
      spec: {
        serviceName: name,
        replicas: 3,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: "nginx", image: "nginx:1.27" }], ...podSpec },
        },
        ...extra,
      },
    },
  ].map((doc) => JSON.stringify(doc));
}

Deno.test("statefulsets: ordered creation, rollout, ordered scale-down, parallel, deletion", async (t) => {
  await using cluster = await startTestCluster();
  const dataDir = await Deno.makeTempDir({ prefix: "k3ts-sim-" });
  const k = cluster.kubectlOk;
  const lines = (text: string) => text.trim().split("\n").filter(Boolean);
  const podNames = async (app: string) =>
    lines(
      await k([
        "get",
        "pods",
        "-l",
        `app=${app}`,
        "-o",
        'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}',
      ]),
    ).sort();
  try {
    await using _nodes = await simulateNodes(cluster, { nodes: 3, dataDir });
    await waitFor("three Ready nodes", async () => {
      const ready = await k([
        "get",
        "nodes",
        "-o",
        'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
      ]);
      return lines(ready).filter((s) => s === "True").length === 3;
    }, 30_000);

    await t.step(
      "OrderedReady creates web-0, web-1, web-2, each after the last is Ready",
      async () => {
        await using watch = await recordPods(cluster, "web");
        for (const doc of manifests("web")) await k(["apply", "-f", "-"], { stdin: doc });
        assertStringIncludes(
          await k(["rollout", "status", "sts/web", "--timeout=90s"]),
          "partitioned roll out complete: 3 new pods have been updated",
        );
        await waitFor(
          "the watch to see web-2 ready",
          () => first(watch.seen, (s) => s.name === "web-2" && s.ready) >= 0,
          30_000,
        );
        const { seen } = watch;
        for (const i of [1, 2]) {
          const created = first(seen, (s) => s.name === `web-${i}` && s.type === "ADDED");
          const previousReady = first(
            seen,
            (s) => s.name === `web-${i - 1}` && s.ready && !s.deleting,
          );
          assert(
            previousReady >= 0 && created > previousReady,
            `web-${i} made at ${created}, ` +
              `web-${i - 1} ready at ${previousReady}: ${JSON.stringify(seen)}`,
          );
        }
        assertEquals(await podNames("web"), ["web-0", "web-1", "web-2"]);
        const identity = await k([
          "get",
          "pod",
          "web-1",
          "-o",
          "jsonpath={.spec.hostname} {.spec.subdomain} " +
          "{.metadata.labels.statefulset\\.kubernetes\\.io/pod-name} " +
          "{.metadata.labels.apps\\.kubernetes\\.io/pod-index}",
        ]);
        assertEquals(identity, "web-1 web web-1 1");
        const events = await k([
          "get",
          "events",
          "--field-selector",
          "involvedObject.name=web,reason=SuccessfulCreate",
          "-o",
          "jsonpath={.items[*].message}",
        ]);
        assertStringIncludes(events, "create Pod web-0 in StatefulSet web successful");
        const ready = await k(["get", "sts", "web", "-o", "jsonpath={.status.readyReplicas}"]);
        assertEquals(ready, "3");
      },
    );

    await t.step("a new image rolls out from the highest ordinal down", async () => {
      await using watch = await recordPods(cluster, "web");
      await k(["set", "image", "sts/web", "nginx=nginx:1.28"]);
      await k(["rollout", "status", "sts/web", "--timeout=90s"]);
      const images = lines(
        await k([
          "get",
          "pods",
          "-l",
          "app=web",
          "-o",
          'jsonpath={range .items[*]}{.spec.containers[0].image}{"\\n"}{end}',
        ]),
      );
      assertEquals(images, ["nginx:1.28", "nginx:1.28", "nginx:1.28"]);
      const replaced = (name: string) =>
        first(watch.seen, (s) => s.name === name && (s.deleting || s.type === "DELETED"));
      const order = ["web-2", "web-1", "web-0"].map(replaced);
      assert(order.every((at) => at >= 0), JSON.stringify(watch.seen));
      assert(order[0] < order[1] && order[1] < order[2], `replaced at ${order}`);
      const status = await k([
        "get",
        "sts",
        "web",
        "-o",
        "jsonpath={.status.currentRevision} {.status.updateRevision} {.status.updatedReplicas}",
      ]);
      const [current, update, updated] = status.split(" ");
      assertEquals([current === update, updated], [true, "3"]);
    });

    await t.step("rollout history and undo go through ControllerRevisions", async () => {
      const history = await k(["rollout", "history", "sts/web"]);
      assertStringIncludes(history, "REVISION");
      assertEquals(lines(history).filter((l) => /^\d+\s/.test(l)).length, 2, history);
      await k(["rollout", "undo", "sts/web"]);
      await k(["rollout", "status", "sts/web", "--timeout=90s"]);
      const images = await k([
        "get",
        "pods",
        "-l",
        "app=web",
        "-o",
        "jsonpath={.items[*].spec.containers[0].image}",
      ]);
      assertEquals(images, "nginx:1.27 nginx:1.27 nginx:1.27");
      const revisions = await k([
        "get",
        "controllerrevisions",
        "-o",
        'jsonpath={range .items[*]}{.metadata.name}={.revision}{"\\n"}{end}',
      ]);
      // The first template's revision was renumbered, not copied.
      assertEquals(lines(revisions).map((l) => l.split("=")[1]).sort(), ["2", "3"]);
    });

    await t.step("scale to 1 removes web-2, then web-1 once web-2 is gone", async () => {
      await using watch = await recordPods(cluster, "web");
      await k(["scale", "sts", "web", "--replicas=1"]);
      await waitFor("only web-0", async () => {
        const names = await podNames("web");
        return names.length === 1 && names[0] === "web-0";
      }, 60_000);
      await waitFor(
        "the watch to see web-1 go",
        () => first(watch.seen, (s) => s.name === "web-1" && s.type === "DELETED") >= 0,
        30_000,
      );
      const web2Gone = first(watch.seen, (s) => s.name === "web-2" && s.type === "DELETED");
      const web1Going = first(
        watch.seen,
        (s) => s.name === "web-1" && (s.deleting || s.type === "DELETED"),
      );
      assert(web2Gone >= 0 && web1Going > web2Gone, JSON.stringify(watch.seen));
      await waitFor(
        "status replicas 1",
        async () => (await k(["get", "sts", "web", "-o", "jsonpath={.status.replicas}"])) === "1",
        30_000,
      );
    });

    await t.step("Parallel creates every replica without waiting for readiness", async () => {
      // No node carries this label: the pods stay Pending, so OrderedReady would stop at one.
      const docs = manifests("par", { podManagementPolicy: "Parallel" }, {
        nodeSelector: { disk: "none" },
      });
      for (const doc of docs) await k(["apply", "-f", "-"], { stdin: doc });
      await waitFor("par-0, par-1 and par-2", async () => {
        const names = await podNames("par");
        return names.join(",") === "par-0,par-1,par-2";
      }, 30_000);
      const phases = await k([
        "get",
        "pods",
        "-l",
        "app=par",
        "-o",
        "jsonpath={.items[*].status.phase}",
      ]);
      assertEquals(phases, "Pending Pending Pending");
    });

    await t.step("deleting a StatefulSet removes its pods and revisions", async () => {
      await k(["delete", "sts", "web", "par"]);
      await waitFor(
        "no web or par pods",
        async () => (await podNames("web")).length === 0 && (await podNames("par")).length === 0,
        60_000,
      );
      // Their ControllerRevisions are dependents too.
      await waitFor(
        "no controller revisions",
        async () => (await k(["get", "controllerrevisions", "-o", "name"])).trim() === "",
        30_000,
      );
    });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
