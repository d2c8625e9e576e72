import assert from "node:assert/strict";
import { LiveKeyIndex } from "./live_keys.ts";
import type { WatchEvent } from "./types.ts";

function event(type: WatchEvent["type"], key: string): WatchEvent {
  return { type, kv: { key, value: "", createRevision: 1, modRevision: 1 } };
}

Deno.test("live keys: counts between bounds follow creates and deletes", () => {
  const index = new LiveKeyIndex(["/p/c", "/p/a", "/q/a"]);
  assert.equal(index.countBetween("/p/", "/p0", true), 2);
  index.apply([event("create", "/p/b"), event("update", "/p/a"), event("create", "/p/")]);
  assert.equal(index.size, 5);
  assert.equal(index.countBetween("/p/", "/p0", true), 4);
  assert.equal(index.countBetween("/p/", "/p0"), 3, "the lower bound itself is excluded");
  assert.equal(index.countBetween("/p/a", "/p0"), 2);
  index.apply([event("delete", "/p/b"), event("delete", "/p/zz")]);
  assert.equal(index.countBetween("/p/a", "/p0"), 1);
  assert.equal(index.countBetween("/p/c", "/p0"), 0);
  assert.equal(index.countBetween("/z", "/a"), 0);
});

Deno.test("live keys: a create of a live key and a delete of a missing one change nothing", () => {
  const index = new LiveKeyIndex([]);
  index.apply([event("create", "/a"), event("create", "/a"), event("delete", "/b")]);
  assert.equal(index.size, 1);
});

Deno.test("live keys: counts match a plain sorted list through thousands of changes", () => {
  const live = new Set<string>();
  const index = new LiveKeyIndex([]);
  // A fixed pseudo-random sequence: reproducible, and enough keys to split and empty chunks.
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let step = 0; step < 6000; step++) {
    const key = `/r/${Math.floor(next() * 3000).toString().padStart(4, "0")}`;
    const type = next() < 0.65 ? "create" : "delete";
    index.apply([event(type, key)]);
    if (type === "create") live.add(key);
    else live.delete(key);
  }
  assert.equal(index.size, live.size);
  const sorted = [...live].sort();
  for (const [lower, upper] of [["/r/", "/r0"], ["/r/0500", "/r0"], ["/r/1000", "/r/2000"]]) {
    const expected = sorted.filter((k) => k > lower && k < upper).length;
    assert.equal(index.countBetween(lower, upper), expected, `${lower}..${upper}`);
    const inclusive = sorted.filter((k) => k >= lower && k < upper).length;
    assert.equal(index.countBetween(lower, upper, true), inclusive);
  }
  for (const key of sorted.slice(0, 50)) {
    assert.equal(index.countBetween(key, "/r0"), sorted.filter((k) => k > key).length);
  }
});
