/**
 * Datastore benchmark: raw node:sqlite inserts (the baseline), Backend.create through group
 * commit, get latency, list of 600 keys, and watch fan-out latency.
 *
 * Run: `scripts/deno run --allow-read --allow-write scripts/bench/storage.ts [dir]`
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { openSqliteBackend } from "../../server/storage/sqlite.ts";
import { SCHEMA } from "../../server/storage/sqlite_sql.ts";
import type { Backend, WatchEvent } from "../../server/storage/types.ts";

const CONCURRENT_WRITERS = 32;

/**
 * Runs every measurement in fresh files under `dir` (left for the caller to remove).
 * @returns figures keyed by name, with the unit in the name.
 */
export async function benchStorage(dir: string): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  figures.raw_autocommit_inserts_per_s_full = rawInserts(`${dir}/raw-full.db`, "FULL", 3000);
  figures.raw_autocommit_inserts_per_s_normal = rawInserts(`${dir}/raw-normal.db`, "NORMAL", 10000);
  for (const synchronous of ["FULL", "NORMAL"] as const) {
    const store = openSqliteBackend(`${dir}/group-${synchronous}.db`, { synchronous });
    try {
      const name = `group_commit_creates_per_s_${synchronous.toLowerCase()}`;
      figures[name] = await concurrentCreates(store, 20000);
    } finally {
      await store.close();
    }
  }
  const store = openSqliteBackend(`${dir}/reads.db`);
  try {
    await fillForReads(store);
    Object.assign(figures, await getLatency(store, 20000));
    figures.list_600_ms_p50 = await list600(store, 50);
    Object.assign(figures, await watchFanOut(store, 100, 200));
  } finally {
    await store.close();
  }
  return figures;
}

/** Single-row autocommit inserts into a kine-shaped table, as the baseline. */
function rawInserts(path: string, synchronous: "FULL" | "NORMAL", rows: number): number {
  const db = new DatabaseSync(path);
  try {
    db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous};`);
    db.exec(SCHEMA);
    const insert = db.prepare(
      "INSERT INTO kine (name, created, deleted, create_revision, prev_revision, value) VALUES (?, 1, 0, 0, 0, ?)",
    );
    const value = JSON.stringify({ payload: "x".repeat(400) });
    const start = performance.now();
    for (let i = 0; i < rows; i++) insert.run(`/registry/raw/k${i}`, value);
    return rows / ((performance.now() - start) / 1000);
  } finally {
    db.close();
  }
}

/** Creates/s with {@link CONCURRENT_WRITERS} callers each awaiting its own create in a loop. */
async function concurrentCreates(store: Backend, total: number): Promise<number> {
  const value = JSON.stringify({ payload: "x".repeat(400) });
  const perWriter = Math.ceil(total / CONCURRENT_WRITERS);
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENT_WRITERS }, async (_, w) => {
      for (let i = 0; i < perWriter; i++) await store.create(`/registry/bench/w${w}/k${i}`, value);
    }),
  );
  return (perWriter * CONCURRENT_WRITERS) / ((performance.now() - start) / 1000);
}

/** 600 pods with 5 revisions each under one namespace, beside 9,400 other keys. */
async function fillForReads(store: Backend): Promise<void> {
  const value = JSON.stringify({ payload: "x".repeat(1000) });
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < 600; i++) writes.push(store.create(`/registry/pods/bench/p${i}`, value));
  for (let i = 0; i < 9400; i++) writes.push(store.create(`/registry/other/o/k${i}`, value));
  const pods = await Promise.all(writes.slice(0, 600)) as { key: string; modRevision: number }[];
  await Promise.all(writes);
  let current = pods;
  for (let round = 0; round < 4; round++) {
    current = await Promise.all(current.map((kv) => store.update(kv.key, value, kv.modRevision)));
  }
}

async function getLatency(store: Backend, samples: number): Promise<Record<string, number>> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const key = `/registry/pods/bench/p${i % 600}`;
    const start = performance.now();
    await store.get(key);
    times.push((performance.now() - start) * 1000);
  }
  return { get_us_p50: percentile(times, 0.5), get_us_p99: percentile(times, 0.99) };
}

async function list600(store: Backend, samples: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    const result = await store.list("/registry/pods/bench/");
    times.push(performance.now() - start);
    if (result.kvs.length !== 600) throw new Error(`listed ${result.kvs.length} keys, not 600`);
  }
  return percentile(times, 0.5);
}

/**
 * Time from issuing a write to each of `watchers` receiving its event, over `writes` sequential
 * writes.
 */
async function watchFanOut(
  store: Backend,
  watchers: number,
  writes: number,
): Promise<Record<string, number>> {
  const controller = new AbortController();
  const issued = new Map<string, number>();
  const latencies: number[] = [];
  let pending = 0;
  let wake: (() => void) | undefined;
  const from = await store.currentRevision();
  const readers = Array.from({ length: watchers }, async () => {
    const watch = store.watch("/registry/watch/", {
      afterRevision: from,
      signal: controller.signal,
    });
    for await (const batch of watch) {
      const now = performance.now();
      for (const event of batch as WatchEvent[]) {
        latencies.push((now - issued.get(event.kv.key)!) * 1000);
        if (--pending === 0) wake?.();
      }
    }
  });
  for (let i = 0; i < writes; i++) {
    const key = `/registry/watch/k${i}`;
    const delivered = new Promise<void>((resolve) => wake = resolve);
    pending = watchers;
    issued.set(key, performance.now());
    await store.create(key, "{}");
    await delivered;
  }
  controller.abort();
  await Promise.all(readers);
  return {
    watch_100_latency_us_p50: percentile(latencies, 0.5),
    watch_100_latency_us_p99: percentile(latencies, 0.99),
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

if (import.meta.main) {
  const dir = Deno.args[0] ?? await Deno.makeTempDir({ prefix: "k3ts-bench-storage-" });
  try {
    const figures = await benchStorage(dir);
    for (const [name, value] of Object.entries(figures)) {
      console.log(`${name.padEnd(42)} ${value.toFixed(name.endsWith("per_s") ? 0 : 2)}`);
    }
  } finally {
    if (!Deno.args[0]) await Deno.remove(dir, { recursive: true });
  }
}
