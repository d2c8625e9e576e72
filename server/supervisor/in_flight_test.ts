import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { AGENT_IN_FLIGHT_LIMITS, createInFlightLimiter, tooManyRequests } from "./in_flight.ts";

const get = () => new Request("https://x/v1-k3s/config");
const post = () => new Request("https://x/v1-k3s/client-kubelet.crt", { method: "POST" });
const agent = { name: "node", groups: ["k3s:agent"] };

Deno.test("in-flight: K3s's limits are 20 reads and 10 mutating requests", () => {
  assertEquals(AGENT_IN_FLIGHT_LIMITS, { read: 20, mutating: 10 });
  const limiter = createInFlightLimiter();
  const reads = Array.from({ length: 20 }, () => limiter.tryAcquire(get(), agent));
  const writes = Array.from({ length: 10 }, () => limiter.tryAcquire(post(), agent));
  assert(reads.every((r) => r !== undefined) && writes.every((w) => w !== undefined));
  assertEquals(limiter.tryAcquire(get(), agent), undefined);
  assertEquals(limiter.tryAcquire(post(), agent), undefined);
  assertEquals(limiter.inFlight(), { read: 20, mutating: 10 });
});

Deno.test("in-flight: kinds are counted apart; a release frees one slot once", () => {
  const limiter = createInFlightLimiter({ read: 1, mutating: 1 });
  const read = limiter.tryAcquire(get(), agent)!;
  assertEquals(limiter.tryAcquire(get(), agent), undefined);
  const write = limiter.tryAcquire(post(), agent);
  assert(write !== undefined, "a full read budget does not block writes");
  read();
  read();
  assertEquals(limiter.inFlight(), { read: 0, mutating: 1 });
  assert(limiter.tryAcquire(get(), agent) !== undefined);
  assertEquals(limiter.tryAcquire(get(), agent), undefined);
});

Deno.test("in-flight: system:masters is never limited, as upstream", () => {
  const limiter = createInFlightLimiter({ read: 0, mutating: 0 });
  const admin = { name: "system:admin", groups: ["system:masters"] };
  assert(limiter.tryAcquire(post(), admin) !== undefined);
  assertEquals(limiter.tryAcquire(post(), agent), undefined);
});

Deno.test("in-flight: 429 carries Retry-After: 1 and upstream's text", async () => {
  const response = tooManyRequests();
  assertEquals(response.status, 429);
  assertEquals(response.headers.get("retry-after"), "1");
  assertEquals(await response.text(), "Too many requests, please try again later.\n");
});
