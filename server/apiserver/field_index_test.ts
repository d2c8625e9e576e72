import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import type { KubeObject } from "../../kube/types.ts";
import { openSqliteBackend } from "../storage/sqlite.ts";
import type { WatchOptions } from "../storage/types.ts";
import { FieldIndex } from "./field_index.ts";

function pod(name: string, nodeName?: string, app = "web"): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app } },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: "c", image: "busybox" }] },
  };
}

const names = (list: { items: KubeObject[] }) =>
  list.items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`);

Deno.test("pods by spec.nodeName: lists follow every change at once, as a scan would", async () => {
  await using test = await openTestStores(["a", "b"]);
  const pods = test.stores.forKind("", "Pod");
  const onNode = (node: string, namespace?: string, extra: Record<string, unknown> = {}) =>
    pods.list(namespace, { fieldSelector: `spec.nodeName=${node}`, ...extra });

  await pods.create("a", pod("p1", "n1"));
  await pods.create("b", pod("p2", "n1", "db"));
  await pods.create("a", pod("p3", "n2"));
  await pods.create("a", pod("pending"));
  assertEquals(names(await onNode("n1")), ["a/p1", "b/p2"]);

  // From here on the index answers: no list of this selector scans the pods.
  const backend = test.stores.deps.backend;
  const scan = backend.list.bind(backend);
  let podScans = 0;
  backend.list = (prefix, options) => {
    if (prefix.startsWith(pods.resource.keyPrefix)) podScans++;
    return scan(prefix, options);
  };

  // Built now; every later write is seen by the very next list.
  await pods.create("a", pod("p4", "n1"));
  assertEquals(names(await onNode("n1")), ["a/p1", "a/p4", "b/p2"]);
  await pods.delete("b", "p2", { gracePeriodSeconds: 0 });
  assertEquals(names(await onNode("n1")), ["a/p1", "a/p4"]);
  assertEquals(names(await onNode("n1", "a")), ["a/p1", "a/p4"]);
  assertEquals(names(await onNode("n1", "b")), []);
  assertEquals(names(await onNode("")), ["a/pending"]);

  // Other selectors still apply to what the index names.
  await pods.create("a", pod("p5", "n1", "db"));
  assertEquals(names(await onNode("n1", undefined, { labelSelector: "app=db" })), ["a/p5"]);
  assertEquals(podScans, 0);

  // Pages: the first from the index, the next by scanning at the first page's revision.
  const first = await onNode("n1", undefined, { limit: 2 });
  assertEquals(names(first), ["a/p1", "a/p4"]);
  assert(first.metadata.continue, "a continue token");
  const rest = await onNode("n1", undefined, { limit: 2, continue: first.metadata.continue });
  assertEquals(names(rest), ["a/p5"]);
  assertEquals(rest.metadata.resourceVersion, first.metadata.resourceVersion);
});

Deno.test("field index: answers at a revision no older than the datastore's", async () => {
  const dir = await Deno.makeTempDir({ prefix: "k3ts-field-index-" });
  const backend = openSqliteBackend(`${dir}/state.db`);
  try {
    const index = new FieldIndex(
      backend,
      "/p/",
      (kv) => (JSON.parse(kv.value) as { node?: string }).node,
    );
    await backend.create("/p/a", '{"node":"n1"}');
    await backend.create("/other/x", "{}");
    const first = await index.lookup("n1");
    assertEquals(first, { revision: 2, keys: ["/p/a"] });
    await backend.create("/p/b", '{"node":"n1"}');
    await backend.update("/p/a", '{"node":"n2"}', 1);
    await backend.create("/other/y", "{}");
    assertEquals(await index.lookup("n1"), { revision: 5, keys: ["/p/b"] });
    assertEquals((await index.lookup("n2"))?.keys, ["/p/a"]);
  } finally {
    await backend.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("field index: once its watch ends it answers nothing, then builds anew", async () => {
  const dir = await Deno.makeTempDir({ prefix: "k3ts-field-index-" });
  const backend = openSqliteBackend(`${dir}/state.db`);
  try {
    // The datastore ends the first watch when told to, as it drops a watcher that fell behind.
    const cut = new AbortController();
    let watches = 0;
    const cuttable = new Proxy(backend, {
      get(target, property) {
        if (property !== "watch") {
          const value = Reflect.get(target, property);
          return typeof value === "function" ? value.bind(target) : value;
        }
        return (prefix: string, options: WatchOptions) =>
          target.watch(prefix, {
            ...options,
            signal: ++watches === 1
              ? AbortSignal.any([options.signal, cut.signal])
              : options.signal,
          });
      },
    });
    const index = new FieldIndex(
      cuttable,
      "/p/",
      (kv) => (JSON.parse(kv.value) as { node?: string }).node,
    );
    await backend.create("/p/a", '{"node":"n1"}');
    assertEquals((await index.lookup("n1"))?.keys, ["/p/a"]);

    cut.abort();
    await backend.create("/p/b", '{"node":"n1"}');
    // Whatever the ended watch missed, the index does not answer from it.
    assertEquals(await index.lookup("n1"), undefined);
    assertEquals(await index.lookup("n1"), { revision: 2, keys: ["/p/a", "/p/b"] });
  } finally {
    await backend.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("field index: a backend that cannot say its watches caught up gets a scan, not an error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "k3ts-field-index-" });
  const backend = openSqliteBackend(`${dir}/state.db`);
  try {
    const unsure = new Proxy(backend, {
      get(target, property) {
        if (property === "watchesCaughtUp") {
          return () => Promise.reject(new Error("cannot tell"));
        }
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const index = new FieldIndex(
      unsure,
      "/p/",
      (kv) => (JSON.parse(kv.value) as { node?: string }).node,
    );
    await backend.create("/p/a", '{"node":"n1"}');
    assertEquals((await index.lookup("n1"))?.keys, ["/p/a"]); // built at the current revision
    await backend.create("/other/x", "{}"); // now the index's last change is older
    assertEquals(await index.lookup("n1"), undefined);
  } finally {
    await backend.close();
    await Deno.remove(dir, { recursive: true });
  }
});
