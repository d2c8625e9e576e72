import assert from "node:assert/strict";
import { openSqliteBackend } from "./sqlite.ts";
import { estimatedWalPages } from "./wal_checkpoint.ts";

/** Bytes of one WAL frame: a 24-byte header and a 4 KiB page. */
const FRAME_BYTES = 24 + 4096;

Deno.test("wal checkpoint: the WAL stays bounded under writes, and a reopened file has them all", async () => {
  const dir = await Deno.makeTempDir({ prefix: "k3ts-wal-" });
  try {
    const path = `${dir}/state.db`;
    const store = openSqliteBackend(path, { checkpointPages: 64 });
    const value = "v".repeat(1000);
    const writes = 2000;
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      for (let i = next++; i < writes; i = next++) {
        await store.create(`/registry/configmaps/wal/c-${i}`, value);
      }
    }));
    // Without checkpoints the WAL would hold every page written: over 2 MB of values alone.
    const walBytes = (await Deno.stat(`${path}-wal`)).size;
    assert.ok(
      walBytes < 200 * FRAME_BYTES,
      `WAL is ${walBytes} bytes after ${writes} writes of 1 KB`,
    );
    await store.close();

    const reopened = openSqliteBackend(path);
    try {
      const listed = await reopened.list("/registry/configmaps/wal/", {});
      assert.equal(listed.kvs.length, writes);
      assert.ok(listed.kvs.every((kv) => kv.value === value));
    } finally {
      await reopened.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("wal checkpoint: the page estimate grows with rows and bytes", () => {
  assert.equal(estimatedWalPages(1, 500), 4);
  assert.ok(estimatedWalPages(32, 32_000) > estimatedWalPages(1, 1000));
  assert.ok(estimatedWalPages(32, 320_000) > estimatedWalPages(32, 32_000));
});
