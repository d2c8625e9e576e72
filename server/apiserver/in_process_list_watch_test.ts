import { assertEquals } from "../../tests/helpers/assert.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { Backend, WatchEvent, WatchOptions } from "../storage/types.ts";
import type { RestStore } from "./rest_store.ts";
import { runInformer } from "../../kube/informers/informer.ts";
import { silentLogger } from "../log.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import { inProcessListWatch } from "./in_process_list_watch.ts";

/**
 * A backend whose first watch can be made to lose events and then end, as a watch does that
 * falls behind and is dropped by the datastore; later watches are the real thing.
 */
function lossyFirstWatch(backend: Backend) {
  let calls = 0;
  let dropping = false;
  const cut = new AbortController();
  const watch = (prefix: string, options: WatchOptions): AsyncIterable<WatchEvent[]> => {
    if (++calls > 1) return backend.watch(prefix, options);
    const signal = AbortSignal.any([options.signal, cut.signal]);
    return (async function* () {
      for await (const batch of backend.watch(prefix, { ...options, signal })) {
        if (!dropping) yield batch;
      }
    })();
  };
  const wrapped = new Proxy(backend, {
    get(target, property) {
      if (property === "watch") return watch;
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    backend: wrapped,
    /** From now on the first watch delivers nothing. */
    loseEvents() {
      dropping = true;
    },
    /** Ends the first watch. */
    end() {
      cut.abort();
    },
  };
}

/** Runs an informer over `configMaps` keeping a name → object map, and counting lists. */
function follow(configMaps: RestStore, backend: Backend) {
  const known = new Map<string, KubeObject>();
  let lists = 0;
  const stop = new AbortController();
  const running = runInformer(inProcessListWatch(configMaps, backend), {
    replace(items) {
      lists++;
      known.clear();
      for (const item of items) known.set(item.metadata.name!, item);
    },
    apply(type, object) {
      if (type === "DELETED") known.delete(object.metadata.name!);
      else known.set(object.metadata.name!, object);
    },
  }, { signal: stop.signal, logger: silentLogger, name: "test", minBackoffMs: 5 });
  return {
    known,
    get lists() {
      return lists;
    },
    async stop() {
      stop.abort();
      await running;
    },
  };
}

/**
 * An informer following ConfigMaps in "ns" whose first watch sees `a` listed and `b` created,
 * then misses the deletion of `a` and the creation of `c`, and is still open: the caller ends it.
 */
async function informerThatMissedTwoChanges(configMaps: RestStore, backend: Backend) {
  await configMaps.create("ns", { metadata: { name: "a" } });
  const lossy = lossyFirstWatch(backend);
  const informer = follow(configMaps, lossy.backend);
  await waitFor("the first list", () => informer.known.has("a"));
  await configMaps.create("ns", { metadata: { name: "b" } });
  await waitFor("a watched creation", () => informer.known.has("b"));
  lossy.loseEvents();
  await configMaps.delete("ns", "a");
  await configMaps.create("ns", { metadata: { name: "c" } });
  return { informer, endFirstWatch: () => lossy.end() };
}

Deno.test("in-process list-watch: a dropped watch resumes from the last change it delivered", async () => {
  await using test = await openTestStores(["ns"]);
  const configMaps = test.stores.forKind("", "ConfigMap");
  const { informer, endFirstWatch } = await informerThatMissedTwoChanges(
    configMaps,
    test.stores.deps.backend,
  );
  const { known } = informer;
  try {
    assertEquals([...known.keys()].sort(), ["a", "b"], "the lost events are not seen");

    endFirstWatch();
    await waitFor("the resumed watch", () => known.has("c") && !known.has("a"));
    assertEquals([...known.keys()].sort(), ["b", "c"]);
    assertEquals(informer.lists, 1, "the history had it all: no new list");

    await configMaps.delete("ns", "b");
    await waitFor("the new watch", () => !known.has("b"));
  } finally {
    await informer.stop();
  }
});

Deno.test("in-process list-watch: a watch whose revision was compacted lists again", async () => {
  await using test = await openTestStores(["ns"]);
  const configMaps = test.stores.forKind("", "ConfigMap");
  const backend = test.stores.deps.backend;
  const { informer, endFirstWatch } = await informerThatMissedTwoChanges(configMaps, backend);
  const { known } = informer;
  try {
    await backend.compact(await backend.currentRevision());

    endFirstWatch();
    await waitFor("the relist", () => informer.lists === 2);
    assertEquals([...known.keys()].sort(), ["b", "c"]);

    await configMaps.delete("ns", "b");
    await waitFor("the new watch", () => !known.has("b"));
  } finally {
    await informer.stop();
  }
});

Deno.test("in-process list-watch: selectors apply to the list and the watch", async () => {
  await using test = await openTestStores(["ns", "other"]);
  const configMaps = test.stores.forKind("", "ConfigMap");
  await configMaps.create("ns", { metadata: { name: "a", labels: { app: "x" } } });
  await configMaps.create("ns", { metadata: { name: "b" } });
  await configMaps.create("other", { metadata: { name: "c", labels: { app: "x" } } });
  const source = inProcessListWatch(configMaps, test.stores.deps.backend, {
    namespace: "ns",
    labelSelector: "app=x",
    fieldSelector: "metadata.name!=z",
  });
  assertEquals(source.name, "configmaps (app=x,metadata.name!=z)");
  const list = await source.list(new AbortController().signal);
  assertEquals(list.items.map((o) => o.metadata.name), ["a"]);

  // The watch: changes outside the namespace or the label selector are not delivered.
  const stop = new AbortController();
  const seen: string[] = [];
  const watching = (async () => {
    for await (const event of source.watch(list.resourceVersion, stop.signal)) {
      seen.push(`${event.type} ${event.object.metadata.name}`);
      if (event.object.metadata.name === "last") break;
    }
  })();
  await configMaps.create("other", { metadata: { name: "d", labels: { app: "x" } } });
  await configMaps.create("ns", { metadata: { name: "e" } });
  await configMaps.create("ns", { metadata: { name: "f", labels: { app: "x" } } });
  await configMaps.create("ns", { metadata: { name: "last", labels: { app: "x" } } });
  try {
    await waitFor("the last change", () => seen.includes("ADDED last"));
  } finally {
    stop.abort();
    await watching;
  }
  assertEquals(seen, ["ADDED f", "ADDED last"]);
});
