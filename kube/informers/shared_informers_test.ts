import { assertEquals } from "../../tests/helpers/assert.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import type { KubeObject } from "../types.ts";
import { fakeListWatch, object } from "./_test_list_watch.ts";
import { silentLogger } from "../logger.ts";
import { type CacheEvent, InformerCache, SharedInformers, splitKey } from "./shared_informers.ts";

function cm(name: string, rv: string, labels: Record<string, string> = {}): KubeObject {
  return { metadata: { name, namespace: "ns", resourceVersion: rv, labels } };
}

Deno.test("shared informers: a relist becomes added, modified and deleted events", () => {
  const cache = new InformerCache("configmaps", silentLogger);
  cache.addIndex("app", (o) => o.metadata.labels?.app ? [o.metadata.labels.app] : []);
  const events: string[] = [];
  cache.subscribe((e: CacheEvent) => events.push(`${e.type} ${e.object.metadata.name}`));
  cache.replace([cm("a", "1", { app: "x" }), cm("b", "1")]);
  assertEquals(cache.hasSynced, true);
  cache.replace([cm("a", "2", { app: "y" }), cm("b", "1"), cm("c", "3")]);
  cache.apply("DELETED", cm("c", "4"));
  assertEquals(events, ["ADDED a", "ADDED b", "MODIFIED a", "ADDED c", "DELETED c"]);
  assertEquals(cache.byIndex("app", "x"), []);
  assertEquals(cache.byIndex("app", "y").map((o) => o.metadata.name), ["a"]);
  assertEquals(cache.list("ns").length, 2);
  assertEquals(cache.list("other"), []);
  // A late subscriber first hears what is already there.
  const late: string[] = [];
  cache.subscribe((e) => late.push(`${e.type} ${e.object.metadata.name}`));
  assertEquals(late.sort(), ["ADDED a", "ADDED b"]);
  assertEquals(splitKey("ns/a"), { namespace: "ns", name: "a" });
  assertEquals(splitKey("node-1"), { namespace: undefined, name: "node-1" });
});

Deno.test("shared informers: cached objects leave managedFields out", () => {
  const cache = new InformerCache("configmaps", silentLogger);
  const managed = (name: string, rv: string): KubeObject => ({
    metadata: {
      ...cm(name, rv).metadata,
      managedFields: [{ manager: "kubectl", operation: "Update", fieldsType: "FieldsV1" }],
    },
  });
  cache.replace([managed("a", "1")]);
  cache.apply("ADDED", managed("b", "2"));
  cache.apply("MODIFIED", managed("a", "3"));
  assertEquals(cache.list("ns").map((o) => [o.metadata.name, o.metadata.managedFields]), [
    ["a", undefined],
    ["b", undefined],
  ]);
});

Deno.test("shared informers: one cache per kind, kept current by the watch", async () => {
  const stop = new AbortController();
  const asked: string[] = [];
  const source = (group: string, kind: string) => {
    asked.push(`${kind}.${group}`);
    return fakeListWatch([{ items: [object("listed", "1")], resourceVersion: "1" }], [
      { events: [{ type: "ADDED", object: object("live", "2") }] },
    ]);
  };
  const informers = new SharedInformers(source, { signal: stop.signal, logger: silentLogger });
  const cache = informers.forKind("", "ConfigMap");
  assertEquals(informers.forKind("", "ConfigMap") === cache, true);
  assertEquals(asked, ["ConfigMap."], "one list-watch per kind");
  await informers.synced(cache);
  assertEquals(cache.get("ns", "listed") !== undefined, true);
  await waitFor("watched", () => cache.get("ns", "live") !== undefined);
  stop.abort();
  await informers.stopped();
});
