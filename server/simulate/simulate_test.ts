/**
 * `k3ts simulate` against a real server: nodes join through the supervisor, register and stay
 * Ready, run pods with IPs from their pod CIDRs, finish pods that exit, confirm deletions, and
 * turn Unknown once silenced — all checked with kubectl, as a user would.
 *
 * @module
 */
import { assert, assertEquals, assertStringIncludes } from "../../tests/helpers/assert.ts";
import { startTestCluster, type TestCluster } from "../../tests/helpers/cluster.ts";
import { simulateNodes } from "../../tests/helpers/simulated_nodes.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import { ipv4Range } from "../apiserver/ip_range.ts";
import type { Logger } from "../log.ts";
import { formatJoinToken, parseJoinToken } from "../tls/mod.ts";
import { nodePasswordPath } from "./node_password.ts";
import { runSimulate } from "./run.ts";

/** Two simulated nodes, `sim-0` and `sim-1`, until disposed. */
function simulate(cluster: TestCluster, dataDir: string, extra: string[] = []) {
  return simulateNodes(cluster, { nodes: 2, dataDir, extra });
}

/** A logger that keeps every message and its fields as one line. */
function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (msg: string, fields?: Record<string, unknown>) =>
    lines.push(`${msg} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: keep, info: keep, warn: keep, error: keep };
}

const jsonpath = (cluster: TestCluster, args: string[], path: string) =>
  cluster.kubectlOk([...args, "-o", `jsonpath=${path}`]);

Deno.test({
  name: "simulate: two nodes join, run pods from their CIDRs, and turn Unknown when silenced",
  async fn() {
    // A short grace period, so a silenced node turns Unknown quickly.
    await using cluster = await startTestCluster(["--node-monitor-grace-period", "2"]);
    const dataDir = await Deno.makeTempDir({ prefix: "k3ts-simulate-" });
    try {
      await using run = await simulate(cluster, dataDir);
      assertEquals(run.simulation.nodeNames, ["sim-0", "sim-1"]);

      const table = await waitFor("both nodes Ready in kubectl get nodes", async () => {
        const out = await cluster.kubectlOk(["get", "nodes", "-l", "node.k3ts.io/simulated=true"]);
        return /sim-0\s+Ready\s/.test(out) && /sim-1\s+Ready\s/.test(out) && out;
      });
      assertStringIncludes(table, "v1.32.4+k3ts");
      const capacity = await jsonpath(
        cluster,
        ["get", "node", "sim-0"],
        "{.status.capacity.cpu} {.status.capacity.memory} {.status.capacity.pods}",
      );
      assertEquals(capacity, "4 16Gi 110");
      const cidr = await waitFor("sim-0's pod CIDR", async () => {
        return await jsonpath(cluster, ["get", "node", "sim-0"], "{.spec.podCIDR}") || undefined;
      });
      assert(/^10\.42\.\d+\.0\/24$/.test(cidr), cidr);
      assert(
        await cluster.kubectl(["get", "lease", "-n", "kube-node-lease", "sim-0"]).then((r) =>
          r.code === 0
        ),
        "the node's lease exists",
      );

      // A pod bound to sim-0 runs there with an IP from its CIDR.
      await cluster.kubectlOk(["apply", "-f", "-"], {
        stdin: JSON.stringify({
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "web", namespace: "default" },
          spec: { nodeName: "sim-0", containers: [{ name: "web", image: "nginx" }] },
        }),
      });
      const ip = await waitFor("web Running with an IP", async () => {
        const [phase, podIp, ready] = (await jsonpath(
          cluster,
          ["get", "pod", "web"],
          '{.status.phase} {.status.podIP} {.status.conditions[?(@.type=="Ready")].status}',
        )).split(" ");
        return phase === "Running" && ready === "True" && podIp;
      });
      assert(ipv4Range(cidr).contains(ip), `${ip} is in ${cidr}`);
      assertStringIncludes(await cluster.kubectlOk(["get", "pod", "web"]), "1/1     Running");

      // Pods that exit on their own finish: 0 → Succeeded, the annotation's code → Failed.
      for (const [name, code] of [["done", "0"], ["broken", "3"]]) {
        await cluster.kubectlOk(["apply", "-f", "-"], {
          stdin: JSON.stringify({
            apiVersion: "v1",
            kind: "Pod",
            metadata: {
              name,
              namespace: "default",
              annotations: { "simulate.k3ts.io/exit-code": code },
            },
            spec: {
              nodeName: "sim-1",
              restartPolicy: "Never",
              containers: [{ name: "main", image: "busybox" }],
            },
          }),
        });
      }
      await waitFor("done Succeeded", async () => {
        return await jsonpath(cluster, ["get", "pod", "done"], "{.status.phase}") === "Succeeded";
      });
      const failed = await waitFor("broken Failed", async () => {
        const out = await jsonpath(
          cluster,
          ["get", "pod", "broken"],
          "{.status.phase} {.status.containerStatuses[0].state.terminated.exitCode}",
        );
        return out.startsWith("Failed") && out;
      });
      assertEquals(failed, "Failed 3");

      // Deleting a running pod: the node confirms it (grace 0), so it goes for good. Upstream's
      // Node authoriser lets a kubelet delete pods bound to it; until ours does, the pod stays
      // Terminating, as on a node whose kubelet is gone.
      const mayDelete = await cluster.kubectl([
        "auth",
        "can-i",
        "delete",
        "pods/web",
        "--as=system:node:sim-0",
        "--as-group=system:nodes",
      ]);
      await cluster.kubectlOk(["delete", "pod", "web", "--wait=false"]);
      if (mayDelete.stdout.trim() === "yes") {
        await waitFor("web gone", async () => {
          const result = await cluster.kubectl(["get", "pod", "web"]);
          return result.code !== 0 && result.stderr.includes("NotFound");
        });
      } else {
        assertStringIncludes(await cluster.kubectlOk(["get", "pod", "web"]), "Terminating");
      }

      // Silence sim-1: after the grace period it is NotReady (Unknown) and unreachable.
      await run.simulation.stopNode("sim-1");
      await waitFor("sim-1 NotReady", async () => {
        const out = await cluster.kubectlOk(["get", "nodes"]);
        return /sim-1\s+NotReady\s/.test(out) && /sim-0\s+Ready\s/.test(out);
      }, 20_000);
      const ready = await jsonpath(
        cluster,
        ["get", "node", "sim-1"],
        '{.status.conditions[?(@.type=="Ready")].status} {.spec.taints[*].key}',
      );
      assertEquals(
        ready,
        "Unknown node.kubernetes.io/unreachable node.kubernetes.io/unreachable",
      );
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "simulate: nodes keep their passwords across runs; a wrong CA or password is refused",
  async fn() {
    await using cluster = await startTestCluster();
    const dataDir = await Deno.makeTempDir({ prefix: "k3ts-simulate-" });
    try {
      {
        await using _first = await simulate(cluster, dataDir);
      }
      // The same data dir joins again with the same passwords and takes its Nodes back; this
      // time every node watches its own pods, as kubelets do.
      {
        await using again = await simulate(cluster, dataDir, ["--pod-watch", "per-node"]);
        assertEquals(again.simulation.nodeNames, ["sim-0", "sim-1"]);
        await cluster.kubectlOk(["apply", "-f", "-"], {
          stdin: JSON.stringify({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "again", namespace: "default" },
            spec: { nodeName: "sim-1", containers: [{ name: "main", image: "nginx" }] },
          }),
        });
        await waitFor("the pod Running on the rejoined node", async () => {
          return await jsonpath(cluster, ["get", "pod", "again"], "{.status.phase}") === "Running";
        });
      }

      // Another password for an existing node: the supervisor refuses, nothing runs.
      await Deno.writeTextFile(nodePasswordPath(dataDir, "sim-0"), "not-the-password\n");
      const refusedLog = capturingLogger();
      const refused = await runSimulate([
        "--nodes=1",
        `--server=${cluster.server.url}`,
        `--token=${cluster.server.token}`,
        `--data-dir=${dataDir}`,
        "--name-prefix=sim",
      ], { logger: refusedLog, signal: new AbortController().signal });
      assertEquals(refused, 1);
      assertStringIncludes(refusedLog.lines.join("\n"), "403 Node password rejected");

      // A token naming another cluster's CA is refused before any credential is sent.
      const wrongCa = formatJoinToken({
        ...parseJoinToken(cluster.server.token),
        caHash: "0".repeat(64),
      });
      const mismatchLog = capturingLogger();
      const mismatch = await runSimulate([
        "--nodes=1",
        `--server=${cluster.server.url}`,
        `--token=${wrongCa}`,
        `--data-dir=${dataDir}`,
        "--name-prefix=other",
      ], { logger: mismatchLog, signal: new AbortController().signal });
      assertEquals(mismatch, 1);
      assertStringIncludes(mismatchLog.lines.join("\n"), "does not match the hash in the token");
      const other = await cluster.kubectl(["get", "node", "other-0"]);
      assert(other.code !== 0, "no node was created");
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
