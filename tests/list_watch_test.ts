/**
 * The two transports of `ListWatch` — HTTP (kube/client/http_list_watch.ts) and in-process
 * (server/apiserver/in_process_list_watch.ts) — give an informer the same lists and events for
 * the same changes, selectors included.
 */
import { KubeClient, WATCH_CLIENT_TIMEOUT_MS } from "../kube/client/mod.ts";
import { httpListWatch } from "../kube/client/http_list_watch.ts";
import type { ListWatch } from "../kube/client/list_watch.ts";
import { runInformer } from "../kube/informers/informer.ts";
import { inProcessListWatch } from "../server/apiserver/in_process_list_watch.ts";
import { silentLogger } from "../server/log.ts";
import { assertEquals } from "./helpers/assert.ts";
import { startTestCluster } from "./helpers/cluster.ts";
import { waitFor } from "./helpers/wait.ts";

/** Runs an informer over `source`, recording the list and every change as lines. */
function record(source: ListWatch, signal: AbortSignal) {
  const seen: string[] = [];
  const running = runInformer(source, {
    replace: (items) => seen.push(`list ${items.map((o) => o.metadata.name).sort().join(",")}`),
    apply: (type, o) => seen.push(`${type} ${o.metadata.name} ${o.metadata.resourceVersion}`),
  }, { signal, logger: silentLogger, name: source.name });
  return { seen, running };
}

Deno.test("list-watch: HTTP and in-process transports see the same changes", async () => {
  await using cluster = await startTestCluster();
  using client = await KubeClient.fromKubeconfig(cluster.kubeconfig, {
    timeoutMs: WATCH_CLIENT_TIMEOUT_MS,
  });
  const namespace = "list-watch";
  await client.create("/api/v1/namespaces", { metadata: { name: namespace } });
  const path = `/api/v1/namespaces/${namespace}/configmaps`;
  const store = cluster.server.stores.forKind("", "ConfigMap");
  const backend = cluster.server.backend;
  // One object exists before the informers start, so the lists have something to agree on.
  await client.create(path, { metadata: { name: "before", labels: { app: "x" } } });

  const cases: { name: string; selectors: { labelSelector?: string; fieldSelector?: string } }[] = [
    { name: "everything", selectors: {} },
    { name: "a label selector", selectors: { labelSelector: "app=x" } },
    { name: "a field selector", selectors: { fieldSelector: "metadata.name!=skipped" } },
  ];
  const stop = new AbortController();
  const pairs = cases.map(({ name, selectors }) => ({
    name,
    http: record(httpListWatch(client, path, { query: selectors }), stop.signal),
    local: record(inProcessListWatch(store, backend, { namespace, ...selectors }), stop.signal),
  }));
  try {
    await waitFor(
      "every first list",
      () => pairs.every((p) => p.http.seen.length && p.local.seen.length),
    );

    const put = async (name: string, labels: Record<string, string>) => {
      const current = await client.get(`${path}/${name}`);
      await client.replace(`${path}/${name}`, {
        ...current,
        metadata: { ...current.metadata, labels },
      });
    };
    await client.create(path, { metadata: { name: "a", labels: { app: "x" } } });
    await client.create(path, { metadata: { name: "skipped", labels: { app: "x" } } });
    await client.create(path, { metadata: { name: "b" } });
    await put("b", { app: "x" }); // into the label selector: ADDED there
    await put("a", { app: "y" }); // out of it: DELETED there
    await put("skipped", { app: "x", more: "1" });
    await client.delete(`${path}/skipped`);
    await client.delete(`${path}/b`);
    await client.create(path, { metadata: { name: "end", labels: { app: "x" } } });

    const sawEnd = (seen: string[]) => seen.some((line) => line.startsWith("ADDED end "));
    await waitFor(
      "the last change everywhere",
      () => pairs.every((p) => sawEnd(p.http.seen) && sawEnd(p.local.seen)),
    );
    for (const pair of pairs) {
      assertEquals(pair.http.seen, pair.local.seen, `the same events with ${pair.name}`);
    }
    const kinds = (seen: string[]) => seen.map((line) => line.split(" ").slice(0, 2).join(" "));
    const [all, labelled, named] = pairs.map((p) => kinds(p.local.seen));
    assertEquals(all, [
      "list before",
      "ADDED a",
      "ADDED skipped",
      "ADDED b",
      "MODIFIED b",
      "MODIFIED a",
      "MODIFIED skipped",
      "DELETED skipped",
      "DELETED b",
      "ADDED end",
    ]);
    assertEquals(labelled, [
      "list before",
      "ADDED a",
      "ADDED skipped",
      "ADDED b",
      "DELETED a",
      "MODIFIED skipped",
      "DELETED skipped",
      "DELETED b",
      "ADDED end",
    ]);
    assertEquals(named, [
      "list before",
      "ADDED a",
      "ADDED b",
      "MODIFIED b",
      "MODIFIED a",
      "DELETED b",
      "ADDED end",
    ]);
  } finally {
    stop.abort();
    await Promise.all(pairs.flatMap((p) => [p.http.running, p.local.running]));
  }
});
