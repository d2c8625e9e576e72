import { assertEquals, assertMatch } from "../../../tests/helpers/assert.ts";
import type { KubeObject } from "../../../kube/types.ts";
import { CONFIG_MAP, ENDPOINTS, EVENT, PERSISTENT_VOLUME_CLAIM, SECRET } from "./core.ts";
import { NAMESPACE } from "./namespaces.ts";
import { NODE } from "./nodes.ts";
import { SERVICE } from "./services.ts";

const NOW = Date.parse("2026-01-01T00:01:00Z");

function obj(kind: string, body: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "v1",
    kind,
    metadata: { name: "x", namespace: "default", creationTimestamp: "2026-01-01T00:00:00Z" },
    ...body,
  };
}

Deno.test("namespace strategy: kubernetes finalizer and Active phase; finalizers kept on update", () => {
  const ns = obj("Namespace", {});
  NAMESPACE.prepareForCreate!(ns);
  assertEquals(ns.spec, { finalizers: ["kubernetes"] });
  assertEquals(NAMESPACE.row!(ns, NOW), ["x", "Active", "60s"]);
  const updated = obj("Namespace", { spec: { finalizers: [] } });
  NAMESPACE.prepareForUpdate!(updated, ns);
  assertEquals(updated.spec!.finalizers, ["kubernetes"]);
});

Deno.test("service strategy: defaults, ports required, cluster IP fixed once set", () => {
  const svc = obj("Service", { spec: { ports: [{ port: 80 }], selector: { app: "web" } } });
  SERVICE.applyDefaults!(svc);
  assertEquals(svc.spec!.type, "ClusterIP");
  assertEquals(svc.spec!.ports[0], { port: 80, protocol: "TCP", targetPort: 80 });
  assertEquals(SERVICE.validate!(svc), []);
  const bare = obj("Service", { spec: {} });
  SERVICE.applyDefaults!(bare);
  assertEquals(SERVICE.validate!(bare).map((e) => e.field), ["spec.ports"]);
  const two = obj("Service", { spec: { ports: [{ port: 80 }, { port: 443 }] } });
  SERVICE.applyDefaults!(two);
  assertEquals(SERVICE.validate!(two).map((e) => e.field), [
    "spec.ports[0].name",
    "spec.ports[1].name",
  ]);
  const old = obj("Service", { spec: { clusterIP: "10.43.0.10" } });
  const moved = obj("Service", { spec: { clusterIP: "10.43.0.11" } });
  assertMatch(SERVICE.validateUpdate!(moved, old)[0].message, /may not change once set/);
  svc.spec!.clusterIP = "10.43.0.10";
  assertEquals(SERVICE.row!(svc, NOW), [
    "x",
    "ClusterIP",
    "10.43.0.10",
    "<none>",
    "80/TCP",
    "60s",
    "app=web",
  ]);
});

Deno.test("configmap strategy: bad keys rejected, immutable data kept", () => {
  const errors = CONFIG_MAP.validate!(obj("ConfigMap", { data: { "a/b": "1" } }));
  assertEquals(errors.map((e) => e.field), ["data[a/b]"]);
  const old = obj("ConfigMap", { data: { a: "1" }, immutable: true });
  const changed = obj("ConfigMap", { data: { a: "2" }, immutable: true });
  assertEquals(CONFIG_MAP.validateUpdate!(changed, old).map((e) => e.field), ["data"]);
  assertEquals(CONFIG_MAP.row!(old, NOW), ["x", 1, "60s"]);
});

Deno.test("secret strategy: stringData folds into data; type is immutable; TLS keys required", () => {
  const secret = obj("Secret", { stringData: { password: "hé" } });
  SECRET.applyDefaults!(secret);
  SECRET.prepareForCreate!(secret);
  assertEquals(secret.type, "Opaque");
  assertEquals(secret.data, { password: "aMOp" });
  assertEquals(secret.stringData, undefined);
  const changed = obj("Secret", { type: "kubernetes.io/tls", data: {} });
  assertEquals(SECRET.validateUpdate!(changed, secret).map((e) => e.field), ["type"]);
  assertEquals(SECRET.validate!(changed).map((e) => e.field), ["data[tls.crt]", "data[tls.key]"]);
  assertEquals(SECRET.row!(secret, NOW), ["x", "Opaque", 1, "60s"]);
});

Deno.test("endpoints strategy: at most three endpoints shown", () => {
  const ep = obj("Endpoints", {
    subsets: [{
      addresses: ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"].map((ip) => ({ ip })),
      ports: [{ port: 80 }],
    }],
  });
  assertEquals(ENDPOINTS.row!(ep, NOW)[1], "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...");
});

Deno.test("event strategy: involvedObject field selectors and the Object cell", () => {
  const event = obj("Event", {
    involvedObject: { kind: "Pod", name: "web", namespace: "default" },
    reason: "Scheduled",
    type: "Normal",
    message: "assigned",
    lastTimestamp: "2026-01-01T00:00:30Z",
  });
  assertEquals(EVENT.fieldSelectors!["involvedObject.name"](event), "web");
  assertEquals(EVENT.row!(event, NOW).slice(0, 4), ["30s", "Normal", "Scheduled", "pod/web"]);
});

Deno.test("pvc strategy: storage request required; spec immutable except resources", () => {
  const pvc = obj("PersistentVolumeClaim", { spec: { accessModes: ["ReadWriteOnce"] } });
  assertEquals(PERSISTENT_VOLUME_CLAIM.validate!(pvc).map((e) => e.field), [
    "spec.resources[storage]",
  ]);
  const grown = obj("PersistentVolumeClaim", {
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } } },
  });
  assertEquals(PERSISTENT_VOLUME_CLAIM.validateUpdate!(grown, pvc), []);
  const modes = obj("PersistentVolumeClaim", { spec: { accessModes: ["ReadWriteMany"] } });
  assertEquals(PERSISTENT_VOLUME_CLAIM.validateUpdate!(modes, pvc).map((e) => e.field), ["spec"]);
});

Deno.test("node strategy: status, roles and taint effects", () => {
  const node = obj("Node", {
    spec: { unschedulable: true, taints: [{ key: "k", effect: "Sometimes" }] },
    status: {
      conditions: [{ type: "Ready", status: "True" }],
      nodeInfo: { kubeletVersion: "v1.32.0+k3ts" },
    },
  });
  node.metadata.labels = { "node-role.kubernetes.io/control-plane": "true" };
  assertEquals(NODE.row!(node, NOW).slice(0, 5), [
    "x",
    "Ready,SchedulingDisabled",
    "control-plane",
    "60s",
    "v1.32.0+k3ts",
  ]);
  assertEquals(NODE.validate!(node).map((e) => e.field), ["spec.taints[0].effect"]);
});
