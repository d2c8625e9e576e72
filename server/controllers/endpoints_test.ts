import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import type { KubeObject } from "../../kube/types.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { silentLogger } from "../log.ts";
import {
  MANAGED_BY,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
  startEndpointSliceController,
} from "./endpoint_slices.ts";
import { startEndpointsController } from "./endpoints.ts";
import { inProcessInformers } from "../apiserver/in_process_list_watch.ts";
import { setPodReady } from "./_test_pods.ts";

function startControllers(stores: StoreSet, maxEndpointsPerSlice?: number) {
  const stop = new AbortController();
  const informers = inProcessInformers(stores, {
    signal: stop.signal,
    logger: silentLogger,
  });
  const common = { signal: stop.signal, logger: silentLogger, informers };
  const running = Promise.all([
    startEndpointsController(stores, common),
    startEndpointSliceController(stores, { ...common, maxEndpointsPerSlice }),
  ]);
  return async () => {
    stop.abort();
    await running;
    await informers.stopped();
  };
}

async function pod(
  stores: StoreSet,
  name: string,
  httpPort: number,
  extra: Partial<KubeObject["metadata"]> = {},
) {
  const { object } = await stores.forKind("", "Pod").create("ns", {
    metadata: { name, labels: { app: "web" }, ...extra },
    spec: {
      containers: [{
        name: "web",
        image: "nginx",
        ports: [{ name: "http", containerPort: httpPort }],
      }],
    },
  });
  return object;
}

async function slicesOf(stores: StoreSet, service: string): Promise<KubeObject[]> {
  const list = await stores.forKind("discovery.k8s.io", "EndpointSlice").list("ns", {
    labelSelector: `${SERVICE_NAME_LABEL}=${service}`,
  });
  return list.items;
}

/** `ip:port ready` for every endpoint in a service's slices, sorted. */
async function sliceView(stores: StoreSet, service: string): Promise<string[]> {
  const view: string[] = [];
  for (const slice of await slicesOf(stores, service)) {
    const http = (slice.ports ?? []).find((p: { name: string }) => p.name === "http");
    for (const e of slice.endpoints ?? []) {
      const c = e.conditions;
      view.push(`${e.addresses[0]}:${http?.port} ${c.ready}/${c.serving}/${c.terminating}`);
    }
  }
  return view.sort();
}

Deno.test("endpoints: follow pod readiness, named target ports and deletion", async (t) => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  const stopControllers = startControllers(stores);
  const endpoints = stores.forKind("", "Endpoints");
  try {
    const { object: service } = await stores.forKind("", "Service").create("ns", {
      metadata: { name: "web", labels: { tier: "front" } },
      spec: {
        selector: { app: "web" },
        ports: [
          { name: "http", port: 80, targetPort: "http" },
          { name: "metrics", port: 9090, targetPort: 9090 },
        ],
      },
    });
    const a = await setPodReady(stores, await pod(stores, "a", 8080), true, "10.42.0.1");
    const b = await setPodReady(stores, await pod(stores, "b", 8080), false, "10.42.0.2");
    // Another version serves the named port on another number.
    await setPodReady(stores, await pod(stores, "c", 8081), true, "10.42.0.3");

    await t.step("Endpoints: ready pods in addresses, not-ready in notReadyAddresses", async () => {
      const ep = await waitFor("endpoints", async () => {
        const ep = await endpoints.find("ns", "web");
        return ep?.subsets?.length === 2 && ep;
      });
      assertEquals(ep.metadata.labels, { tier: "front" });
      interface Subset {
        addresses: { ip: string; targetRef: { name: string; uid: string } }[];
        notReadyAddresses: { ip: string }[];
        ports: { name: string; port: number }[];
      }
      const byPort = new Map<number, Subset>(
        (ep.subsets as Subset[]).map((s) => [s.ports.find((p) => p.name === "http")!.port, s]),
      );
      const v1 = byPort.get(8080)!;
      assertEquals(v1.addresses.map((x) => x.ip), ["10.42.0.1"]);
      assertEquals(v1.notReadyAddresses.map((x) => x.ip), ["10.42.0.2"]);
      assertEquals(v1.addresses[0].targetRef.name, "a");
      assertEquals(v1.addresses[0].targetRef.uid, a.metadata.uid);
      assertEquals(
        v1.ports.find((p) => p.name === "metrics")!.port,
        9090,
      );
      assertEquals(byPort.get(8081)!.addresses.map((x) => x.ip), ["10.42.0.3"]);
    });

    await t.step("EndpointSlices: labels, owner, resolved ports and conditions", async () => {
      const view = await waitFor("slices", async () => {
        const view = await sliceView(stores, "web");
        return view.length === 3 && view;
      });
      assertEquals(view, [
        "10.42.0.1:8080 true/true/false",
        "10.42.0.2:8080 false/false/false",
        "10.42.0.3:8081 true/true/false",
      ]);
      for (const slice of await slicesOf(stores, "web")) {
        const { labels, ownerReferences, name } = slice.metadata;
        assertEquals(labels?.[MANAGED_BY_LABEL], MANAGED_BY);
        assertEquals(labels?.tier, "front");
        assertEquals(slice.addressType, "IPv4");
        assertEquals(ownerReferences?.[0].uid, service.metadata.uid);
        assertEquals(ownerReferences?.[0].controller, true);
        assert(name?.startsWith("web-"), name);
      }
    });

    await t.step("readiness changes move addresses", async () => {
      await setPodReady(stores, b, true);
      await setPodReady(stores, a, false);
      await waitFor("b ready, a not", async () => {
        const ep = await endpoints.get("ns", "web");
        const v1 = ep.subsets.find((s: { ports: { port: number }[] }) =>
          s.ports.some((p) => p.port === 8080)
        );
        return v1?.addresses?.[0]?.ip === "10.42.0.2" &&
          v1.notReadyAddresses?.[0]?.ip === "10.42.0.1";
      });
      await waitFor("slices follow", async () => {
        const view = await sliceView(stores, "web");
        return view.includes("10.42.0.2:8080 true/true/false") &&
          view.includes("10.42.0.1:8080 false/false/false");
      });
    });

    await t.step(
      "a terminating pod leaves Endpoints and is marked terminating in slices",
      async () => {
        const held = await pod(stores, "held", 8080, { finalizers: ["test/hold"] });
        await setPodReady(stores, held, true, "10.42.0.9");
        await waitFor("held listed", async () => (await sliceView(stores, "web")).length === 4);
        await stores.forKind("", "Pod").delete("ns", "held");
        await waitFor(
          "held terminating",
          async () => (await sliceView(stores, "web")).includes("10.42.0.9:8080 false/true/true"),
        );
        const ep = await endpoints.get("ns", "web");
        assert(!JSON.stringify(ep.subsets).includes("10.42.0.9"), "not in Endpoints");
        await stores.forKind("", "Pod").patch("ns", "held", "merge", {
          metadata: { finalizers: null },
        });
        // An unbound pod was deleted with grace 0: dropping its last finalizer removes it.
        await waitFor("held gone", async () => (await sliceView(stores, "web")).length === 3);
      },
    );

    await t.step("deleted pods leave, and an emptied Service keeps one empty slice", async () => {
      for (const name of ["a", "b", "c"]) await stores.forKind("", "Pod").delete("ns", name);
      await waitFor("no addresses", async () => {
        const ep = await endpoints.get("ns", "web");
        return ep.subsets === undefined;
      });
      const slices = await waitFor("placeholder", async () => {
        const slices = await slicesOf(stores, "web");
        return slices.length === 1 && (slices[0].endpoints ?? []).length === 0 && slices;
      });
      assertEquals(slices[0].ports ?? [], []);
    });

    await t.step("a deleted Service loses its Endpoints and slices", async () => {
      await stores.forKind("", "Service").delete("ns", "web");
      await waitFor("cleaned up", async () =>
        (await endpoints.find("ns", "web")) === undefined &&
        (await slicesOf(stores, "web")).length === 0);
    });
  } finally {
    await stopControllers();
  }
});

