import { assertEquals } from "../../tests/helpers/assert.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import { WatchExpiredError } from "../client/list_watch.ts";
import type { KubeObject } from "../types.ts";
import { fakeListWatch, object } from "./_test_list_watch.ts";
import { runInformer } from "./informer.ts";
import type { Logger } from "../logger.ts";

/** Runs an informer over `source`, recording every call as a line. */
function record(source: Parameters<typeof runInformer>[0]) {
  const calls: string[] = [];
  const warnings: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (msg) => warnings.push(msg),
    error() {},
  };
  const stop = new AbortController();
  const running = runInformer(source, {
    replace: (items: KubeObject[]) => calls.push(`list ${items.map((o) => o.metadata.name)}`),
    apply: (type, o) => calls.push(`${type} ${o.metadata.name}`),
  }, { signal: stop.signal, logger, name: "test", minBackoffMs: 1, maxBackoffMs: 2 });
  return {
    calls,
    warnings,
    async stop() {
      stop.abort();
      await running;
    },
  };
}

Deno.test("informer: a watch the server closed resumes from the last revision, without a list", async () => {
  const source = fakeListWatch([{ items: [object("a", "1")], resourceVersion: "1" }], [
    { events: [{ type: "ADDED", object: object("b", "2") }] },
    // Bookmarks move the revision on without reaching the handlers.
    { events: [{ type: "BOOKMARK", object: { metadata: { resourceVersion: "5" } } }] },
    // A watch that ends at once still resumes from where it was.
    { events: [] },
    { events: [{ type: "DELETED", object: object("a", "6") }] },
  ]);
  const informer = record(source);
  try {
    await waitFor("the fifth watch", () => source.watchedFrom.length === 5);
    assertEquals(source.watchedFrom, ["1", "2", "5", "5", "6"]);
    assertEquals(source.lists, 1);
    assertEquals(informer.calls, ["list a", "ADDED b", "DELETED a"]);
    assertEquals(informer.warnings, []);
  } finally {
    await informer.stop();
  }
});

Deno.test("informer: an expired watch lists again, quietly", async () => {
  const source = fakeListWatch([
    { items: [object("a", "1")], resourceVersion: "1" },
    { items: [object("b", "3")], resourceVersion: "3" },
  ], [
    {
      events: [{ type: "MODIFIED", object: object("a", "2") }],
      error: new WatchExpiredError("gone"),
    },
  ]);
  const informer = record(source);
  try {
    await waitFor("the watch after the relist", () => source.watchedFrom.length === 2);
    assertEquals(source.watchedFrom, ["1", "3"]);
    assertEquals(informer.calls, ["list a", "MODIFIED a", "list b"]);
    assertEquals(informer.warnings, [], "an expiry is routine, not a warning");
  } finally {
    await informer.stop();
  }
});

Deno.test("informer: failed lists and watches are retried from a fresh list, with a warning", async () => {
  const source = fakeListWatch([
    new Error("connection refused"),
    { items: [object("a", "1")], resourceVersion: "1" },
    { items: [object("a", "4")], resourceVersion: "4" },
  ], [{ events: [], error: new Error("stream reset") }]);
  const informer = record(source);
  try {
    await waitFor("the watch after the relist", () => source.watchedFrom.length === 2);
    assertEquals(source.lists, 3);
    assertEquals(source.watchedFrom, ["1", "4"]);
    assertEquals(informer.calls, ["list a", "list a"]);
    assertEquals(informer.warnings, ["Watch failed; restarting", "Watch failed; restarting"]);
  } finally {
    await informer.stop();
  }
});
