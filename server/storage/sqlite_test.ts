import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { runBackendTests } from "./backend_conformance.ts";
import { startCompactor } from "./compactor.ts";
import { openSqliteBackend, type SqliteBackendOptions } from "./sqlite.ts";
import type { Backend } from "./types.ts";
import { WatchOverflowError } from "./watch_hub.ts";

/** Runs `body` with a fresh temp dir, removed afterwards. */
async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "k3ts-storage-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Waits until `condition` holds, failing after `ms`. */
async function waitFor(condition: () => Promise<boolean>, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function countRows(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM kine").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const conformanceCases: [string, SqliteBackendOptions][] = [
  ["synchronous=FULL", { synchronous: "FULL" }],
  ["synchronous=NORMAL", { synchronous: "NORMAL" }],
  // A checkpoint after every transaction: each write waits for the one before it.
  ["synchronous=FULL, checkpoint every page", { synchronous: "FULL", checkpointPages: 1 }],
];

for (const [name, options] of conformanceCases) {
  Deno.test(`sqlite: conformance (${name})`, async (t) => {
    await withTempDir(async (dir) => {
      let n = 0;
      await runBackendTests(
        t,
        (): Promise<Backend> =>
          Promise.resolve(openSqliteBackend(`${dir}/db${n++}.sqlite`, options)),
      );
    });
  });
}

Deno.test("sqlite: reopening the file continues revisions and keeps the compact revision", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/state.db`;
    const first = openSqliteBackend(path);
    const a = await first.create("/r/a", "1");
    await first.update("/r/a", "2", a.modRevision);
    await first.create("/r/b", "1");
    await first.delete("/r/b"); // 4: the newest row is a tombstone, compacted below
    await first.compact(4);
    await first.close();

    const second = openSqliteBackend(path);
    try {
      assert.equal(await second.currentRevision(), 4);
      assert.equal(await second.compactRevision(), 4);
      const b = await second.create("/r/b", "again");
      assert.equal(b.modRevision, 5);
      assert.equal(b.createRevision, 5);
      assert.equal((await second.get("/r/a")).kv?.value, "2");
    } finally {
      await second.close();
    }
  });
});

Deno.test("sqlite: compaction deletes superseded rows and tombstones in small chunks", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/compact.db`;
    const store = openSqliteBackend(path, { compactBatch: 7 });
    try {
      for (let i = 0; i < 20; i++) {
        const kv = await store.create(`/c/k${i}`, "v0");
        await store.update(kv.key, "v1", kv.modRevision);
      }
      for (let i = 0; i < 5; i++) await store.delete(`/c/k${i}`);
      assert.equal(countRows(path), 45);
      await store.compact(await store.currentRevision());
      // 15 live keys remain, one row each.
      assert.equal(countRows(path), 15);
      assert.equal((await store.list("/c/")).kvs.length, 15);
    } finally {
      await store.close();
    }
  });
});

Deno.test("sqlite: startCompactor keeps the newest revisions", async () => {
  await withTempDir(async (dir) => {
    const store = openSqliteBackend(`${dir}/compactor.db`);
    const stop = new AbortController();
    try {
      const kv = await store.create("/c/a", "0");
      let rev = kv.modRevision;
      for (let i = 1; i < 30; i++) rev = (await store.update("/c/a", `${i}`, rev)).modRevision;
      const stopped = startCompactor(store, {
        intervalMs: 5,
        keepRevisions: 10,
        signal: stop.signal,
      });
      await waitFor(async () => (await store.compactRevision()) === 20, 5000, "compaction to 20");
      stop.abort();
      await stopped;
    } finally {
      stop.abort();
      await store.close();
    }
  });
});

Deno.test("sqlite: a watcher over its buffer bound ends with WatchOverflowError", async () => {
  await withTempDir(async (dir) => {
    const store = openSqliteBackend(`${dir}/overflow.db`, { maxBufferedWatchEvents: 10 });
    const controller = new AbortController();
    try {
      const iterator = store.watch("/w/", { afterRevision: 0, signal: controller.signal })
        [Symbol.asyncIterator]();
      const first = iterator.next();
      await store.create("/w/0", "v");
      assert.equal((await first).value?.length, 1);
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.create(`/w/${i + 1}`, "v")));
      await assert.rejects(iterator.next(), WatchOverflowError);
    } finally {
      controller.abort();
      await store.close();
    }
  });
});

Deno.test("sqlite: every acknowledged create survives kill -9", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/kill.db`;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        new URL("./testdata/kill_writer.ts", import.meta.url).pathname,
        path,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const acknowledged: string[] = [];
    const lines = child.stdout.pipeThrough(new TextDecoderStream());
    let partial = "";
    try {
      for await (const chunk of lines) {
        const parts = (partial + chunk).split("\n");
        partial = parts.pop() ?? "";
        acknowledged.push(...parts);
        if (acknowledged.length >= 400) break;
      }
    } finally {
      child.kill("SIGKILL");
      await child.status;
    }
    assert.ok(acknowledged.length >= 400, `child printed only ${acknowledged.length} keys`);

    const store = openSqliteBackend(path);
    try {
      const stored = new Set((await store.list("/kill/")).kvs.map((kv) => kv.key));
      const lost = acknowledged.filter((key) => !stored.has(key));
      assert.deepEqual(lost, []);
      assert.ok(stored.size >= acknowledged.length);
    } finally {
      await store.close();
    }
  });
});

Deno.test("sqlite: a page's remaining count is the same in memory (newest) and in SQL (older)", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/state.db`;
    const first = openSqliteBackend(path);
    for (let i = 0; i < 20; i++) await first.create(`/p/k${String(i).padStart(2, "0")}`, "v");
    await first.close();
    // Reopened: the in-memory index is built from the file, then kept by commits.
    const store = openSqliteBackend(path);
    try {
      const before = await store.list("/p/", { limit: 5 });
      assert.equal(before.remaining, 15);
      await store.delete("/p/k10");
      await store.create("/p/k99", "v");
      await store.create("/q/x", "v");
      const now = await store.list("/p/", { limit: 5 });
      assert.equal(now.remaining, 15);
      const older = await store.list("/p/", { limit: 5, revision: before.revision });
      assert.equal(older.remaining, 15);
      const page = await store.list("/p/", { limit: 5, startAfter: "/p/k09" });
      assert.equal(page.remaining, 5);
      assert.deepEqual(await store.count("/p/"), { revision: 23, count: 20 });
    } finally {
      await store.close();
    }
  });
});

Deno.test("sqlite: under FULL a write is readable and watched once acknowledged, in order", async () => {
  await withTempDir(async (dir) => {
    const store = openSqliteBackend(`${dir}/state.db`);
    const abort = new AbortController();
    try {
      const seen: number[] = [];
      const watching = (async () => {
        for await (const batch of store.watch("/w/", { afterRevision: 0, signal: abort.signal })) {
          for (const event of batch) seen.push(event.kv.modRevision);
          if (seen.length >= 40) return;
        }
      })();
      const writes = Array.from({ length: 40 }, async (_, i) => {
        const kv = await store.create(`/w/${i}`, String(i));
        // Acknowledged means visible: to reads, and at the current revision.
        const { kv: read } = await store.get(`/w/${i}`);
        assert.equal(read?.modRevision, kv.modRevision);
        assert.ok((await store.currentRevision()) >= kv.modRevision);
      });
      await Promise.all(writes);
      await watching;
      assert.deepEqual(seen, Array.from({ length: 40 }, (_, i) => i + 1));
    } finally {
      abort.abort();
      await store.close();
    }
  });
});
