import { assertEquals } from "../../tests/helpers/assert.ts";
import { PodIpPool } from "./pod_ips.ts";

Deno.test("pod IPs: from .2, one per pod, round-robin, never the bridge or broadcast", () => {
  const pool = new PodIpPool("10.42.3.0/24");
  assertEquals(pool.cidr, "10.42.3.0/24");
  assertEquals(pool.take("a"), "10.42.3.2");
  assertEquals(pool.take("a"), "10.42.3.2", "a pod keeps its IP");
  assertEquals(pool.take("b"), "10.42.3.3");
  pool.release("a");
  assertEquals(pool.take("c"), "10.42.3.4", "a freed IP is not reused at once");
  assertEquals(pool.size, 2);
});

Deno.test("pod IPs: a /30 holds one pod; held IPs are taken back after a restart", () => {
  const small = new PodIpPool("10.42.0.0/30");
  assertEquals(small.take("a"), "10.42.0.2");
  assertEquals(small.take("b"), undefined, ".3 is the broadcast address");

  const pool = new PodIpPool("10.42.3.0/24");
  assertEquals(pool.hold("a", "10.42.3.2"), true);
  assertEquals(pool.hold("b", "10.42.3.2"), false, "another pod's IP");
  assertEquals(pool.hold("b", "10.42.3.1"), false, "the bridge");
  assertEquals(pool.hold("b", "10.42.4.7"), false, "another node's range");
  assertEquals(pool.take("b"), "10.42.3.3");
});
