import assert from "node:assert/strict";
import { DurablePipeline } from "./durable_pipeline.ts";

/** A sync the test finishes by hand, recording how many ran. */
function manualSync() {
  const finishers: ((error?: Error) => void)[] = [];
  return {
    started: () => finishers.length,
    sync: () =>
      new Promise<void>((resolve, reject) => {
        finishers.push((error) => error ? reject(error) : resolve());
      }),
    finish: (n: number, error?: Error) => finishers[n](error),
  };
}

Deno.test("durable pipeline: a batch is acknowledged after a sync that began after it", async () => {
  const disk = manualSync();
  const shown: string[] = [];
  const pipeline = new DurablePipeline<string>(disk.sync, (batch) => shown.push(batch));
  const acknowledged: string[] = [];
  const a = pipeline.add("a").then(() => acknowledged.push("a"));
  assert.equal(disk.started(), 1);
  // Committed while the first sync runs: the first sync does not cover it.
  const b = pipeline.add("b").then(() => acknowledged.push("b"));
  const c = pipeline.add("c").then(() => acknowledged.push("c"));
  assert.equal(disk.started(), 1);
  disk.finish(0);
  await a;
  assert.deepEqual(shown, ["a"]);
  assert.deepEqual(acknowledged, ["a"]);
  assert.equal(disk.started(), 2, "one more sync covers every batch that waited");
  disk.finish(1);
  await Promise.all([b, c]);
  assert.deepEqual(shown, ["a", "b", "c"]);
  assert.deepEqual(acknowledged, ["a", "b", "c"]);
});

Deno.test("durable pipeline: a failed sync rejects its batches and every later one", async () => {
  const disk = manualSync();
  const shown: string[] = [];
  const pipeline = new DurablePipeline<string>(disk.sync, (batch) => shown.push(batch));
  const a = pipeline.add("a");
  const b = pipeline.add("b");
  disk.finish(0, new Error("EIO"));
  await assert.rejects(a, /EIO/);
  await assert.rejects(b, /EIO/);
  await assert.rejects(pipeline.add("c"), /EIO/);
  assert.equal(pipeline.failed?.message, "EIO");
  assert.deepEqual(shown, []);
});
