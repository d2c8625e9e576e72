import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { runLoop } from "../../tests/helpers/loops.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import { silentLogger } from "../log.ts";
import { PodCidrAllocator, startNodeIpam } from "./node_ipam.ts";

Deno.test("pod CIDR allocator: round-robin subnets, occupied ones skipped, none past the end", () => {
  const allocator = new PodCidrAllocator("10.42.1.7/22", 24);
  assertEquals(allocator.clusterCidr, "10.42.0.0/22");
  assertEquals(allocator.capacity, 4);
  assert(allocator.occupy("10.42.1.0/24"));
  assertEquals(allocator.allocate(), "10.42.0.0/24");
  assertEquals(allocator.allocate(), "10.42.2.0/24");
  allocator.release("10.42.0.0/24");
  // Round-robin: the subnet just released comes last.
  assertEquals(allocator.allocate(), "10.42.3.0/24");
  assertEquals(allocator.allocate(), "10.42.0.0/24");
  assertEquals(allocator.allocate(), undefined, "the range is full");
  assertEquals(allocator.used, 4);
  assertEquals(allocator.occupy("10.43.0.0/24"), false, "outside the range");
  assertEquals(allocator.occupy("10.42.0.0/25"), false, "not a node subnet");
});

Deno.test("pod CIDR allocator: refuses a range smaller than one subnet", () => {
  let message = "";
  try {
    new PodCidrAllocator("10.42.0.0/25", 24);
  } catch (error) {
    message = (error as Error).message;
  }
  assert(message.includes("does not fit"), message);
});

function node(name: string, podCIDR?: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name },
    ...(podCIDR ? { spec: { podCIDR, podCIDRs: [podCIDR] } } : {}),
  };
}

async function cidrOf(stores: StoreSet, name: string): Promise<string | undefined> {
  const found = await stores.forKind("", "Node").find(undefined, name);
  return found?.spec?.podCIDR;
}

function run(stores: StoreSet, clusterCidr: string) {
  return runLoop((signal) =>
    startNodeIpam(stores, { clusterCidr, signal, logger: silentLogger, retryMs: 20 })
  );
}

Deno.test("node IPAM: each node gets its own /24 in podCIDR and podCIDRs, kept across restarts", async () => {
  await using test = await openTestStores();
  const nodes = test.stores.forKind("", "Node");
  await nodes.create(undefined, node("a"));
  // Set before the controller ever ran (an earlier server, an administrator): it stands.
  await nodes.create(undefined, node("b", "10.42.0.0/24"));
  {
    await using _ipam = run(test.stores, "10.42.0.0/16");
    const a = await waitFor("a's CIDR", () => cidrOf(test.stores, "a"));
    assertEquals(a, "10.42.1.0/24");
    const stored = await nodes.get(undefined, "a");
    assertEquals(stored.spec.podCIDRs, ["10.42.1.0/24"]);
    await nodes.create(undefined, node("c"));
    assertEquals(await waitFor("c's CIDR", () => cidrOf(test.stores, "c")), "10.42.2.0/24");
  }

  // A restart rebuilds the used set from the Nodes: no subnet is handed out twice.
  const stores = await test.reopen();
  await using _ipam = run(stores, "10.42.0.0/16");
  await stores.forKind("", "Node").create(undefined, node("d"));
  const d = await waitFor("d's CIDR", () => cidrOf(stores, "d"));
  assertEquals(d, "10.42.3.0/24");
  assertEquals(await cidrOf(stores, "a"), "10.42.1.0/24", "never changes");
});

Deno.test("node IPAM: a deleted node's subnet is released and reused once the range is full", async () => {
  await using test = await openTestStores();
  const nodes = test.stores.forKind("", "Node");
  await using _ipam = run(test.stores, "10.42.0.0/23");
  await nodes.create(undefined, node("a"));
  await nodes.create(undefined, node("b"));
  assertEquals(await waitFor("a's CIDR", () => cidrOf(test.stores, "a")), "10.42.0.0/24");
  assertEquals(await waitFor("b's CIDR", () => cidrOf(test.stores, "b")), "10.42.1.0/24");

  // The range is full: c waits...
  await nodes.create(undefined, node("c"));
  // ...until a goes, then it gets a's subnet.
  await nodes.delete(undefined, "a");
  assertEquals(await waitFor("c's CIDR", () => cidrOf(test.stores, "c")), "10.42.0.0/24");
});

Deno.test("node IPAM: an administrator cannot change a node's subnet once set", async () => {
  await using test = await openTestStores();
  const nodes = test.stores.forKind("", "Node");
  await using _ipam = run(test.stores, "10.42.0.0/16");
  await nodes.create(undefined, node("a"));
  await waitFor("a's CIDR", () => cidrOf(test.stores, "a"));
  const changed = await nodes.patch(undefined, "a", "merge", {
    spec: { podCIDR: "10.42.9.0/24", podCIDRs: ["10.42.9.0/24"] },
  }).then(() => "accepted", (error: Error) => error.message);
  assert(changed.includes("may not change podCIDR"), changed);
});
