/**
 * The behaviour every {@link Backend} must show, as one suite that each implementation's test
 * runs against fresh stores (SQLite now, PostgreSQL later).
 *
 * @example
 * ```ts ignore
 * Deno.test("sqlite: conformance", (t) => runBackendTests(t, () => makeSqliteBackend()));
 * ```
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type Backend,
  CompactedError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  type WatchEvent,
} from "./types.ts";
import { withDeadline } from "../../tests/helpers/wait.ts";

/** How long a watch assertion waits for the events it expects. */
const WATCH_DEADLINE_MS = 5000;

/**
 * Runs the conformance suite as steps of `t`. Each step gets a new, empty backend from
 * `makeBackend` and closes it afterwards; the caller owns any files behind it.
 */
export async function runBackendTests(
  t: Deno.TestContext,
  makeBackend: () => Promise<Backend>,
): Promise<void> {
  const step = (name: string, body: (backend: Backend) => Promise<void>) =>
    t.step(name, async () => {
      const backend = await makeBackend();
      try {
        await body(backend);
      } finally {
        await backend.close();
      }
    });

  await step("create then get returns the value at a new revision", async (b) => {
    assert.equal(await b.currentRevision(), 0);
    const kv = await b.create("/r/a", "1");
    assert.deepEqual(kv, { key: "/r/a", value: "1", createRevision: 1, modRevision: 1 });
    assert.equal(await b.currentRevision(), 1);
    assert.deepEqual(await b.get("/r/a"), { revision: 1, kv });
    assert.deepEqual(await b.get("/r/missing"), { revision: 1 });
  });

  await step("create of an existing key throws KeyExistsError", async (b) => {
    await b.create("/r/a", "1");
    await assert.rejects(b.create("/r/a", "2"), KeyExistsError);
    assert.equal(await b.currentRevision(), 1);
  });

  await step("update checks the expected revision", async (b) => {
    const first = await b.create("/r/a", "1");
    const second = await b.update("/r/a", "2", first.modRevision);
    assert.deepEqual(second, { key: "/r/a", value: "2", createRevision: 1, modRevision: 2 });
    await assert.rejects(b.update("/r/a", "3", first.modRevision), RevisionConflictError);
    await assert.rejects(b.update("/r/missing", "3", 1), KeyNotFoundError);
    assert.equal((await b.get("/r/a", { revision: 1 })).kv?.value, "1");
    assert.equal((await b.get("/r/a")).kv?.value, "2");
  });

  await step("delete leaves a tombstone; old revisions still read the key", async (b) => {
    const kv = await b.create("/r/a", "1");
    await assert.rejects(b.delete("/r/a", kv.modRevision + 5), RevisionConflictError);
    const deleted = await b.delete("/r/a", kv.modRevision);
    assert.deepEqual(deleted, { key: "/r/a", value: "1", createRevision: 1, modRevision: 2 });
    assert.deepEqual(await b.get("/r/a"), { revision: 2 });
    assert.equal((await b.get("/r/a", { revision: 1 })).kv?.value, "1");
    await assert.rejects(b.delete("/r/a"), KeyNotFoundError);
    await assert.rejects(b.update("/r/a", "x", 2), KeyNotFoundError);
  });

  await step("a deleted then recreated key gets a new createRevision", async (b) => {
    await b.create("/r/a", "1");
    await b.delete("/r/a");
    const again = await b.create("/r/a", "2");
    assert.deepEqual(again, { key: "/r/a", value: "2", createRevision: 3, modRevision: 3 });
  });

  await step("list returns live keys under the prefix only, in key order", async (b) => {
    for (const key of ["/p/b", "/p/a", "/pq/x", "/p/c", "/o/z", "/p/"]) await b.create(key, key);
    await b.delete("/p/c");
    const result = await b.list("/p/");
    assert.deepEqual(result.kvs.map((kv) => kv.key), ["/p/", "/p/a", "/p/b"]);
    assert.equal(result.revision, 7);
    assert.equal(result.remaining, 0);
    assert.deepEqual((await b.list("/p/", { revision: 6 })).kvs.map((kv) => kv.key), [
      "/p/",
      "/p/a",
      "/p/b",
      "/p/c",
    ]);
    assert.equal((await b.list("")).kvs.length, 5);
  });

  await step("list pages with startAfter and limit at one revision", async (b) => {
    for (let i = 0; i < 10; i++) await b.create(`/p/k${i}`, `${i}`);
    const first = await b.list("/p/", { limit: 4 });
    assert.deepEqual(first.kvs.map((kv) => kv.key), ["/p/k0", "/p/k1", "/p/k2", "/p/k3"]);
    assert.equal(first.remaining, 6);
    await b.update("/p/k5", "changed", 6);
    await b.delete("/p/k6");
    const second = await b.list("/p/", {
      revision: first.revision,
      startAfter: first.kvs[3].key,
      limit: 4,
    });
    assert.equal(second.revision, 10);
    assert.deepEqual(second.kvs.map((kv) => kv.value), ["4", "5", "6", "7"]);
    assert.equal(second.remaining, 2);
    const last = await b.list("/p/", { revision: 10, startAfter: "/p/k7", limit: 4 });
    assert.deepEqual(last.kvs.map((kv) => kv.key), ["/p/k8", "/p/k9"]);
    assert.equal(last.remaining, 0);
    assert.equal((await b.list("/p/", { startAfter: "/p/k4" })).kvs.length, 4);
    // Without the count: whether more follow, as of the page's revision.
    const uncounted = { revision: 10, limit: 4, countRemaining: false };
    assert.equal((await b.list("/p/", uncounted)).remaining, 1);
    assert.equal((await b.list("/p/", { ...uncounted, startAfter: "/p/k3" })).remaining, 1);
    assert.equal((await b.list("/p/", { ...uncounted, startAfter: "/p/k5" })).remaining, 0);
  });

  await step("count counts live keys under the prefix", async (b) => {
    for (const key of ["/c/a", "/c/b", "/c/c", "/cd/a"]) await b.create(key, "v");
    await b.delete("/c/b");
    assert.deepEqual(await b.count("/c/"), { revision: 5, count: 2 });
  });

  await step("reads at a future revision throw FutureRevisionError", async (b) => {
    await b.create("/r/a", "1");
    await assert.rejects(b.get("/r/a", { revision: 2 }), FutureRevisionError);
    await assert.rejects(b.list("/r/", { revision: 2 }), FutureRevisionError);
  });

  await step("writes queued together fail independently", async (b) => {
    await b.create("/g/existing", "0");
    const results = await Promise.allSettled([
      b.create("/g/a", "1"),
      b.create("/g/a", "2"),
      b.update("/g/existing", "x", 99),
      b.create("/g/b", "3"),
      b.delete("/g/missing"),
      b.update("/g/existing", "y", 1),
    ]);
    assert.deepEqual(results.map((r) => r.status), [
      "fulfilled",
      "rejected",
      "rejected",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    const reasons = results.map((r) => r.status === "rejected" ? r.reason : undefined);
    assert.ok(reasons[1] instanceof KeyExistsError);
    assert.ok(reasons[2] instanceof RevisionConflictError);
    assert.ok(reasons[4] instanceof KeyNotFoundError);
    const revisions = results.flatMap((r) => r.status === "fulfilled" ? [r.value.modRevision] : []);
    assert.deepEqual(revisions, [2, 3, 4]);
    assert.equal((await b.list("/g/")).kvs.length, 3);
  });

  await step("compaction removes old history and keeps each key's latest row", async (b) => {
    const a = await b.create("/c/a", "a1"); // 1
    await b.update("/c/a", "a2", a.modRevision); // 2
    await b.update("/c/a", "a3", 2); // 3
    await b.create("/c/b", "b1"); // 4
    await b.delete("/c/b"); // 5
    await b.create("/c/c", "c1"); // 6
    await b.compact(5);
    assert.equal(await b.compactRevision(), 5);
    await assert.rejects(b.get("/c/a", { revision: 4 }), CompactedError);
    await assert.rejects(b.list("/c/", { revision: 4 }), CompactedError);
    assert.equal((await b.get("/c/a", { revision: 5 })).kv?.value, "a3");
    assert.deepEqual((await b.list("/c/", { revision: 5 })).kvs.map((kv) => kv.value), ["a3"]);
    assert.deepEqual((await b.list("/c/")).kvs.map((kv) => kv.value), ["a3", "c1"]);
    await assert.rejects(firstBatch(b, "/c/", 4), CompactedError);
    assert.deepEqual((await firstBatch(b, "/c/", 5)).map((e) => e.kv.modRevision), [6]);
    await b.compact(3);
    assert.equal(await b.compactRevision(), 5);
    await assert.rejects(b.compact(100), FutureRevisionError);
    assert.equal((await b.create("/c/b", "b2")).createRevision, 7);
  });

  await step("watch reports create, update and delete with prevKv", async (b) => {
    const created = await b.create("/w/a", "1");
    await b.update("/w/a", "2", created.modRevision);
    await b.delete("/w/a");
    const events = await collect(b, "/w/", 0, (e) => e.length >= 3);
    assert.deepEqual(events, [
      { type: "create", kv: created },
      {
        type: "update",
        kv: { key: "/w/a", value: "2", createRevision: 1, modRevision: 2 },
        prevKv: created,
      },
      {
        type: "delete",
        kv: { key: "/w/a", value: "2", createRevision: 1, modRevision: 3 },
        prevKv: { key: "/w/a", value: "2", createRevision: 1, modRevision: 2 },
      },
    ]);
  });

  await step("watch filters by prefix", async (b) => {
    await b.create("/w/a", "1");
    await b.create("/wx/a", "2");
    await b.create("/w/b", "3");
    const events = await collect(b, "/w/", 0, (e) => e.length >= 2);
    assert.deepEqual(events.map((e) => e.kv.key), ["/w/a", "/w/b"]);
  });

  await step(
    "watch replays history then follows live writes without gap or duplicate",
    async (b) => {
      for (let i = 0; i < 50; i++) await b.create(`/w/k${i}`, "v");
      const total = 200;
      const watching = collect(b, "/w/", 20, (e) => e.at(-1)?.kv.modRevision === total);
      const writers = Array.from({ length: 5 }, async (_, w) => {
        for (let i = 0; i < (total - 50) / 5; i++) await b.create(`/w/live-${w}-${i}`, "v");
      });
      await Promise.all(writers);
      const events = await watching;
      const revisions = events.map((e) => e.kv.modRevision);
      assert.deepEqual(revisions, Array.from({ length: total - 20 }, (_, i) => i + 21));
    },
  );

  await step("watchesCaughtUp: a reading watch has every change up to the revision", async (b) => {
    const controller = new AbortController();
    let applied = 0;
    const reading = (async () => {
      for await (const batch of b.watch("/w/", { afterRevision: 0, signal: controller.signal })) {
        for (const event of batch) {
          await null; // handled in promise jobs, as an async handler would
          applied = event.kv.modRevision;
        }
      }
    })();
    try {
      // Unawaited writes, the last one outside the watched prefix: the watch's newest change is
      // older than the revision asked about, as a pods index's is after writes to leases. This
      // catches a backend that answers early only if it answers writers in the turn it publishes
      // (SQLite under NORMAL); under FULL the answers come a turn later, and so pass either way.
      const writes = [];
      for (let i = 0; i < 20; i++) {
        writes.push(b.create(`/w/k${i}`, "v"), b.create(`/x/k${i}`, "v"));
      }
      const last = b.create("/w/last", "v");
      writes.push(last, b.create("/x/after", "v"));
      await Promise.all(writes);
      const revision = await b.currentRevision();
      await withDeadline(b.watchesCaughtUp(revision), WATCH_DEADLINE_MS, "watches never caught up");
      assert.equal(applied, (await last).modRevision);
      await assert.rejects(b.watchesCaughtUp(revision + 1), FutureRevisionError);
    } finally {
      controller.abort();
      await reading;
    }
  });

  await step("aborting the signal ends the watch", async (b) => {
    await b.create("/w/a", "1");
    const controller = new AbortController();
    const seen: WatchEvent[] = [];
    const gotFirst = Promise.withResolvers<void>();
    const done = (async () => {
      for await (const batch of b.watch("/w/", { afterRevision: 0, signal: controller.signal })) {
        seen.push(...batch);
        gotFirst.resolve();
      }
    })();
    await gotFirst.promise;
    controller.abort();
    await withDeadline(done, 1000, "watch did not end after abort");
    assert.equal(seen.length, 1);
  });

  await step("a watcher that does not read does not block writers", async (b) => {
    const controller = new AbortController();
    const iterator = b.watch("/w/", { afterRevision: 0, signal: controller.signal })
      [Symbol.asyncIterator]();
    const pending = iterator.next();
    await b.create("/w/first", "v");
    await pending;
    const writes = Array.from({ length: 500 }, (_, i) => b.create(`/w/k${i}`, "v"));
    await withDeadline(Promise.all(writes), 5000, "writers blocked by an idle watcher");
    controller.abort();
    await iterator.return?.();
  });
}

/** Reads a watch until `until` holds for everything seen, or fails after a deadline. */
async function collect(
  backend: Backend,
  prefix: string,
  afterRevision: number,
  until: (events: WatchEvent[]) => boolean,
): Promise<WatchEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), WATCH_DEADLINE_MS);
  const events: WatchEvent[] = [];
  try {
    for await (const batch of backend.watch(prefix, { afterRevision, signal: controller.signal })) {
      events.push(...batch);
      if (until(events)) return events;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  throw new Error(`watch ended after ${events.length} events without the expected ones`);
}

/** The first batch a watch yields (for checks that the watch starts or throws). */
async function firstBatch(b: Backend, prefix: string, after: number): Promise<WatchEvent[]> {
  return await collect(b, prefix, after, (events) => events.length > 0);
}
