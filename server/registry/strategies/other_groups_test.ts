import { assertEquals } from "../../../tests/helpers/assert.ts";
import type { FieldError, KubeObject } from "../../../kube/types.ts";
import {
  CLUSTER_ROLE,
  CLUSTER_ROLE_BINDING,
  ENDPOINT_SLICE,
  EVENTS_K8S_EVENT,
  INGRESS,
  LEASE,
  NETWORK_POLICY,
  ROLE,
  ROLE_BINDING,
  STORAGE_CLASS,
} from "./other_groups.ts";

const NOW = Date.parse("2026-01-01T01:00:00Z");

function obj(
  fields: Record<string, unknown>,
  namespace: string | undefined = "default",
): KubeObject {
  return {
    metadata: { name: "x", namespace, creationTimestamp: "2026-01-01T00:00:00.000Z" },
    ...fields,
  };
}

function lines(errors: FieldError[]): string[] {
  return errors.map((e) => `${e.field}: ${e.message}`);
}

Deno.test("other groups: lease holder column and duration check", () => {
  const lease = obj({ spec: { holderIdentity: "node-1", leaseDurationSeconds: 0 } });
  assertEquals(lines(LEASE.validate!(lease)), [
    "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
  ]);
  assertEquals(LEASE.row!(lease, NOW), ["x", "node-1", "60m"]);
});

Deno.test("other groups: endpoint slices default ports and fix their address type", () => {
  const slice = obj({
    addressType: "IPv4",
    endpoints: [{ addresses: ["10.0.0.1"] }, { addresses: ["10.0.0.2", "10.0.0.3", "10.0.0.4"] }],
    ports: [{ port: 80 }],
  });
  ENDPOINT_SLICE.applyDefaults!(slice);
  assertEquals(slice.ports, [{ port: 80, name: "", protocol: "TCP" }]);
  assertEquals(ENDPOINT_SLICE.validate!(slice), []);
  assertEquals(ENDPOINT_SLICE.row!(slice, NOW), [
    "x",
    "IPv4",
    "80",
    "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...",
    "60m",
  ]);
  assertEquals(lines(ENDPOINT_SLICE.validate!(obj({ addressType: "IPX" }))), [
    'addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"',
  ]);
  assertEquals(lines(ENDPOINT_SLICE.validate!(obj({}))), ["addressType: Required value"]);
  assertEquals(lines(ENDPOINT_SLICE.validateUpdate!({ ...slice, addressType: "IPv6" }, slice)), [
    'addressType: Invalid value: "IPv6": field is immutable',
  ]);
});

Deno.test("other groups: ingress paths need a path type and absolute paths", () => {
  const backend = { service: { name: "web", port: { number: 80 } } };
  const ingress = obj({
    spec: {
      rules: [{
        host: "example.com",
        http: {
          paths: [
            { path: "/", pathType: "Prefix", backend },
            { path: "/x", backend },
            { path: "api", pathType: "Exact", backend },
            { path: "/", pathType: "Regex", backend },
          ],
        },
      }],
    },
  });
  assertEquals(lines(INGRESS.validate!(ingress)), [
    "spec.rules[0].http.paths[1].pathType: Required value: pathType must be specified",
    'spec.rules[0].http.paths[2].path: Invalid value: "api": must be an absolute path',
    'spec.rules[0].http.paths[3].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
  ]);
  assertEquals(lines(INGRESS.validate!(obj({ spec: {} }))), [
    "spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified",
  ]);
  ingress.status = { loadBalancer: { ingress: [{ ip: "10.0.0.9" }] } };
  ingress.spec.tls = [{ hosts: ["example.com"] }];
  assertEquals(INGRESS.row!(ingress, NOW), [
    "x",
    "<none>",
    "example.com",
    "10.0.0.9",
    "80, 443",
    "60m",
  ]);
});

Deno.test("other groups: network policies default their policy types", () => {
  const policy = obj({ spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } });
  NETWORK_POLICY.applyDefaults!(policy);
  assertEquals(policy.spec.policyTypes, ["Ingress", "Egress"]);
  assertEquals(policy.spec.egress[0].ports[0].protocol, "TCP");
  assertEquals(NETWORK_POLICY.validate!(policy), []);
  assertEquals(NETWORK_POLICY.row!(policy, NOW), ["x", "<none>", "60m"]);
  const ingressOnly = obj({ spec: { podSelector: { matchLabels: { app: "db" } } } });
  NETWORK_POLICY.applyDefaults!(ingressOnly);
  assertEquals(ingressOnly.spec.policyTypes, ["Ingress"]);
  assertEquals(NETWORK_POLICY.row!(ingressOnly, NOW)[1], "app=db");
});

