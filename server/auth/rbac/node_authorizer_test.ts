import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { waitFor } from "../../../tests/helpers/wait.ts";
import type { KubeObject } from "../../../kube/types.ts";
import type { RequestAttributes } from "../../apiserver/authz.ts";
import type { RequestUser } from "../../apiserver/store_types.ts";
import { silentLogger } from "../../log.ts";
import { openTestStores } from "../../../tests/helpers/stores.ts";
import { createNodeAuthorizer, startNodeAuthorizer } from "./node_authorizer.ts";
import { NodeGraph, podReferences } from "./node_graph.ts";

const nodeA: RequestUser = {
  name: "system:node:a",
  groups: ["system:nodes", "system:authenticated"],
};
const nodeB: RequestUser = {
  name: "system:node:b",
  groups: ["system:nodes", "system:authenticated"],
};

function attrs(
  verb: string,
  combined: string,
  namespace?: string,
  name?: string,
  group = "",
): RequestAttributes {
  const [resource, subresource] = combined.split("/");
  return {
    verb,
    isResourceRequest: true,
    path: "",
    group,
    version: "v1",
    resource,
    subresource,
    namespace,
    name,
  };
}

function pod(name: string, nodeName: string | undefined, spec: Record<string, unknown> = {}) {
  return {
    kind: "Pod",
    metadata: { namespace: "apps", name },
    spec: { nodeName, containers: [{ name: "c", image: "i" }], ...spec },
  } as KubeObject;
}

const WEB_SPEC = {
  serviceAccountName: "web-sa",
  imagePullSecrets: [{ name: "registry" }],
  containers: [{
    name: "c",
    image: "i",
    env: [{ name: "A", valueFrom: { secretKeyRef: { name: "env-secret", key: "k" } } }],
    envFrom: [{ configMapRef: { name: "env-cm" } }],
  }],
  volumes: [
    { name: "cfg", configMap: { name: "cfg" } },
    { name: "tls", secret: { secretName: "tls" } },
    { name: "data", persistentVolumeClaim: { claimName: "data" } },
    {
      name: "mixed",
      projected: {
        sources: [{ secret: { name: "projected-secret" } }, { serviceAccountToken: {} }],
      },
    },
  ],
};

Deno.test("node graph: a pod's references", () => {
  const refs = podReferences(pod("web", "a", WEB_SPEC));
  assertEquals([...refs.secret].sort(), ["env-secret", "projected-secret", "registry", "tls"]);
  assertEquals([...refs.configmap].sort(), ["cfg", "env-cm"]);
  assertEquals([...refs.persistentvolumeclaim], ["data"]);
  assertEquals([...refs.serviceaccount], ["web-sa"]);
  assertEquals([...podReferences(pod("bare", "a")).serviceaccount], ["default"]);
});

