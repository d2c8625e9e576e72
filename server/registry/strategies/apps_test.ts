import { assertEquals, assertMatch } from "../../../tests/helpers/assert.ts";
import type { FieldError, KubeObject } from "../../../kube/types.ts";
import {
  CONTROLLER_REVISION,
  DAEMON_SET,
  DEPLOYMENT,
  REPLICA_SET,
  STATEFUL_SET,
  TEMPLATE_GENERATION_ANNOTATION,
} from "./apps.ts";
import type { ResourceStrategy } from "../types.ts";

const NOW = Date.parse("2026-01-01T01:00:00Z");

function workload(kind: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind,
    metadata: {
      name: "web",
      namespace: "default",
      uid: "u1",
      creationTimestamp: "2026-01-01T00:00:00Z",
    },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] },
      },
      ...spec,
    },
  };
}

/** Defaults, prepares and validates like the store's create path. */
function create(strategy: ResourceStrategy, obj: KubeObject): FieldError[] {
  strategy.applyDefaults?.(obj);
  strategy.prepareForCreate?.(obj);
  return strategy.validate?.(obj) ?? [];
}

function lines(errors: FieldError[]): string[] {
  return errors.map((e) => `${e.field}: ${e.message}`);
}

Deno.test("apps: a deployment gets upstream's apps/v1 defaults and an empty status", () => {
  const d = workload("Deployment", {});
  d.status = { replicas: 3 };
  assertEquals(create(DEPLOYMENT, d), []);
  assertEquals(d.spec.replicas, 1);
  assertEquals(d.spec.strategy, {
    type: "RollingUpdate",
    rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" },
  });
  assertEquals(d.spec.revisionHistoryLimit, 10);
  assertEquals(d.spec.progressDeadlineSeconds, 600);
  assertEquals(d.spec.template.spec.restartPolicy, "Always");
  assertEquals(d.spec.template.spec.containers[0].imagePullPolicy, "IfNotPresent");
  assertEquals(d.status, {});
});

Deno.test("apps: daemon set and stateful set defaults", () => {
  const ds = workload("DaemonSet", {});
  assertEquals(create(DAEMON_SET, ds), []);
  assertEquals(ds.spec.updateStrategy, {
    type: "RollingUpdate",
    rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
  });
  assertEquals(ds.spec.revisionHistoryLimit, 10);

  const sts = workload("StatefulSet", {
    volumeClaimTemplates: [{
      metadata: { name: "data" },
      spec: { accessModes: ["ReadWriteOnce"] },
    }],
  });
  sts.spec.template.spec.containers[0].volumeMounts = [{ name: "data", mountPath: "/data" }];
  assertEquals(create(STATEFUL_SET, sts), []);
  assertEquals(sts.spec.replicas, 1);
  assertEquals(sts.spec.podManagementPolicy, "OrderedReady");
  assertEquals(sts.spec.updateStrategy, { type: "RollingUpdate", rollingUpdate: { partition: 0 } });
  assertEquals(sts.spec.persistentVolumeClaimRetentionPolicy, {
    whenDeleted: "Retain",
    whenScaled: "Retain",
  });
  assertEquals(sts.spec.volumeClaimTemplates[0].spec.volumeMode, "Filesystem");
  assertEquals(sts.spec.volumeClaimTemplates[0].status, { phase: "Pending" });

  const rs = workload("ReplicaSet", {});
  assertEquals(create(REPLICA_SET, rs), []);
  assertEquals(rs.spec.replicas, 1);
});

Deno.test("apps: a daemon set's template generation starts at 1 and counts template changes", () => {
  const generationOf = (ds: KubeObject) =>
    ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  /** Defaults and prepares like the store's update path. */
  const update = (old: KubeObject, change: (ds: KubeObject) => void) => {
    const ds = structuredClone(old);
    change(ds);
    DAEMON_SET.applyDefaults?.(ds);
    DAEMON_SET.prepareForUpdate?.(ds, old);
    return ds;
  };
  const created = workload("DaemonSet", {});
  assertEquals(create(DAEMON_SET, created), []);
  assertEquals(generationOf(created), "1");

  const relabelled = update(created, (ds) => {
    ds.metadata.labels = { tier: "node" };
    ds.spec.minReadySeconds = 5;
  });
  assertEquals(generationOf(relabelled), "1", "only a template change counts");
  const newImage = update(relabelled, (ds) => {
    ds.spec.template.spec.containers[0].image = "nginx:1.28";
  });
  assertEquals(generationOf(newImage), "2");
  const forged = update(newImage, (ds) => {
    ds.metadata.annotations = { [TEMPLATE_GENERATION_ANNOTATION]: "40" };
  });
  assertEquals(generationOf(forged), "2", "a client may not set it");
  const dropped = update(newImage, (ds) => {
    delete ds.metadata.annotations;
    ds.spec.template.metadata.labels.version = "3";
  });
  assertEquals(generationOf(dropped), "3");

  // One stored before the annotation was kept continues from its generation.
  const legacy = structuredClone(created);
  delete legacy.metadata.annotations;
  legacy.metadata.generation = 4;
  assertEquals(generationOf(update(legacy, () => {})), "4");
  // A DaemonSet restored with its annotation keeps it, as upstream.
  const restored = workload("DaemonSet", {});
  restored.metadata.annotations = { [TEMPLATE_GENERATION_ANNOTATION]: "7" };
  create(DAEMON_SET, restored);
  assertEquals(generationOf(restored), "7");
});

