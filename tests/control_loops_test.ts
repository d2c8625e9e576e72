/**
 * The control loops as a user drives them with kubectl, on three simulated nodes: a Deployment
 * spreads its pods and rolls out, a rolling update keeps enough pods available (checked from
 * watch events), undo and scale work, an unschedulable pod gets FailedScheduling and runs once
 * a node fits, deleting the Deployment removes its ReplicaSets and pods, and a node that stops
 * heartbeating turns NotReady.
 */
import type { KubeObject } from "../kube/types.ts";
import { watchStore } from "../server/apiserver/store_watch.ts";
import { assert, assertEquals, assertStringIncludes } from "./helpers/assert.ts";
import { startTestCluster } from "./helpers/cluster.ts";
import { simulateNodes } from "./helpers/simulated_nodes.ts";
import { waitFor } from "./helpers/wait.ts";

Deno.test("control loops: deployments, scheduling, garbage collection and node health", async (t) => {
  await using cluster = await startTestCluster(["--node-monitor-grace-period", "2"]);
  const dataDir = await Deno.makeTempDir({ prefix: "k3ts-sim-" });
  const k = cluster.kubectlOk;
  const lines = (text: string) => text.trim().split("\n").filter(Boolean);
  try {
    await using nodes = await simulateNodes(cluster, { nodes: 3, dataDir });
    await waitFor("three Ready nodes", async () => {
      const ready = await k([
        "get",
        "nodes",
        "-o",
        'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
      ]);
      return lines(ready).filter((s) => s === "True").length === 3;
    }, 20_000);

    await t.step("a Deployment of 6 spreads over the nodes and rolls out", async () => {
      await k(["create", "deployment", "web", "--image=nginx:1.27", "--replicas=6"]);
      assertStringIncludes(
        await k(["rollout", "status", "deployment/web", "--timeout=60s"]),
        'deployment "web" successfully rolled out',
      );
      const placed = lines(
        await k([
          "get",
          "pods",
          "-l",
          "app=web",
          "-o",
          'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}',
        ]),
      );
      assertEquals(placed.length, 6);
      assertEquals(new Set(placed).size, 3, `pods on ${placed.join(",")}`);
    });

    await t.step("set image rolls out without dropping below the minimum available", async () => {
      const stop = new AbortController();
      let fewest = Infinity;
      const deployments = cluster.server.stores.forKind("apps", "Deployment");
      const watching = (async () => {
        for await (
          const event of watchStore(deployments, cluster.server.backend, "default", {
            signal: stop.signal,
            fieldSelector: "metadata.name=web",
          })
        ) {
          const status = (event.object as KubeObject).status;
          if (status?.availableReplicas !== undefined) {
            fewest = Math.min(fewest, status.availableReplicas);
          }
        }
      })().catch(() => {});
      await k(["set", "image", "deployment/web", "nginx=nginx:1.28"]);
      await k(["rollout", "status", "deployment/web", "--timeout=60s"]);
      stop.abort();
      await watching;
      // 6 replicas, maxUnavailable 25% rounds down to 1: never fewer than 5 available.
      assert(fewest >= 5, `availableReplicas dropped to ${fewest}`);
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
      assertEquals([...new Set(images)], ["nginx:1.28"]);
    });

    await t.step("rollout undo returns to the old ReplicaSet", async () => {
      const before = lines(await k(["get", "rs", "-l", "app=web", "-o", "name"]));
      await k(["rollout", "undo", "deployment/web"]);
      await k(["rollout", "status", "deployment/web", "--timeout=60s"]);
      assertEquals(
        lines(await k(["get", "rs", "-l", "app=web", "-o", "name"])).sort(),
        before.sort(),
      );
      assertEquals(
        await k([
          "get",
          "deployment",
          "web",
          "-o",
          "jsonpath={.spec.template.spec.containers[0].image}",
        ]),
        "nginx:1.27",
      );
    });

    await t.step("scale down and up", async () => {
      for (const replicas of [2, 4]) {
        await k(["scale", "deployment/web", `--replicas=${replicas}`]);
        await waitFor(
          `${replicas} web pods`,
          async () =>
            lines(await k(["get", "pods", "-l", "app=web", "-o", "name"])).length === replicas &&
            (await k([
                "get",
                "deployment",
                "web",
                "-o",
                "jsonpath={.status.availableReplicas}",
              ])) ===
              String(replicas),
          30_000,
        );
      }
    });

    await t.step(
      "an unschedulable pod gets FailedScheduling, then runs once a node fits",
      async () => {
        await k([
          "run",
          "picky",
          "--image=busybox",
          "--overrides",
          JSON.stringify({ spec: { nodeSelector: { disk: "ssd" } } }),
        ]);
        await waitFor("a FailedScheduling event", async () => {
          const events = await k([
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=picky,reason=FailedScheduling",
            "-o",
            "jsonpath={.items[*].message}",
          ]);
          return events.includes("0/3 nodes are available") &&
            events.includes("didn't match Pod's node affinity/selector");
        }, 20_000);
        await k(["label", "node", nodes.simulation.nodeNames[0], "disk=ssd"]);
        await waitFor(
          "picky to run on the labelled node",
          async () =>
            (await k([
              "get",
              "pod",
              "picky",
              "-o",
              "jsonpath={.status.phase} {.spec.nodeName}",
            ])) ===
              `Running ${nodes.simulation.nodeNames[0]}`,
          20_000,
        );
      },
    );

    await t.step("deleting the Deployment removes its ReplicaSets and pods", async () => {
      await k(["delete", "deployment", "web"]);
      await waitFor(
        "no web ReplicaSets or pods",
        async () => lines(await k(["get", "rs,pods", "-l", "app=web", "-o", "name"])).length === 0,
        30_000,
      );
    });

    await t.step("a node that stops heartbeating turns NotReady", async () => {
      const silent = nodes.simulation.nodeNames[2];
      await nodes.simulation.stopNode(silent);
      await waitFor(
        `${silent} NotReady`,
        async () => (await k(["get", "node", silent, "--no-headers"])).includes("NotReady"),
        20_000,
      );
    });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
