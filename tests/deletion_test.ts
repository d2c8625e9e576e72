/**
 * Deletion as a user drives it with kubectl, on two simulated nodes: the three propagation
 * policies of `kubectl delete --cascade` (background, foreground, orphan) carried out by the
 * garbage collector, and a namespace deletion that empties the namespace, refuses new content
 * while it is terminating and then removes it.
 *
 * Where the test needs a deletion to stay pending long enough to look at, it holds one object
 * with a finalizer of its own (as a user's operator would) and lets go of it later.
 */
import type { KubeObject } from "../kube/types.ts";
import { watchStore } from "../server/apiserver/store_watch.ts";
import { assert, assertEquals, assertStringIncludes } from "./helpers/assert.ts";
import { startTestCluster, type TestCluster } from "./helpers/cluster.ts";
import { simulateNodes } from "./helpers/simulated_nodes.ts";
import { waitFor } from "./helpers/wait.ts";

/** A finalizer nobody processes: the object stays until the test removes it. */
const HOLD = "example.com/hold";

const lines = (text: string) => text.trim().split("\n").filter(Boolean);

/** Creates a Deployment and waits until it has rolled out. */
async function rolledOut(
  cluster: TestCluster,
  name: string,
  replicas: number,
  namespace = "default",
): Promise<void> {
  const k = cluster.kubectlOk;
  await k([
    "create",
    "deployment",
    name,
    "-n",
    namespace,
    "--image=nginx:1.27",
    `--replicas=${replicas}`,
  ]);
  await k(["rollout", "status", "-n", namespace, `deployment/${name}`, "--timeout=60s"]);
}

/** One watch event, with the store revision it was written at. */
interface Seen {
  type: string;
  kind: string;
  name: string;
  revision: number;
  object: KubeObject;
}

/** Records the events of some kinds in a namespace from now on, in revision order per kind. */
function record(cluster: TestCluster, kinds: [string, string][], namespace: string) {
  const stop = new AbortController();
  const seen: Seen[] = [];
  const watching = kinds.map(([group, kind]) =>
    (async () => {
      const store = cluster.server.stores.forKind(group, kind);
      for await (
        const event of watchStore(store, cluster.server.backend, namespace, {
          signal: stop.signal,
          resourceVersion: String(await cluster.server.backend.currentRevision()),
        })
      ) {
        const object = event.object as KubeObject;
        seen.push({
          type: event.type,
          kind,
          name: object.metadata.name!,
          revision: Number(object.metadata.resourceVersion),
          object,
        });
      }
    })().catch(() => {})
  );
  return {
    seen,
    async [Symbol.asyncDispose]() {
      stop.abort();
      await Promise.all(watching);
    },
  };
}

