import { assertEquals } from "../../tests/helpers/assert.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import { SchedulingQueue } from "./queue.ts";
import { testPod } from "./_test_objects.ts";

function names(queue: SchedulingQueue): string[] {
  const out: string[] = [];
  for (let entry = queue.tryPop(); entry; entry = queue.tryPop()) {
    out.push(entry.pod.metadata.name!);
  }
  return out;
}

Deno.test("queue: higher priority first, then first come", () => {
  using queue = disposable(new SchedulingQueue());
  queue.add(testPod("a"));
  queue.add(testPod("b", { priority: 100 }));
  queue.add(testPod("c"));
  queue.add(testPod("d", { priority: 100 }));
  assertEquals(names(queue), ["b", "d", "a", "c"]);
});

Deno.test("queue: unschedulable pods wait for a cluster change, then their back-off", () => {
  let now = 1_000_000;
  using queue = disposable(new SchedulingQueue({ now: () => now }));
  queue.add(testPod("p"));
  const entry = queue.tryPop()!;
  queue.unschedulable(entry);
  assertEquals(queue.tryPop(), undefined);
  // Nothing changed: it stays put; a change after the back-off (1 s) makes it active.
  now += 1500;
  queue.moveAllUnschedulable();
  assertEquals(names(queue), ["p"]);
  // The second failure backs off 2 s: a change 1 s later parks it in back-off.
  queue.unschedulable(entry);
  now += 1000;
  queue.moveAllUnschedulable();
  assertEquals(queue.get(entry.uid)?.state, "backoff");
  assertEquals(queue.tryPop(), undefined);
});

Deno.test("queue: back-off ends by itself", async () => {
  using queue = disposable(new SchedulingQueue({ initialBackoffMs: 20 }));
  queue.add(testPod("p"));
  queue.retry(queue.tryPop()!);
  assertEquals(queue.tryPop(), undefined);
  const entry = await waitFor("back-off to end", () => queue.tryPop(), 5_000);
  assertEquals(entry.pod.metadata.name, "p");
});

Deno.test("queue: unschedulable pods are retried after the leftover timeout", async () => {
  using queue = disposable(
    new SchedulingQueue({ initialBackoffMs: 1, maxUnschedulableMs: 30 }),
  );
  queue.add(testPod("p"));
  queue.unschedulable(queue.tryPop()!);
  const entry = await waitFor("leftover flush", () => queue.tryPop(), 5_000);
  assertEquals(entry.attempts, 1);
});

Deno.test("queue: a spec change makes an unschedulable pod active; a status change does not", () => {
  let now = 1_000_000;
  using queue = disposable(new SchedulingQueue({ now: () => now }));
  const pod = testPod("p");
  queue.add(pod);
  queue.unschedulable(queue.tryPop()!);
  now += 5000;
  queue.add({ ...pod, status: { conditions: [{ type: "PodScheduled", status: "False" }] } });
  assertEquals(queue.tryPop(), undefined);
  queue.add({ ...pod, spec: { ...pod.spec, nodeSelector: { a: "b" } } });
  assertEquals(names(queue), ["p"]);
});

Deno.test("queue: gated pods wait until their gates are gone", () => {
  using queue = disposable(new SchedulingQueue());
  const pod = testPod("p", { schedulingGates: [{ name: "example.com/wait" }] });
  queue.add(pod);
  queue.moveAllUnschedulable();
  assertEquals(queue.tryPop(), undefined);
  queue.add({ ...pod, spec: { ...pod.spec, schedulingGates: [] } });
  assertEquals(names(queue), ["p"]);
});

Deno.test("queue: deleted pods leave; pop waits for the next pod", async () => {
  using queue = disposable(new SchedulingQueue());
  const gone = testPod("gone");
  queue.add(gone);
  queue.delete(gone.metadata.uid!);
  assertEquals(queue.tryPop(), undefined);
  const abort = new AbortController();
  const next = queue.pop(abort.signal);
  queue.add(testPod("next"));
  assertEquals((await next)?.pod.metadata.name, "next");
  abort.abort();
  assertEquals(await queue.pop(abort.signal), undefined);
});

function disposable(queue: SchedulingQueue): SchedulingQueue & Disposable {
  return Object.assign(queue, { [Symbol.dispose]: () => queue.close() });
}
