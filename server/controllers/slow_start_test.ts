import { assertEquals } from "../../tests/helpers/assert.ts";
import { inSlowStartBatches } from "./slow_start.ts";

Deno.test("slow start: batches of 1, 2, 4, … until every item is made", async () => {
  // A batch's calls all start before any of them yields.
  const batches: number[][] = [];
  let open: number[] | undefined;
  const result = await inSlowStartBatches([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], async (item) => {
    if (!open) {
      batches.push(open = []);
      queueMicrotask(() => open = undefined);
    }
    open.push(item);
    await Promise.resolve();
  });
  assertEquals(result, { attempted: 10 });
  assertEquals(batches, [[1], [2, 3], [4, 5, 6, 7], [8, 9, 10]]);
});

Deno.test("slow start: stops after the batch with a failure and says how far it got", async () => {
  const made: number[] = [];
  const failure = new Error("quota");
  const result = await inSlowStartBatches([1, 2, 3, 4, 5, 6, 7], (item) => {
    made.push(item);
    return item === 2 ? Promise.reject(failure) : Promise.resolve();
  });
  assertEquals(result, { attempted: 3, error: failure });
  assertEquals(made, [1, 2, 3], "the whole batch ran, none after it");
  assertEquals(await inSlowStartBatches([], () => Promise.resolve()), { attempted: 0 });
});
