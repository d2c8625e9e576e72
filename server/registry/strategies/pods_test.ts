import { assert, assertEquals, assertMatch } from "../../../tests/helpers/assert.ts";
import type { KubeObject } from "../../../kube/types.ts";
import { POD, podStatusReason, qosClassOf } from "./pods.ts";

function pod(spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", creationTimestamp: "2026-01-01T00:00:00Z" },
    spec,
    ...(status ? { status } : {}),
  };
}

Deno.test("pod strategy: defaults the spec, containers and probes like upstream", () => {
  const p = pod({ containers: [{ name: "c", image: "busybox", ports: [{ containerPort: 80 }] }] });
  POD.applyDefaults!(p);
  POD.prepareForCreate!(p);
  assertEquals(p.spec!.restartPolicy, "Always");
  assertEquals(p.spec!.dnsPolicy, "ClusterFirst");
  assertEquals(p.spec!.terminationGracePeriodSeconds, 30);
  const c = p.spec!.containers[0];
  assertEquals(c.imagePullPolicy, "Always");
  assertEquals(c.terminationMessagePath, "/dev/termination-log");
  assertEquals(c.ports[0].protocol, "TCP");
  assertEquals(p.status, { phase: "Pending", qosClass: "BestEffort" });
  assertEquals(p.spec!.tolerations.length, 2);
});

Deno.test("pod strategy: tagged images are pulled if not present", () => {
  const p = pod({ containers: [{ name: "c", image: "registry:5000/nginx:1.27" }] });
  POD.applyDefaults!(p);
  assertEquals(p.spec!.containers[0].imagePullPolicy, "IfNotPresent");
});

Deno.test("pod strategy: containers are required, names unique, images required", () => {
  assertEquals(POD.validate!(pod({ containers: [] })).map((e) => `${e.field}: ${e.message}`), [
    "spec.containers: Required value",
  ]);
  const errors = POD.validate!(pod({
    containers: [{ name: "c", image: "x" }, { name: "c" }],
    restartPolicy: "Sometimes",
  }));
  assertEquals(errors.map((e) => e.field), [
    "spec.containers[1].name",
    "spec.containers[1].image",
    "spec.restartPolicy",
  ]);
  assertMatch(errors[2].message, /^Unsupported value: "Sometimes": supported values:/);
});

Deno.test("pod strategy: a volume mount must name a volume", () => {
  const errors = POD.validate!(pod({
    containers: [{ name: "c", image: "x", volumeMounts: [{ name: "data", mountPath: "/d" }] }],
  }));
  assertEquals(errors.map((e) => `${e.field}: ${e.message}`), [
    'spec.containers[0].volumeMounts[0].name: Not found: "data"',
  ]);
});

Deno.test("pod strategy: updates may change images but not other spec fields", () => {
  const old = pod({ containers: [{ name: "c", image: "a" }] });
  const image = pod({ containers: [{ name: "c", image: "b" }] });
  assertEquals(POD.validateUpdate!(image, old), []);
  const command = pod({ containers: [{ name: "c", image: "a", command: ["sh"] }] });
  const [error] = POD.validateUpdate!(command, old);
  assertEquals(error.field, "spec");
  assertMatch(error.message, /^Forbidden: pod updates may not change fields/);
});

Deno.test("pod strategy: QoS class from requests and limits", () => {
  const limits = { cpu: "1", memory: "1Gi" };
  assertEquals(qosClassOf({ containers: [{ resources: { limits } }] }), "Guaranteed");
  assertEquals(
    qosClassOf({ containers: [{ resources: { requests: { cpu: "500m" }, limits } }] }),
    "Burstable",
  );
  assertEquals(qosClassOf({ containers: [{}] }), "BestEffort");
});

Deno.test("pod strategy: the status cell prefers waiting reasons and shows Terminating", () => {
  const waiting = pod({ containers: [{ name: "c" }] }, {
    phase: "Pending",
    containerStatuses: [{ ready: false, state: { waiting: { reason: "ContainerCreating" } } }],
  });
  assertEquals(podStatusReason(waiting), "ContainerCreating");
  waiting.metadata.deletionTimestamp = "2026-01-01T00:00:01Z";
  assertEquals(podStatusReason(waiting), "Terminating");
  const row = POD.row!(
    pod({ containers: [{ name: "c" }], nodeName: "n1" }, {
      phase: "Running",
      podIP: "10.42.0.5",
      containerStatuses: [{ ready: true, restartCount: 2, state: { running: {} } }],
    }),
    Date.parse("2026-01-01T00:00:30Z"),
  );
  assertEquals(row, ["p", "1/1", "Running", 2, "30s", "10.42.0.5", "n1", "<none>", "<none>"]);
  assert(POD.columns!.length === row.length);
});

Deno.test("pod strategy: field selectors read spec.nodeName and status.phase", () => {
  const p = pod({ nodeName: "n1" }, { phase: "Running" });
  assertEquals(POD.fieldSelectors!["spec.nodeName"](p), "n1");
  assertEquals(POD.fieldSelectors!["status.phase"](p), "Running");
  assertEquals(POD.fieldSelectors!["spec.hostNetwork"](p), "false");
});
