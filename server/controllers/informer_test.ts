import { assertEquals } from "../../tests/helpers/assert.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { Backend, WatchEvent, WatchOptions } from "../storage/types.ts";
import { silentLogger } from "../log.ts";
import { runInformer } from "./informer.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";

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

Deno.test("informer: a restarted watch lists again, so changes lost meanwhile are not kept", async () => {
  await using test = await openTestStores(["ns"]);
  const configMaps = test.stores.forKind("", "ConfigMap");
  await configMaps.create("ns", { metadata: { name: "a" } });
  const lossy = lossyFirstWatch(test.stores.deps.backend);
  const known = new Map<string, KubeObject>();
  let lists = 0;
  const stop = new AbortController();
  const running = runInformer(configMaps, lossy.backend, {
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
  try {
    await waitFor("the first list", () => known.has("a"));
    await configMaps.create("ns", { metadata: { name: "b" } });
    await waitFor("a watched creation", () => known.has("b"));

    lossy.loseEvents();
    await configMaps.delete("ns", "a");
    await configMaps.create("ns", { metadata: { name: "c" } });
    assertEquals([...known.keys()].sort(), ["a", "b"], "the lost events are not seen");

    lossy.end();
    await waitFor("the relist", () => lists === 2);
    assertEquals([...known.keys()].sort(), ["b", "c"]);

    await configMaps.delete("ns", "b");
    await waitFor("the new watch", () => !known.has("b"));
  } finally {
    stop.abort();
    await running;
  }
});