Deno.test("node authorizer: secrets, config maps, claims and volumes follow bound pods", async (t) => {
  const graph = new NodeGraph();
  const authz = createNodeAuthorizer(graph);
  graph.applyPod("ADDED", pod("web", "a", WEB_SPEC));
  graph.applyPod(
    "ADDED",
    pod("pending", undefined, { volumes: [{ secret: { secretName: "p" } }] }),
  );
  graph.applyClaim("ADDED", {
    kind: "PersistentVolumeClaim",
    metadata: { namespace: "apps", name: "data" },
    spec: { volumeName: "pv-1" },
  });

  await t.step("the bound node may read what its pods reference", () => {
    assertEquals(authz.authorize(nodeA, attrs("get", "secrets", "apps", "tls")).allowed, true);
    assertEquals(
      authz.authorize(nodeA, attrs("watch", "secrets", "apps", "registry")).allowed,
      true,
    );
    assertEquals(
      authz.authorize(nodeA, attrs("get", "configmaps", "apps", "env-cm")).allowed,
      true,
    );
    assertEquals(
      authz.authorize(nodeA, attrs("get", "persistentvolumeclaims", "apps", "data")).allowed,
      true,
    );
    assertEquals(
      authz.authorize(nodeA, attrs("get", "persistentvolumes", undefined, "pv-1")).allowed,
      true,
    );
    assertEquals(
      authz.authorize(nodeA, attrs("get", "serviceaccounts", "apps", "web-sa")).allowed,
      true,
    );
    assertEquals(
      authz.authorize(nodeA, attrs("create", "serviceaccounts/token", "apps", "web-sa")).allowed,
      true,
    );
  });
  await t.step("other nodes, other objects and other verbs are not", () => {
    assertEquals(authz.authorize(nodeB, attrs("get", "secrets", "apps", "tls")), {
      allowed: false,
      reason: "no relationship found between node 'b' and this object",
    });
    assertEquals(authz.authorize(nodeA, attrs("get", "secrets", "apps", "other")).allowed, false);
    assertEquals(
      authz.authorize(nodeA, attrs("get", "secrets", "kube-system", "tls")).allowed,
      false,
    );
    assertEquals(
      authz.authorize(nodeA, attrs("get", "secrets", "apps", "p")).allowed,
      false,
      "unbound pod",
    );
    assertEquals(authz.authorize(nodeA, attrs("list", "secrets", "apps")), {
      allowed: false,
      reason: "No Object name found",
    });
    assertEquals(authz.authorize(nodeA, attrs("update", "secrets", "apps", "tls")), {
      allowed: false,
      reason: "can only read resources of this type",
    });
    assertEquals(
      authz.authorize(nodeA, attrs("list", "persistentvolumeclaims", "apps")).allowed,
      false,
    );
    assertEquals(
      authz.authorize(nodeB, attrs("get", "persistentvolumes", undefined, "pv-1")).allowed,
      false,
    );
    assertEquals(
      authz.authorize(nodeB, attrs("create", "serviceaccounts/token", "apps", "web-sa")).allowed,
      false,
    );
  });
  await t.step("deleting the pod takes the access away", () => {
    graph.applyPod("DELETED", pod("web", "a", WEB_SPEC));
    assertEquals(authz.authorize(nodeA, attrs("get", "secrets", "apps", "tls")).allowed, false);
    assertEquals(
      authz.authorize(nodeA, attrs("get", "persistentvolumes", undefined, "pv-1")).allowed,
      false,
    );
  });
  await t.step("moving a pod moves the access", () => {
    graph.applyPod("ADDED", pod("web", "a", WEB_SPEC));
    graph.applyPod("MODIFIED", pod("web", "b", WEB_SPEC));
    assertEquals(authz.authorize(nodeA, attrs("get", "secrets", "apps", "tls")).allowed, false);
    assertEquals(authz.authorize(nodeB, attrs("get", "secrets", "apps", "tls")).allowed, true);
  });
  await t.step("a reference shared by two pods stays while one remains", () => {
    graph.applyPod("ADDED", pod("web-2", "b", WEB_SPEC));
    graph.applyPod("DELETED", pod("web", "b", WEB_SPEC));
    assertEquals(authz.authorize(nodeB, attrs("get", "secrets", "apps", "tls")).allowed, true);
  });
});

