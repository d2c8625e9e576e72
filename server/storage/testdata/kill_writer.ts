/**
 * Child process for the kill -9 durability test: opens a backend on the file given as the first
 * argument and runs 16 concurrent writers forever, printing each key once its create resolved.
 * The parent kills it with SIGKILL and checks every printed key survived.
 *
 * @module
 */

import { openSqliteBackend } from "../sqlite.ts";

const path = Deno.args[0];
const synchronous = Deno.args[1] === "NORMAL" ? "NORMAL" : "FULL";
const store = openSqliteBackend(path, { synchronous });
const encoder = new TextEncoder();

async function writer(id: number): Promise<void> {
  for (let i = 0;; i++) {
    const key = `/kill/w${id}/k${i}`;
    await store.create(key, JSON.stringify({ id, i }));
    // Synchronous write: the line leaves this process before the next create is issued.
    Deno.stdout.writeSync(encoder.encode(key + "\n"));
  }
}

await Promise.all(Array.from({ length: 16 }, (_, id) => writer(id)));
