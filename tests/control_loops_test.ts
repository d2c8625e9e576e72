/**
 * The control loops as a user drives them with kubectl, on three simulated nodes: a Deployment
 * spreads its pods and rolls out, a rolling update keeps enough pods available (checked from
 * watch events), undo and scale work, an unschedulable pod gets FailedScheduling and runs once
 * a node fits (node selector, untolerated taint, not enough cpu), deleting the Deployment removes
 * its ReplicaSets and pods, and a node that stops heartbeating turns NotReady and tainted: its
 * pods are evicted after their tolerations and replaced elsewhere, and the Endpoints of their
 * Service keep listing only ready pods.
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

    const failedScheduling = (pod: string) =>
      k([
        "get",
        "events",
        "--field-selector",
        `involvedObject.name=${pod},reason=FailedScheduling`,
        "-o",
        "jsonpath={.items[*].message}",
      ]);
    const placement = (pod: string) =>
      k(["get", "pod", pod, "-o", "jsonpath={.status.phase} {.spec.nodeName}"]);

    await t.step(
      "a pod not tolerating a taint on every node waits until it is removed",
      async () => {
        await k(["taint", "nodes", "--all", "dedicated=special:NoSchedule"]);
        await k(["run", "shy", "--image=busybox"]);
        await waitFor("a FailedScheduling event for the taint", async () => {
          const events = await failedScheduling("shy");
          return events.includes(
            "0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: special}.",
          );
        }, 20_000);
        await k(["taint", "nodes", "--all", "dedicated-"]);
        await waitFor(
          "shy to run",
          async () => (await placement("shy")).startsWith("Running "),
          20_000,
        );
        await k(["delete", "pod", "shy"]);
      },
    );

    await t.step(
      "a pod needing more cpu than any node has waits for a node that fits",
      async () => {
        await k([
          "run",
          "hungry",
          "--image=busybox",
          "--overrides",
          JSON.stringify({
            spec: {
              containers: [{
                name: "hungry",
                image: "busybox",
                resources: { requests: { cpu: "6" } },
              }],
            },
          }),
        ]);
        await waitFor("a FailedScheduling event for cpu", async () => {
          const events = await failedScheduling("hungry");
          return events.includes("0/3 nodes are available: 3 Insufficient cpu.");
        }, 20_000);
        // A bigger node joins (the simulated ones have 4 cpus each).
        await using big = await simulateNodes(cluster, {
          nodes: 1,
          dataDir,
          namePrefix: "big",
          extra: ["--cpu", "8"],
        });
        const bigNode = big.simulation.nodeNames[0];
        await waitFor(
          "hungry to run on the big node",
          async () => (await placement("hungry")) === `Running ${bigNode}`,
          20_000,
        );
        await k(["delete", "pod", "hungry"]);
        await k(["delete", "node", bigNode]);
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

    await t.step(
      "a silent node turns NotReady and tainted; its pods are evicted and replaced; Endpoints follow",
      async () => {
        // Tolerations as a user shortens them: evicted 3 s after the node is found unreachable.
        const tolerations = ["node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready"].map(
          (key) => ({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 3 }),
        );
        await k(["create", "deployment", "api", "--image=nginx:1.27", "--replicas=6", "--port=80"]);
        await k([
          "patch",
          "deployment",
          "api",
          "--type=strategic",
          "-p",
          JSON.stringify({ spec: { template: { spec: { tolerations } } } }),
        ]);
        await k(["rollout", "status", "deployment/api", "--timeout=60s"]);
        await k(["expose", "deployment", "api", "--port=80"]);
        const readyPods = async (node?: string) => {
          const pods = JSON.parse(await k(["get", "pods", "-l", "app=api", "-o", "json"]))
            .items as KubeObject[];
          return pods.filter((p) =>
            !p.metadata.deletionTimestamp && (node === undefined || p.spec?.nodeName === node) &&
            p.status?.conditions?.some((c: { type: string; status: string }) =>
              c.type === "Ready" && c.status === "True"
            )
          ).map((p) => p.status!.podIP as string).sort();
        };
        const addresses = async () =>
          lines(
            await k([
              "get",
              "endpoints",
              "api",
              "-o",
              'jsonpath={range .subsets[*].addresses[*]}{.ip}{"\\n"}{end}',
            ]),
          ).sort();
        await waitFor(
          "Endpoints with the 6 ready pods",
          async () => JSON.stringify(await addresses()) === JSON.stringify(await readyPods()),
          20_000,
        );

        const silent = nodes.simulation.nodeNames[2];
        const silentIps = await readyPods(silent);
        assert(silentIps.length > 0, `pods on ${silent}`);
        // Every Endpoints change from now on: once a silent pod's IP left the ready
        // addresses, it must not come back.
        const endpointEvents: string[][] = [];
        const stop = new AbortController();
        const watching = (async () => {
          for await (
            const event of watchStore(
              cluster.server.stores.forKind("", "Endpoints"),
              cluster.server.backend,
              "default",
              { signal: stop.signal, fieldSelector: "metadata.name=api" },
            )
          ) {
            const subsets = ((event.object as KubeObject).subsets ?? []) as {
              addresses?: { ip: string }[];
            }[];
            endpointEvents.push(subsets.flatMap((s) => (s.addresses ?? []).map((a) => a.ip)));
          }
        })().catch(() => {});

        await nodes.simulation.stopNode(silent);
        await waitFor(
          `${silent} NotReady`,
          async () => (await k(["get", "node", silent, "--no-headers"])).includes("NotReady"),
          20_000,
        );
        await waitFor(`${silent} tainted unreachable`, async () => {
          const taints = await k([
            "get",
            "node",
            silent,
            "-o",
            'jsonpath={range .spec.taints[*]}{.key}:{.effect}{"\\n"}{end}',
          ]);
          return ["NoSchedule", "NoExecute"].every((effect) =>
            lines(taints).includes(`node.kubernetes.io/unreachable:${effect}`)
          );
        }, 20_000);
        // The pods on it are evicted after their toleration and replaced on the other nodes.
        await waitFor("6 ready api pods on the other nodes", async () => {
          const ready = await readyPods();
          const onSilent = await readyPods(silent);
          return ready.length === 6 && onSilent.length === 0;
        }, 40_000);
        const evicted = await k([
          "get",
          "events",
          "--field-selector",
          "reason=TaintManagerEviction",
          "-o",
          "jsonpath={.items[*].involvedObject.name}",
        ]);
        assert(evicted.trim() !== "", "TaintManagerEviction events");
        await waitFor(
          "Endpoints with the 6 ready replacements",
          async () => JSON.stringify(await addresses()) === JSON.stringify(await readyPods()),
          20_000,
        );
        stop.abort();
        await watching;
        const left = endpointEvents.findIndex((ips) => silentIps.every((ip) => !ips.includes(ip)));
        assert(left >= 0, "the silent node's pods left the Endpoints");
        for (const ips of endpointEvents.slice(left)) {
          assert(silentIps.every((ip) => !ips.includes(ip)), `back in the Endpoints: ${ips}`);
        }
      },
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