Deno.test("deletion: background, foreground and orphan propagation; namespace deletion", async (t) => {
  await using cluster = await startTestCluster();
  const dataDir = await Deno.makeTempDir({ prefix: "k3ts-sim-" });
  const k = cluster.kubectlOk;
  try {
    await using _nodes = await simulateNodes(cluster, { nodes: 2, dataDir });

    await t.step("background: the ReplicaSets and pods go with the Deployment", async () => {
      await rolledOut(cluster, "web", 3);
      await k(["delete", "deployment", "web"]);
      await waitFor(
        "no web ReplicaSets or pods",
        async () => lines(await k(["get", "rs,pods", "-l", "app=web", "-o", "name"])).length === 0,
        30_000,
      );
    });

    await t.step("foreground: the Deployment stays until its dependents are gone", async () => {
      await rolledOut(cluster, "web2", 3);
      const rs = JSON.parse(await k(["get", "rs", "-l", "app=web2", "-o", "json"])).items;
      assertEquals(rs.length, 1);
      assertEquals(rs[0].metadata.ownerReferences[0].blockOwnerDeletion, true);
      const podObjects = JSON.parse(await k(["get", "pods", "-l", "app=web2", "-o", "json"]))
        .items as KubeObject[];
      assertEquals(podObjects.length, 3);
      for (const pod of podObjects) {
        assertEquals(pod.metadata.ownerReferences?.[0].blockOwnerDeletion, true);
      }
      const pods = podObjects.map((p) => `pod/${p.metadata.name}`);
      // The ReplicaSet is held by a finalizer of the test's, so the wait can be seen from
      // outside. (A held pod would do as well, were it not that a pod whose last finalizer goes
      // after its kubelet confirmed deletion is not deleted yet: see the report.)
      const rsName = rs[0].metadata.name;
      await k([
        "patch",
        `rs/${rsName}`,
        "--type=merge",
        "-p",
        JSON.stringify({
          metadata: { finalizers: [HOLD] },
        }),
      ]);
      await using events = record(cluster, [
        ["apps", "Deployment"],
        ["apps", "ReplicaSet"],
        ["", "Pod"],
      ], "default");

      await k(["delete", "deployment", "web2", "--cascade=foreground", "--wait=false"]);
      // The pods go; the held ReplicaSet and, waiting on it, the Deployment stay.
      await waitFor("the web2 pods gone, the held ReplicaSet left", async () => {
        const left = lines(await k(["get", "pods,rs", "-l", "app=web2", "-o", "name"]));
        return left.length === 1 && left[0] === `replicaset.apps/${rsName}`;
      }, 30_000);
      const replicaSet = JSON.parse(await k(["get", `rs/${rsName}`, "-o", "json"]));
      assert(replicaSet.metadata.deletionTimestamp, "the ReplicaSet is being deleted too");
      await waitFor(
        "the ReplicaSet's own foreground deletion done",
        async () =>
          (await k(["get", `rs/${rsName}`, "-o", "jsonpath={.metadata.finalizers}"])) ===
            JSON.stringify([HOLD]),
        30_000,
      );
      const deployment = JSON.parse(await k(["get", "deployment", "web2", "-o", "json"]));
      assert(deployment.metadata.deletionTimestamp, "the Deployment has a deletionTimestamp");
      assertEquals(deployment.metadata.finalizers, ["foregroundDeletion"]);

      await k([
        "patch",
        `rs/${rsName}`,
        "--type=json",
        "-p",
        JSON.stringify([
          { op: "remove", path: "/metadata/finalizers" },
        ]),
      ]);
      await waitFor(
        "web2 and its dependents gone",
        async () => {
          const left = lines(
            await k(["get", "deployments,rs,pods", "-l", "app=web2", "-o", "name"]),
          );
          if (left.length > 0) throw new Error(`left: ${left.join(" ")}`);
          return true;
        },
        30_000,
      );
      // From the watch: the Deployment went only after its last dependent did.
      await waitFor(
        "the Deployment's DELETED event",
        () => events.seen.some((e) => e.kind === "Deployment" && e.type === "DELETED"),
        10_000,
      );
      const deletedAt = (kind: string, name: string) =>
        events.seen.find((e) => e.kind === kind && e.name === name && e.type === "DELETED")
          ?.revision;
      const ownerGone = deletedAt("Deployment", "web2")!;
      const dependentsGone = [
        deletedAt("ReplicaSet", rsName),
        ...pods.map((p) => deletedAt("Pod", p.replace("pod/", ""))),
      ];
      assert(dependentsGone.every((r) => r !== undefined), `dependents deleted: ${dependentsGone}`);
      assert(
        dependentsGone.every((r) => r! < ownerGone),
        `dependents deleted at ${dependentsGone}, the Deployment at ${ownerGone}`,
      );
    });

    await t.step("orphan: the ReplicaSet and pods stay, no longer owned", async () => {
      await rolledOut(cluster, "web3", 2);
      const podUids = lines(
        await k([
          "get",
          "pods",
          "-l",
          "app=web3",
          "-o",
          'jsonpath={range .items[*]}{.metadata.uid}{"\\n"}{end}',
        ]),
      ).sort();
      await k(["delete", "deployment", "web3", "--cascade=orphan"]);
      await waitFor(
        "web3 gone",
        async () =>
          (await cluster.kubectl(["get", "deployment", "web3"])).stderr.includes("NotFound"),
        30_000,
      );
      const rs = JSON.parse(await k(["get", "rs", "-l", "app=web3", "-o", "json"])).items;
      assertEquals(rs.length, 1);
      assertEquals(rs[0].metadata.ownerReferences, undefined);
      assertEquals(rs[0].metadata.deletionTimestamp, undefined);
      const pods = JSON.parse(await k(["get", "pods", "-l", "app=web3", "-o", "json"])).items;
      assertEquals(pods.map((p: KubeObject) => p.metadata.uid).sort(), podUids);
      for (const pod of pods) {
        assertEquals(pod.metadata.ownerReferences[0].name, rs[0].metadata.name);
      }
      await k(["delete", "rs", rs[0].metadata.name]);
    });

    await t.step(
      "deleting a namespace empties it, refuses new content, then removes it",
      async () => {
        await k(["create", "namespace", "x"]);
        await rolledOut(cluster, "app", 2, "x");
        await k(["create", "service", "clusterip", "app", "-n", "x", "--tcp=80:80"]);
        await k(["create", "configmap", "settings", "-n", "x", "--from-literal=a=1"]);
        await k(["create", "configmap", "held", "-n", "x"]);
        await k([
          "patch",
          "configmap",
          "held",
          "-n",
          "x",
          "--type=merge",
          "-p",
          JSON.stringify({
            metadata: { finalizers: [HOLD] },
          }),
        ]);

        await k(["delete", "namespace", "x", "--wait=false"]);
        await waitFor("everything but the held ConfigMap gone from x", async () => {
          const left = lines(
            await k([
              "get",
              "deployments,replicasets,pods,services,configmaps",
              "-n",
              "x",
              "-o",
              "name",
            ]),
          );
          return left.length === 1 && left[0] === "configmap/held" && left;
        }, 30_000);
        assertStringIncludes(await k(["get", "namespace", "x"]), "Terminating");
        // Its conditions say what holds it, as upstream's do.
        await waitFor("the namespace's conditions to name the held ConfigMap", async () => {
          const describe = await k(["describe", "namespace", "x"]);
          return describe.includes("Some resources are remaining: configmaps. has 1 resource") &&
            describe.includes(
              `Some content in the namespace has finalizers remaining: ${HOLD} in 1 resource`,
            );
        }, 20_000);
        const refused = await cluster.kubectl(["create", "configmap", "late", "-n", "x"]);
        assertEquals(refused.code, 1);
        assertStringIncludes(
          refused.stderr,
          "unable to create new content in namespace x because it is being terminated",
        );

        await k([
          "patch",
          "configmap",
          "held",
          "-n",
          "x",
          "--type=json",
          "-p",
          JSON.stringify([
            { op: "remove", path: "/metadata/finalizers" },
          ]),
        ]);
        await waitFor(
          "namespace x gone",
          async () => {
            const result = await cluster.kubectl(["get", "namespace", "x"]);
            return result.code !== 0 && result.stderr.includes("NotFound");
          },
          30_000,
        );
      },
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