Deno.test("endpoints: slices hold at most the configured number of endpoints", async () => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  const stopControllers = startControllers(stores, 2);
  try {
    await stores.forKind("", "Service").create("ns", {
      metadata: { name: "web" },
      spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    });
    const pods = [];
    for (let i = 1; i <= 5; i++) {
      pods.push(await setPodReady(stores, await pod(stores, `p${i}`, 8080), true, `10.42.1.${i}`));
    }
    const slices = await waitFor("3 slices", async () => {
      const slices = await slicesOf(stores, "web");
      const count = slices.reduce((n, s) => n + (s.endpoints ?? []).length, 0);
      return slices.length === 3 && count === 5 && slices;
    });
    assert(slices.every((s) => s.endpoints.length <= 2));
    // Endpoints stay in their slice: a readiness change rewrites only that slice.
    const holder = slices.find((s) =>
      s.endpoints.some((e: { addresses: string[] }) => e.addresses[0] === "10.42.1.1")
    )!;
    const untouched = slices.filter((s) => s !== holder).map((s) => s.metadata.resourceVersion);
    await setPodReady(stores, pods[0], false);
    await waitFor(
      "p1 not ready",
      async () => (await sliceView(stores, "web")).includes("10.42.1.1:8080 false/false/false"),
    );
    const after = await slicesOf(stores, "web");
    assertEquals(
      after.filter((s) => s.metadata.name !== holder.metadata.name).map((s) =>
        s.metadata.resourceVersion
      ),
      untouched,
    );
    for (const p of pods.slice(1)) await stores.forKind("", "Pod").delete("ns", p.metadata.name!);
    await waitFor("one slice", async () => {
      const slices = await slicesOf(stores, "web");
      return slices.length === 1 && slices[0].endpoints.length === 1;
    });
  } finally {
    await stopControllers();
  }
});

Deno.test("endpoints: a Service without a selector keeps its user-written Endpoints", async () => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  const stopControllers = startControllers(stores);
  try {
    await stores.forKind("", "Service").create("ns", {
      metadata: { name: "external" },
      spec: { ports: [{ port: 5432 }] },
    });
    await stores.forKind("", "Endpoints").create("ns", {
      metadata: { name: "external" },
      subsets: [{ addresses: [{ ip: "192.0.2.10" }], ports: [{ port: 5432 }] }],
    });
    // A selector-backed service, synced after the other, tells us the controller has run.
    await stores.forKind("", "Service").create("ns", {
      metadata: { name: "marker" },
      spec: { selector: { app: "none" }, ports: [{ port: 80 }] },
    });
    await waitFor(
      "marker synced",
      async () => (await stores.forKind("", "Endpoints").find("ns", "marker")) !== undefined,
    );
    const ep = await stores.forKind("", "Endpoints").get("ns", "external");
    assertEquals(ep.subsets[0].addresses[0].ip, "192.0.2.10");
    assertEquals((await slicesOf(stores, "external")).length, 0);
  } finally {
    await stopControllers();
  }
});
