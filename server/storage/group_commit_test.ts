import assert from "node:assert/strict";
import { GroupCommitter, type Outcome } from "./group_commit.ts";

Deno.test("group_commit: calls made in one macrotask share one batch", async () => {
  const batches: number[][] = [];
  const committer = new GroupCommitter<number, number>({
    commit: (ops): Outcome<number>[] => {
      batches.push(ops);
      return ops.map((op) =>
        op % 2 === 0 ? { ok: true, value: op * 10 } : {
          ok: false,
          error: new RangeError(`odd ${op}`),
        }
      );
    },
  });
  const results = await Promise.allSettled([1, 2, 3, 4].map((n) => committer.submit(n)));
  assert.deepEqual(batches, [[1, 2, 3, 4]]);
  assert.deepEqual(results.map((r) => r.status === "fulfilled" ? r.value : r.reason.message), [
    "odd 1",
    20,
    "odd 3",
    40,
  ]);
  await committer.submit(6);
  assert.deepEqual(batches.length, 2);
});

Deno.test("group_commit: a throwing batch rejects every caller in it", async () => {
  const committer = new GroupCommitter<number, number>({
    commit: () => {
      throw new Error("disk full");
    },
  });
  const results = await Promise.allSettled([committer.submit(1), committer.submit(2)]);
  assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected"]);
});

Deno.test("group_commit: maxBatch splits a long queue into several transactions", async () => {
  const sizes: number[] = [];
  const committer = new GroupCommitter<number, number>({
    maxBatch: 3,
    commit: (ops) => {
      sizes.push(ops.length);
      return ops.map((op) => ({ ok: true, value: op }));
    },
  });
  await Promise.all(Array.from({ length: 7 }, (_, i) => committer.submit(i)));
  await committer.drain();
  assert.deepEqual(sizes, [3, 3, 1]);
});

Deno.test("group_commit: while an asynchronous commit settles, new writes wait and form one group", async () => {
  const batches: number[][] = [];
  /** One entry per commit started: resolving it lets that commit settle. */
  const started: { release: () => void }[] = [];
  let onStart: (() => void) | undefined;
  const committer = new GroupCommitter<number, number>({
    commit: async (ops) => {
      batches.push(ops);
      await new Promise<void>((release) => {
        started.push({ release });
        onStart?.();
      });
      return ops.map((op) => ({ ok: true, value: op }));
    },
  });
  const nextStart = () => new Promise<void>((resolve) => onStart = resolve);
  let starting = nextStart();
  const first = committer.submit(1);
  await starting;
  const later = [2, 3, 4].map((n) => committer.submit(n));
  // A macrotask later the next group would have been flushed, were it not held back.
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(batches, [[1]], "nothing is committed while the first group settles");
  starting = nextStart();
  started[0].release();
  assert.equal(await first, 1);
  await starting;
  started[1].release();
  assert.deepEqual(await Promise.all(later), [2, 3, 4]);
  await committer.drain();
  assert.deepEqual(batches, [[1], [2, 3, 4]]);
});
