import assert from "node:assert/strict";
import { MAX_REDUCED_HEAP_BYTES, startMemoryReducer } from "./memory_reducer.ts";
import { waitFor, withDeadline } from "../tests/helpers/wait.ts";

/**
 * A reducer with 5 ms quiet periods over `activity`, counting its collections and its checks of
 * the activity count; `heapUsed` is what it reads as the heap in use (0 unless given).
 */
function reducerUnderTest(activity: () => number, heapUsed = 0) {
  const stop = new AbortController();
  const counts = { collections: 0, checks: 0 };
  const stopped = startMemoryReducer({
    activity: () => (counts.checks++, activity()),
    signal: stop.signal,
    quietPeriodMs: 5,
    collect: () => counts.collections++,
    heapUsed: () => heapUsed,
  });
  return {
    counts,
    /** Resolves once `n` more quiet checks have run. */
    checksFurther: (n: number) => {
      const from = counts.checks;
      return waitFor(`${n} more checks`, () => counts.checks >= from + n);
    },
    async stop() {
      stop.abort();
      await stopped;
    },
  };
}

Deno.test("memory reducer: once after start-up, then once per quiet period that followed activity", async () => {
  let activity = 0;
  const reducer = reducerUnderTest(() => activity);
  try {
    await waitFor("the start-up reduction", () => reducer.counts.collections === 1);
    // Quiet periods with no activity since the last reduction: nothing to give back.
    await reducer.checksFurther(3);
    assert.equal(reducer.counts.collections, 1);

    // Activity, then quiet: one more reduction, and only one.
    activity++;
    await waitFor("the reduction after activity", () => reducer.counts.collections === 2);
    await reducer.checksFurther(3);
    assert.equal(reducer.counts.collections, 2);
  } finally {
    await reducer.stop();
  }
});

Deno.test("memory reducer: never while every period has activity", async () => {
  let activity = 0;
  const reducer = reducerUnderTest(() => activity++);
  try {
    await reducer.checksFurther(6);
    assert.equal(reducer.counts.collections, 1); // the start-up one
  } finally {
    await reducer.stop();
  }
});

Deno.test("memory reducer: not on a heap too large to collect without a long pause", async () => {
  let activity = 0;
  const reducer = reducerUnderTest(() => activity, MAX_REDUCED_HEAP_BYTES + 1);
  try {
    // Past the start-up reduction, then activity and quiet periods after it.
    await reducer.checksFurther(1);
    activity++;
    await reducer.checksFurther(3);
    assert.equal(reducer.counts.collections, 0);
  } finally {
    await reducer.stop();
  }
});

Deno.test({
  name: "memory reducer: without an exposed gc it does nothing and returns",
  // A process run with --expose-gc cannot set this case up: reported as ignored, not passed.
  ignore: (globalThis as { gc?: unknown }).gc !== undefined,
  async fn() {
    const stop = new AbortController();
    try {
      await withDeadline(
        startMemoryReducer({ activity: () => 0, signal: stop.signal }),
        5_000,
        "the memory reducer was still running after 5 s",
      );
    } finally {
      stop.abort();
    }
  },
});