Deno.test("node authorizer: nodes, pods, leases, events and everything else", async (t) => {
  const graph = new NodeGraph();
  const authz = createNodeAuthorizer(graph);
  graph.applyPod("ADDED", pod("web", "a"));
  const allowed = (user: RequestUser, a: RequestAttributes) => authz.authorize(user, a).allowed;

  await t.step("reads of nodes, services, endpoints, slices and pods", () => {
    assert(allowed(nodeA, attrs("list", "nodes")));
    assert(allowed(nodeA, attrs("get", "nodes", undefined, "b")));
    assert(allowed(nodeA, attrs("watch", "services")));
    assert(allowed(nodeA, attrs("list", "endpoints")));
    assert(
      allowed(nodeA, attrs("list", "endpointslices", undefined, undefined, "discovery.k8s.io")),
    );
    assert(allowed(nodeA, attrs("watch", "pods")));
  });
  await t.step("its own Node only, for writes", () => {
    assert(allowed(nodeA, attrs("create", "nodes")));
    assert(allowed(nodeA, attrs("patch", "nodes", undefined, "a")));
    assert(allowed(nodeA, attrs("update", "nodes/status", undefined, "a")));
    assert(!allowed(nodeA, attrs("patch", "nodes", undefined, "b")));
    assert(!allowed(nodeA, attrs("patch", "nodes/status", undefined, "b")));
    assert(!allowed(nodeA, attrs("delete", "nodes", undefined, "a")));
  });
  await t.step("status of pods bound to it, and their deletion", () => {
    assert(allowed(nodeA, attrs("patch", "pods/status", "apps", "web")));
    assert(!allowed(nodeB, attrs("patch", "pods/status", "apps", "web")));
    assert(!allowed(nodeA, attrs("update", "pods", "apps", "web")));
    assert(allowed(nodeA, attrs("delete", "pods", "apps", "web")));
    assertEquals(
      authz.authorize(nodeB, attrs("delete", "pods", "apps", "web")).reason,
      "node 'b' can only delete pods with spec.nodeName set to itself",
    );
  });
  await t.step("its own lease in kube-node-lease", () => {
    const lease = (verb: string, namespace: string, name?: string) =>
      attrs(verb, "leases", namespace, name, "coordination.k8s.io");
    assert(allowed(nodeA, lease("create", "kube-node-lease")));
    for (const verb of ["get", "update", "patch", "delete"]) {
      assert(allowed(nodeA, lease(verb, "kube-node-lease", "a")), verb);
    }
    assertEquals(
      authz.authorize(nodeA, lease("update", "kube-node-lease", "b")).reason,
      "can only access node lease with the same name as the requesting node",
    );
    assert(!allowed(nodeA, lease("get", "default", "a")));
    assert(!allowed(nodeA, lease("list", "kube-node-lease")));
  });
  await t.step("events", () => {
    assert(allowed(nodeA, attrs("create", "events", "apps")));
    assert(allowed(nodeA, attrs("patch", "events", "apps", "e", "events.k8s.io")));
    assert(!allowed(nodeA, attrs("delete", "events", "apps", "e")));
  });
  await t.step("no opinion on anything else, or for anyone else", () => {
    assertEquals(authz.authorize(nodeA, attrs("list", "deployments", "apps", undefined, "apps")), {
      allowed: false,
    });
    assert(!allowed(nodeA, attrs("get", "namespaces", undefined, "apps")));
    assert(!allowed({ name: "alice", groups: ["system:authenticated"] }, attrs("list", "nodes")));
    assert(
      !allowed({ name: "system:node:a", groups: ["system:authenticated"] }, attrs("list", "nodes")),
    );
    assertEquals(
      authz.authorize({ name: "system:node:", groups: ["system:nodes"] }, attrs("list", "nodes")),
      {
        allowed: false,
        reason: 'unknown node for user "system:node:"',
      },
    );
    assertEquals(
      authz.authorize(nodeA, {
        verb: "get",
        isResourceRequest: false,
        path: "/api",
        group: "",
        version: "",
      }),
      { allowed: false },
    );
  });
  await t.step("rulesFor says a node's rules cannot be listed", () => {
    assertEquals(authz.rulesFor(nodeA, "apps").incomplete, true);
    assertEquals(authz.rulesFor({ name: "alice", groups: [] }, "apps").incomplete, false);
  });
});

Deno.test("node authorizer: the graph follows the pod and claim stores", async () => {
  await using test = await openTestStores(["apps"]);
  const pods = test.stores.forKind("", "Pod");
  await pods.create("apps", pod("web", "a", WEB_SPEC));
  const stop = new AbortController();
  const node = await startNodeAuthorizer(test.stores, {
    signal: stop.signal,
    logger: silentLogger,
  });
  try {
    await node.synced();
    assertEquals(node.authorize(nodeA, attrs("get", "secrets", "apps", "tls")).allowed, true);
    await test.stores.forKind("", "PersistentVolumeClaim").create("apps", {
      metadata: { name: "data" },
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "1Gi" } },
        volumeName: "pv-1",
      },
    });
    await waitFor(
      "the claim's volume to be readable",
      () => node.authorize(nodeA, attrs("get", "persistentvolumes", undefined, "pv-1")).allowed,
    );
    await pods.delete("apps", "web", { gracePeriodSeconds: 0 });
    await waitFor(
      "the pod deletion to revoke",
      () => !node.authorize(nodeA, attrs("get", "secrets", "apps", "tls")).allowed,
    );
  } finally {
    stop.abort();
    await node.done;
  }
});