Deno.test("apps: the selector is required, non-empty and must match the template", () => {
  assertEquals(lines(create(DEPLOYMENT, workload("Deployment", { selector: undefined }))), [
    "spec.selector: Required value",
  ]);
  assertEquals(lines(create(DEPLOYMENT, workload("Deployment", { selector: {} }))), [
    "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), " +
    "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment",
  ]);
  const mismatch = workload("ReplicaSet", { selector: { matchLabels: { app: "x" } } });
  assertEquals(lines(create(REPLICA_SET, mismatch)), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: ' +
    "`selector` does not match template `labels`",
  ]);
});

Deno.test("apps: replicas, restart policy and the pod spec are checked", () => {
  const d = workload("Deployment", { replicas: -1 });
  d.spec.template.spec.restartPolicy = "Never";
  d.spec.template.spec.containers[0].image = "";
  assertEquals(lines(create(DEPLOYMENT, d)), [
    "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
    "spec.template.spec.containers[0].image: Required value",
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
  ]);
  const labels = workload("DaemonSet", {});
  labels.spec.template.metadata.labels["bad key!"] = "web";
  assertMatch(
    lines(create(DAEMON_SET, labels)).join("\n"),
    /^spec\.template\.labels: Invalid value: "bad key!"/m,
  );
});

Deno.test("apps: a rolling update may not have both maxSurge and maxUnavailable zero", () => {
  const d = workload("Deployment", {
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: "0%" } },
  });
  assertEquals(lines(create(DEPLOYMENT, d)), [
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0',
  ]);
});

Deno.test("apps: the selector is immutable", () => {
  const old = workload("Deployment", {});
  create(DEPLOYMENT, old);
  const same = structuredClone(old);
  same.spec.selector.matchExpressions = [];
  same.spec.replicas = 5;
  assertEquals(DEPLOYMENT.validateUpdate!(same, old), []);
  const changed = structuredClone(old);
  changed.spec.selector = { matchLabels: { app: "web2" } };
  assertEquals(lines(DEPLOYMENT.validateUpdate!(changed, old)), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, ' +
    "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable",
  ]);
});

Deno.test("apps: a stateful set update may change only scaling, template and rollout", () => {
  const old = workload("StatefulSet", { serviceName: "web" });
  create(STATEFUL_SET, old);
  const scaled = structuredClone(old);
  scaled.spec.replicas = 3;
  scaled.spec.template.spec.containers[0].image = "nginx:1.28";
  assertEquals(STATEFUL_SET.validateUpdate!(scaled, old), []);
  const renamed = structuredClone(old);
  renamed.spec.serviceName = "other";
  assertEquals(lines(STATEFUL_SET.validateUpdate!(renamed, old)), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', " +
    "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' " +
    "are forbidden",
  ]);
});

Deno.test("apps: rows match kubectl's columns", () => {
  const d = workload("Deployment", {});
  create(DEPLOYMENT, d);
  d.status = { readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1 };
  assertEquals(DEPLOYMENT.columns!.map((c) => c.name), [
    "Name",
    "Ready",
    "Up-to-date",
    "Available",
    "Age",
    "Containers",
    "Images",
    "Selector",
  ]);
  assertEquals(DEPLOYMENT.row!(d, NOW), [
    "web",
    "1/1",
    1,
    1,
    "60m",
    "nginx",
    "nginx:1.27",
    "app=web",
  ]);

  const ds = workload("DaemonSet", {});
  create(DAEMON_SET, ds);
  ds.spec.template.spec.nodeSelector = { "kubernetes.io/os": "linux" };
  assertEquals(DAEMON_SET.row!(ds, NOW).slice(0, 8), [
    "web",
    0,
    0,
    0,
    0,
    0,
    "kubernetes.io/os=linux",
    "60m",
  ]);

  const sts = workload("StatefulSet", {});
  create(STATEFUL_SET, sts);
  assertEquals(STATEFUL_SET.columns!.map((c) => c.name), [
    "Name",
    "Ready",
    "Age",
    "Containers",
    "Images",
  ]);
  assertEquals(STATEFUL_SET.row!(sts, NOW), ["web", "0/1", "60m", "nginx", "nginx:1.27"]);
});

Deno.test("apps: a controller revision names its controller and keeps its data", () => {
  const rev: KubeObject = {
    metadata: {
      name: "web-5d8f",
      namespace: "default",
      creationTimestamp: "2026-01-01T00:00:00Z",
      ownerReferences: [{
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        name: "web",
        uid: "u",
        controller: true,
      }],
    },
    data: { spec: {} },
    revision: 2,
  };
  assertEquals(CONTROLLER_REVISION.validate!(rev), []);
  assertEquals(CONTROLLER_REVISION.row!(rev, NOW), ["web-5d8f", "daemonset.apps/web", 2, "60m"]);
  const changed = { ...rev, data: { spec: { x: 1 } } };
  assertEquals(CONTROLLER_REVISION.validateUpdate!(changed, rev).map((e) => e.field), ["data"]);
  assertEquals(lines(CONTROLLER_REVISION.validate!({ ...rev, data: undefined })), [
    "data: Required value: data is mandatory",
  ]);
});
