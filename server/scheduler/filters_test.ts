import { assertEquals } from "../../tests/helpers/assert.ts";
import type { KubeObject } from "../../kube/types.ts";
import { footprintOf } from "./cache.ts";
import { filterInput, filterNode, REASONS } from "./filters.ts";
import { NodeInfo } from "./node_info.ts";
import { testNode, type TestNodeOptions, testPod } from "./_test_objects.ts";

function nodeInfo(options: TestNodeOptions = {}, pods: KubeObject[] = [], name = "n1"): NodeInfo {
  const info = new NodeInfo(name);
  info.setNode(testNode(name, options));
  for (const pod of pods) info.addPod(footprintOf(pod, name));
  return info;
}

/** The filter verdict as `[plugin, code, reasons]`, or "fits". */
function verdict(pod: KubeObject, node: NodeInfo): unknown {
  const failure = filterNode(filterInput(pod), node);
  return failure ? [failure.plugin, failure.code, failure.reasons] : "fits";
}

Deno.test("filters: a plain pod fits a plain node", () => {
  assertEquals(verdict(testPod("p"), nodeInfo()), "fits");
});

Deno.test("filters: NodeName", () => {
  assertEquals(verdict(testPod("p", { nodeName: "n1" }), nodeInfo()), "fits");
  assertEquals(verdict(testPod("p", { nodeName: "other" }), nodeInfo()), [
    "NodeName",
    "UnschedulableAndUnresolvable",
    ["node(s) didn't match the requested node name"],
  ]);
});

Deno.test("filters: NodeUnschedulable, and the toleration that lifts it", () => {
  const cordoned = nodeInfo({ unschedulable: true });
  assertEquals(verdict(testPod("p"), cordoned), [
    "NodeUnschedulable",
    "UnschedulableAndUnresolvable",
    ["node(s) were unschedulable"],
  ]);
  const tolerant = testPod("p", {
    tolerations: [{
      key: "node.kubernetes.io/unschedulable",
      operator: "Exists",
      effect: "NoSchedule",
    }],
  });
  assertEquals(verdict(tolerant, cordoned), "fits");
  assertEquals(verdict(testPod("p", { tolerations: [{ operator: "Exists" }] }), cordoned), "fits");
});

Deno.test("filters: nodeSelector", () => {
  const node = nodeInfo({ labels: { disk: "ssd", zone: "a" } });
  assertEquals(verdict(testPod("p", { nodeSelector: { disk: "ssd" } }), node), "fits");
  assertEquals(verdict(testPod("p", { nodeSelector: { disk: "ssd", zone: "b" } }), node), [
    "NodeAffinity",
    "UnschedulableAndUnresolvable",
    ["node(s) didn't match Pod's node affinity/selector"],
  ]);
});

