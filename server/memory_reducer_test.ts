import assert from "node:assert/strict";
import { MAX_REDUCED_HEAP_BYTES, startMemoryReducer } from "./memory_reducer.ts";
import { waitFor } from "../tests/helpers/wait.ts";

Deno.test("memory reducer: once after start-up, then once per quiet period that followed activity", async () => {
  const stop = new AbortController();
  let activity = 0;
  let collections = 0;
  let checks = 0;
  const stopped = startMemoryReducer({
    activity: () => (checks++, activity),
    signal: stop.signal,
    quietPeriodMs: 5,
    collect: () => collections++,
    heapUsed: () => 0,
  });
  try {
    await waitFor("the start-up reduction", () => collections === 1);
    // Quiet periods with no activity since the last reduction: nothing to give back.
    const before = checks;
    await waitFor("three quiet checks", () => checks >= before + 3);
    assert.equal(collections, 1);

    // Activity, then quiet: one more reduction, and only one.
    activity++;
    await waitFor("the reduction after activity", () => collections === 2);
    const after = checks;
    await waitFor("three more quiet checks", () => checks >= after + 3);
    assert.equal(collections, 2);
  } finally {
    stop.abort();
    await stopped;
  }
});

Deno.test("memory reducer: never while every period has activity", async () => {
  const stop = new AbortController();
  let activity = 0;
  let collections = 0;
  let checks = 0;
  const stopped = startMemoryReducer({
    activity: () => (checks++, activity++),
    signal: stop.signal,
    quietPeriodMs: 5,
    collect: () => collections++,
    heapUsed: () => 0,
  });
  try {
    await waitFor("five busy checks", () => checks >= 6);
    assert.equal(collections, 1); // the start-up one
  } finally {
    stop.abort();
    await stopped;
  }
});

Deno.test("memory reducer: not on a heap too large to collect without a long pause", async () => {
  const stop = new AbortController();
  let collections = 0;
  let checks = 0;
  let activity = 0;
  const stopped = startMemoryReducer({
    activity: () => (checks++, activity),
    signal: stop.signal,
    quietPeriodMs: 5,
    collect: () => collections++,
    heapUsed: () => MAX_REDUCED_HEAP_BYTES + 1,
  });
  try {
    activity++;
    await waitFor("quiet checks after activity", () => checks >= 4);
    assert.equal(collections, 0);
  } finally {
    stop.abort();
    await stopped;
  }
});

Deno.test("memory reducer: without an exposed gc it does nothing and returns", async () => {
  const stop = new AbortController();
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (exposed) return; // this process runs with --expose-gc: the case cannot be set up here
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    startMemoryReducer({ activity: () => 0, signal: stop.signal }).then(() => "returned"),
    new Promise((resolve) => deadline = setTimeout(() => resolve("still running"), 5_000)),
  ]);
  clearTimeout(deadline);
  stop.abort();
  assert.equal(outcome, "returned");
});
