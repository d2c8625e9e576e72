import { assertEquals } from "../../tests/helpers/assert.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import { silentLogger } from "../logger.ts";
import { controllerRunOptions, WorkQueue } from "./workqueue.ts";

Deno.test("workqueue: a key waiting is held once, however often it is added", async () => {
  const queue = new WorkQueue();
  queue.add("a");
  queue.add("b");
  queue.add("a");
  assertEquals(queue.length, 2);
  const seen: string[] = [];
  const stop = new AbortController();
  const running = queue.run((key) => {
    seen.push(key);
    if (seen.length === 2) stop.abort();
    return Promise.resolve();
  }, { signal: stop.signal, logger: silentLogger, name: "test" });
  await running;
  assertEquals(seen, ["a", "b"]);
});

Deno.test("workqueue: a key added while processed runs again after, never twice at once", async () => {
  const queue = new WorkQueue();
  const stop = new AbortController();
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  let release!: () => void;
  const firstHeld = new Promise<void>((resolve) => release = resolve);
  const done = queue.run(async () => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    runs++;
    if (runs === 1) await firstHeld;
    running--;
  }, { signal: stop.signal, logger: silentLogger, name: "test", workers: 4 });
  queue.add("k");
  await waitFor("first run started", () => runs === 1);
  queue.add("k");
  queue.add("k");
  release();
  await waitFor("second run", () => runs === 2);
  stop.abort();
  await done;
  assertEquals(maxRunning, 1);
  assertEquals(runs, 2);
});

Deno.test("workqueue: a failing key is retried with a growing back-off, then forgotten", async () => {
  const queue = new WorkQueue({ baseRetryMs: 1, maxRetryMs: 4 });
  const stop = new AbortController();
  const retriesSeen: number[] = [];
  const done = queue.run((key) => {
    retriesSeen.push(queue.retries(key));
    if (retriesSeen.length < 4) return Promise.reject(new Error("not yet"));
    stop.abort();
    return Promise.resolve();
  }, { signal: stop.signal, logger: silentLogger, name: "test" });
  queue.add("k");
  await done;
  assertEquals(retriesSeen, [0, 1, 2, 3]);
  assertEquals(queue.retries("k"), 0, "success forgets the back-off");
});

Deno.test("workqueue: addAfter delays, the earlier of two delays wins, stop clears timers", async () => {
  const queue = new WorkQueue();
  const stop = new AbortController();
  const seen: string[] = [];
  const done = queue.run((key) => {
    seen.push(key);
    return Promise.resolve();
  }, { signal: stop.signal, logger: silentLogger, name: "test" });
  queue.addAfter("later", 60_000);
  queue.addAfter("soon", 60_000);
  queue.addAfter("soon", 1);
  await waitFor("soon ran", () => seen.includes("soon"));
  assertEquals(seen, ["soon"]);
  stop.abort();
  await done;
  queue.add("after-stop");
  assertEquals(queue.length, 0);
});

Deno.test("workqueue: workers wait for startAfter; when it rejects, none start", async () => {
  const queue = new WorkQueue();
  const stop = new AbortController();
  const seen: string[] = [];
  let synced!: () => void;
  const caches = new Promise<void>((resolve) => synced = resolve);
  const options = { signal: stop.signal, logger: silentLogger };
  const done = queue.run((key) => {
    seen.push(key);
    return Promise.resolve();
  }, controllerRunOptions("test", options, caches));
  queue.add("k");
  // One turn of the event loop: a free worker takes a key without any timer, so it would have
  // taken this one by now. It waits in the queue until the caches have synced.
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals([seen, queue.length], [[], 1]);
  synced();
  await waitFor("k ran", () => seen.includes("k"));
  stop.abort();
  await done;

  const never = new WorkQueue();
  const aborted = new AbortController();
  never.add("k");
  const stopped = never.run(() => Promise.reject(new Error("must not run")), {
    signal: aborted.signal,
    logger: silentLogger,
    name: "test",
    startAfter: Promise.reject(new Error("stopped before the caches synced")),
  });
  aborted.abort();
  await stopped;
  assertEquals(never.length, 1);
});