Deno.test("filters: required node affinity operators", async (t) => {
  const node = nodeInfo({ labels: { disk: "ssd", cores: "8" } }, [], "worker-1");
  const withTerms = (...terms: Record<string, unknown>[]) =>
    testPod("p", {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms },
        },
      },
    });
  const expr = (key: string, operator: string, values?: string[]) => ({
    matchExpressions: [{ key, operator, ...(values ? { values } : {}) }],
  });
  const cases: [string, Record<string, unknown>, boolean][] = [
    ["In matches", expr("disk", "In", ["hdd", "ssd"]), true],
    ["In misses", expr("disk", "In", ["hdd"]), false],
    ["NotIn matches", expr("disk", "NotIn", ["hdd"]), true],
    ["NotIn with the label absent matches", expr("gpu", "NotIn", ["yes"]), true],
    ["NotIn misses", expr("disk", "NotIn", ["ssd"]), false],
    ["Exists", expr("disk", "Exists"), true],
    ["Exists misses", expr("gpu", "Exists"), false],
    ["DoesNotExist", expr("gpu", "DoesNotExist"), true],
    ["DoesNotExist misses", expr("disk", "DoesNotExist"), false],
    ["Gt", expr("cores", "Gt", ["4"]), true],
    ["Gt misses", expr("cores", "Gt", ["8"]), false],
    ["Lt", expr("cores", "Lt", ["16"]), true],
    ["Gt on a non-number label misses", expr("disk", "Gt", ["1"]), false],
    ["Gt with a bad operand misses", expr("cores", "Gt", ["x"]), false],
    [
      "matchFields metadata.name In",
      { matchFields: [{ key: "metadata.name", operator: "In", values: ["worker-1"] }] },
      true,
    ],
    [
      "matchFields metadata.name NotIn",
      { matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["worker-1"] }] },
      false,
    ],
    ["an empty term matches nothing", {}, false],
    [
      "requirements in a term are ANDed",
      {
        matchExpressions: [
          { key: "disk", operator: "In", values: ["ssd"] },
          { key: "gpu", operator: "Exists" },
        ],
      },
      false,
    ],
  ];
  for (const [name, term, fits] of cases) {
    await t.step(name, () => {
      const result = verdict(withTerms(term), node);
      assertEquals(result === "fits", fits, JSON.stringify(result));
      if (!fits) {
        assertEquals((result as unknown[])[2], [
          "node(s) didn't match Pod's node affinity/selector",
        ]);
      }
    });
  }
  await t.step("terms are ORed", () => {
    assertEquals(
      verdict(withTerms(expr("gpu", "Exists"), expr("disk", "In", ["ssd"])), node),
      "fits",
    );
  });
  await t.step("nodeSelector and affinity must both hold", () => {
    const pod = withTerms(expr("disk", "In", ["ssd"]));
    pod.spec.nodeSelector = { cores: "2" };
    assertEquals(verdict(pod, node) === "fits", false);
  });
});

Deno.test("filters: taints and tolerations", async (t) => {
  const tainted = (effect: "NoSchedule" | "NoExecute" | "PreferNoSchedule", value?: string) =>
    nodeInfo({ taints: [{ key: "dedicated", ...(value ? { value } : {}), effect }] });
  await t.step("NoSchedule rejects, with key and value in the reason", () => {
    assertEquals(verdict(testPod("p"), tainted("NoSchedule", "gpu")), [
      "TaintToleration",
      "UnschedulableAndUnresolvable",
      ["node(s) had untolerated taint {dedicated: gpu}"],
    ]);
  });
  await t.step("NoExecute rejects; an empty value shows as nothing", () => {
    assertEquals(verdict(testPod("p"), tainted("NoExecute")), [
      "TaintToleration",
      "UnschedulableAndUnresolvable",
      ["node(s) had untolerated taint {dedicated: }"],
    ]);
  });
  await t.step("PreferNoSchedule does not reject", () => {
    assertEquals(verdict(testPod("p"), tainted("PreferNoSchedule")), "fits");
  });
  await t.step("Equal needs the same value; Exists any", () => {
    const equal = testPod("p", {
      tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }],
    });
    assertEquals(verdict(equal, tainted("NoSchedule", "gpu")), "fits");
    assertEquals(verdict(equal, tainted("NoSchedule", "db")) === "fits", false);
    const exists = testPod("p", { tolerations: [{ key: "dedicated", operator: "Exists" }] });
    assertEquals(verdict(exists, tainted("NoExecute", "db")), "fits");
  });
  await t.step("a toleration for another effect does not help", () => {
    const pod = testPod("p", {
      tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoExecute" }],
    });
    assertEquals(verdict(pod, tainted("NoSchedule")) === "fits", false);
  });
  await t.step("a not-ready node is excluded by its taint", () => {
    const notReady = nodeInfo({
      taints: [{ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }],
    });
    assertEquals(verdict(testPod("p"), notReady), [
      "TaintToleration",
      "UnschedulableAndUnresolvable",
      ["node(s) had untolerated taint {node.kubernetes.io/not-ready: }"],
    ]);
  });
});