Deno.test("other groups: storage classes default, mark the default class and freeze provisioning", () => {
  const sc = obj({ provisioner: "rancher.io/local-path" }, undefined);
  sc.metadata.annotations = { "storageclass.kubernetes.io/is-default-class": "true" };
  STORAGE_CLASS.applyDefaults!(sc);
  assertEquals([sc.reclaimPolicy, sc.volumeBindingMode], ["Delete", "Immediate"]);
  assertEquals(STORAGE_CLASS.validate!(sc), []);
  assertEquals(STORAGE_CLASS.row!(sc, NOW), [
    "x (default)",
    "rancher.io/local-path",
    "Delete",
    "Immediate",
    false,
    "60m",
  ]);
  assertEquals(lines(STORAGE_CLASS.validate!(obj({ volumeBindingMode: "Immediate" }, undefined))), [
    "provisioner: Required value",
  ]);
  const changed = { ...sc, provisioner: "other", volumeBindingMode: "WaitForFirstConsumer" };
  assertEquals(lines(STORAGE_CLASS.validateUpdate!(changed, sc)), [
    "provisioner: Forbidden: updates to provisioner are forbidden.",
    'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
  ]);
});

Deno.test("other groups: RBAC names are path segments and rules need verbs", () => {
  for (const strategy of [ROLE, CLUSTER_ROLE, ROLE_BINDING, CLUSTER_ROLE_BINDING]) {
    assertEquals(strategy.nameRule, "pathSegment");
  }
  const role = obj({ rules: [{ apiGroups: [""], resources: ["pods"] }] });
  assertEquals(lines(ROLE.validate!(role)), [
    "rules[0].verbs: Required value: verbs must contain at least one value",
  ]);
  assertEquals(ROLE.row!(role, NOW), ["x", "2026-01-01T00:00:00Z"]);
  const urls = obj({ rules: [{ verbs: ["get"], nonResourceURLs: ["/healthz"] }] });
  assertEquals(CLUSTER_ROLE.validate!(urls), []);
  assertEquals(lines(ROLE.validate!(urls)), [
    'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
  ]);
});

Deno.test("other groups: bindings default their groups and keep their roleRef", () => {
  const binding = obj({
    roleRef: { kind: "ClusterRole", name: "view" },
    subjects: [
      { kind: "User", name: "alice" },
      { kind: "ServiceAccount", name: "default", namespace: "default" },
    ],
  });
  ROLE_BINDING.applyDefaults!(binding);
  assertEquals(binding.roleRef.apiGroup, "rbac.authorization.k8s.io");
  assertEquals(binding.subjects[0].apiGroup, "rbac.authorization.k8s.io");
  assertEquals(binding.subjects[1].apiGroup, "");
  assertEquals(ROLE_BINDING.validate!(binding), []);
  assertEquals(ROLE_BINDING.row!(binding, NOW), [
    "x",
    "ClusterRole/view",
    "60m",
    "alice",
    "",
    "default/default",
  ]);
  const changed = structuredClone(binding);
  changed.roleRef.name = "edit";
  assertEquals(lines(ROLE_BINDING.validateUpdate!(changed, binding)), [
    'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
  ]);
  const missing = obj({}, undefined);
  CLUSTER_ROLE_BINDING.applyDefaults!(missing);
  assertEquals(lines(CLUSTER_ROLE_BINDING.validate!(missing)), [
    'roleRef.kind: Unsupported value: "": supported values: "ClusterRole"',
    "roleRef.name: Required value",
  ]);
});

Deno.test("other groups: events.k8s.io events print like core events", () => {
  const event = obj({
    eventTime: "2026-01-01T00:30:00.000000Z",
    reportingController: "kubelet",
    reportingInstance: "node-1",
    regarding: { kind: "Pod", name: "web-1", fieldPath: "spec.containers{web}" },
    reason: "Pulled",
    type: "Normal",
    note: " Image pulled \n",
  });
  assertEquals(EVENTS_K8S_EVENT.row!(event, NOW), [
    "30m",
    "Normal",
    "Pulled",
    "pod/web-1",
    "spec.containers{web}",
    "kubelet, node-1",
    "Image pulled",
    "30m",
    1,
    "x",
  ]);
  assertEquals(EVENTS_K8S_EVENT.fieldSelectors!["regarding.name"](event), "web-1");
});
