/**
 * Leader election as a user sees it with kubectl: the server holds the kube-controller-manager
 * and kube-scheduler Leases in kube-system as `<node-name>_<id>`, announces it with
 * LeaderElection events, releases them on a graceful stop and takes them back after a restart
 * on the same data dir — after a `kill -9` too, at once, by recognising its own identity — and
 * its controllers and scheduler work again.
 */
import type { KubeObject } from "../kube/types.ts";
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { freePort, runKubectl, startTestCluster } from "./helpers/cluster.ts";
import { waitFor } from "./helpers/wait.ts";
import { spawnServerProcess } from "./helpers/server_process.ts";

const NODE = "leader-e2e";
const LEASES = ["kube-controller-manager", "kube-scheduler"];

type Kubectl = (args: string[]) => Promise<string>;

/** The kube-system Leases by name. */
async function leases(kubectl: Kubectl): Promise<Map<string, KubeObject>> {
  const list = JSON.parse(await kubectl(["get", "lease", "-n", "kube-system", "-o", "json"]));
  return new Map((list.items as KubeObject[]).map((l) => [l.metadata.name!, l]));
}

/** Waits until `identity` holds both control-plane Leases; returns them. */
async function heldBy(kubectl: Kubectl, identity: string): Promise<Map<string, KubeObject>> {
  return await waitFor(`${identity} to hold ${LEASES.join(" and ")}`, async () => {
    const found = await leases(kubectl);
    return LEASES.every((name) => found.get(name)?.spec.holderIdentity === identity) && found;
  }, 30_000);
}

/** Waits until a Deployment created now gets a ReplicaSet and the scheduler answers its pods. */
async function controllersWork(kubectl: Kubectl, name: string): Promise<void> {
  await kubectl(["create", "deployment", name, "--image=nginx"]);
  await waitFor(`a ReplicaSet for ${name}`, async () => {
    return (await kubectl(["get", "rs", "-l", `app=${name}`, "-o", "name"])).trim() !== "";
  }, 30_000);
  // No nodes: the scheduler, if it runs, says why the pod cannot be placed.
  await waitFor(`FailedScheduling for a pod of ${name}`, async () => {
    const events = JSON.parse(await kubectl(["get", "events", "-o", "json"]));
    return (events.items as KubeObject[]).some((e) =>
      e.reason === "FailedScheduling" && e.involvedObject.name.startsWith(`${name}-`)
    );
  }, 30_000);
}

async function identityIn(dataDir: string): Promise<string> {
  return `${NODE}_${(await Deno.readTextFile(`${dataDir}/server/leader-id`)).trim()}`;
}

Deno.test("leader election: the server holds the control-plane leases, releases them on stop and retakes them after a restart", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "k3ts-leader-" });
  const args = ["--https-listen-port", String(freePort()), "--node-name", NODE];
  try {
    const identity = await (async () => {
      await using first = await startTestCluster(args, dataDir);
      const identity = await identityIn(dataDir);
      const held = await heldBy(first.kubectlOk, identity);
      for (const name of LEASES) {
        assertEquals(held.get(name)!.spec.leaseDurationSeconds, 15);
        assertEquals(held.get(name)!.spec.leaseTransitions, 0);
      }
      const table = await first.kubectlOk(["get", "lease", "-n", "kube-system"]);
      for (const name of LEASES) {
        assertMatch(table, new RegExp(`^${name}\\s+${identity}\\s`, "m"));
      }
      await waitFor("LeaderElection events", async () => {
        const events = JSON.parse(
          await first.kubectlOk(["get", "events", "-n", "kube-system", "-o", "json"]),
        );
        const announced = (events.items as KubeObject[])
          .filter((e) => e.reason === "LeaderElection" && e.involvedObject.kind === "Lease")
          .map((e) => `${e.involvedObject.name}: ${e.message}`)
          .sort();
        return announced.join("\n") ===
          LEASES.map((name) => `${name}: ${identity} became leader`).join("\n");
      }, 30_000);
      await controllersWork(first.kubectlOk, "before");
      return identity;
    })();

    await using second = await startTestCluster(args, dataDir);
    assertEquals(await identityIn(dataDir), identity);
    const retaken = await heldBy(second.kubectlOk, identity);
    for (const name of LEASES) {
      // Released by the stop (no holder), then acquired anew: one transition.
      assertEquals(retaken.get(name)!.spec.leaseTransitions, 1, name);
    }
    await controllersWork(second.kubectlOk, "after");
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => undefined);
  }
});

Deno.test("leader election: after kill -9 the restarted server renews its own leases", async () => {
  const { dataDir, child } = await spawnServerProcess("k3ts-leader-kill-", ["--node-name", NODE]);
  const cacheDir = await Deno.makeTempDir({ prefix: "k3ts-kubectl-" });
  const kubeconfig = `${dataDir}/kubeconfig.yaml`;
  let killed = false;
  try {
    const kubectl: Kubectl = async (kubectlArgs) => {
      const result = await runKubectl(kubeconfig, cacheDir, kubectlArgs);
      if (result.code !== 0) throw new Error(`kubectl ${kubectlArgs.join(" ")}: ${result.stderr}`);
      return result.stdout;
    };
    await waitFor("the kubeconfig", () => Deno.stat(kubeconfig).then(() => true), 60_000);
    const identity = await waitFor("the leader id", () => identityIn(dataDir), 60_000);
    const before = await heldBy(kubectl, identity);
    child.kill("SIGKILL");
    killed = true;
    await child.status;

    // The leases still name the dead process's identity, valid for 15 s to anyone else.
    await using restarted = await startTestCluster(
      ["--https-listen-port", String(freePort()), "--node-name", NODE],
      dataDir,
    );
    const after = await heldBy(restarted.kubectlOk, identity);
    for (const name of LEASES) {
      // Renewed as its own, not taken over: the same acquireTime and no transition.
      assertEquals(after.get(name)!.spec.leaseTransitions, 0, name);
      assertEquals(after.get(name)!.spec.acquireTime, before.get(name)!.spec.acquireTime, name);
      assert(after.get(name)!.spec.renewTime > before.get(name)!.spec.renewTime, name);
    }
    await controllersWork(restarted.kubectlOk, "after-kill");
  } finally {
    if (!killed) {
      child.kill("SIGKILL");
      await child.status;
    }
    await Deno.remove(cacheDir, { recursive: true }).catch(() => undefined);
    await Deno.remove(dataDir, { recursive: true }).catch(() => undefined);
  }
});