Deno.test("filters: resource fit counts requests of pods on the node", async (t) => {
  const running = [testPod("a", { requests: { cpu: "3", memory: "8Gi" } })];
  await t.step("fits the rest", () => {
    const pod = testPod("p", { requests: { cpu: "1", memory: "8Gi" } });
    assertEquals(verdict(pod, nodeInfo({}, running)), "fits");
  });
  await t.step("cpu", () => {
    const pod = testPod("p", { requests: { cpu: "1500m" } });
    assertEquals(verdict(pod, nodeInfo({}, running)), [
      "NodeResourcesFit",
      "Unschedulable",
      ["Insufficient cpu"],
    ]);
  });
  await t.step("memory", () => {
    const pod = testPod("p", { requests: { memory: "9Gi" } });
    assertEquals(verdict(pod, nodeInfo({}, running)), [
      "NodeResourcesFit",
      "Unschedulable",
      ["Insufficient memory"],
    ]);
  });
  await t.step("pod count, with every shortfall listed", () => {
    const full = nodeInfo({ pods: "1" }, running);
    const pod = testPod("p", { requests: { cpu: "2", memory: "9Gi" } });
    assertEquals(verdict(pod, full), [
      "NodeResourcesFit",
      "Unschedulable",
      [REASONS.tooManyPods, "Insufficient cpu", "Insufficient memory"],
    ]);
  });
  await t.step("a pod requesting nothing fits an overcommitted node", () => {
    const over = nodeInfo({ cpu: "1" }, running);
    assertEquals(verdict(testPod("p"), over), "fits");
  });
  await t.step("limits stand in for missing requests", () => {
    const pod = testPod("p");
    pod.spec.containers[0].resources = { limits: { cpu: "2" } };
    assertEquals(verdict(pod, nodeInfo({}, running)), [
      "NodeResourcesFit",
      "Unschedulable",
      ["Insufficient cpu"],
    ]);
  });
  await t.step("capacity stands in for missing allocatable", () => {
    const pod = testPod("p", { requests: { cpu: "5" } });
    assertEquals(verdict(pod, nodeInfo({ capacityOnly: true, cpu: "8" })), "fits");
  });
  await t.step("extended resources", () => {
    const pod = testPod("p", { requests: { "example.com/gpu": "1" } });
    assertEquals(verdict(pod, nodeInfo()), [
      "NodeResourcesFit",
      "Unschedulable",
      ["Insufficient example.com/gpu"],
    ]);
  });
});

Deno.test("filters: host ports", async (t) => {
  const running = [testPod("a", { hostPorts: [{ hostPort: 8080 }] })];
  const node = nodeInfo({}, running);
  await t.step("the same port and protocol conflict", () => {
    assertEquals(verdict(testPod("p", { hostPorts: [{ hostPort: 8080 }] }), node), [
      "NodePorts",
      "Unschedulable",
      ["node(s) didn't have free ports for the requested pod ports"],
    ]);
  });
  await t.step("another protocol or port does not", () => {
    assertEquals(
      verdict(testPod("p", { hostPorts: [{ hostPort: 8080, protocol: "UDP" }] }), node),
      "fits",
    );
    assertEquals(verdict(testPod("p", { hostPorts: [{ hostPort: 8081 }] }), node), "fits");
  });
  await t.step("a specific address conflicts with the wildcard and itself only", () => {
    const specific = nodeInfo({}, [
      testPod("a", { hostPorts: [{ hostPort: 9000, hostIP: "10.0.0.1" }] }),
    ]);
    const on = (hostIP?: string) =>
      verdict(
        testPod("p", { hostPorts: [{ hostPort: 9000, ...(hostIP ? { hostIP } : {}) }] }),
        specific,
      );
    assertEquals(on("10.0.0.2"), "fits");
    assertEquals(on("10.0.0.1") === "fits", false);
    assertEquals(on() === "fits", false);
  });
  await t.step("removing the pod frees the port", () => {
    const info = nodeInfo();
    const footprint = footprintOf(running[0], "n1");
    info.addPod(footprint);
    info.removePod(footprint);
    assertEquals(verdict(testPod("p", { hostPorts: [{ hostPort: 8080 }] }), info), "fits");
  });
});

Deno.test("filters: run in upstream's order, the first rejection wins", () => {
  const node = nodeInfo({
    unschedulable: true,
    taints: [{ key: "k", effect: "NoSchedule" }],
    cpu: "1",
  });
  const pod = testPod("p", { requests: { cpu: "2" }, nodeSelector: { x: "y" } });
  assertEquals((verdict(pod, node) as unknown[])[0], "NodeUnschedulable");
});
