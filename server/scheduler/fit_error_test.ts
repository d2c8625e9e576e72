import { assertEquals } from "../../tests/helpers/assert.ts";
import { Diagnosis, fitErrorMessage } from "./fit_error.ts";
import { REASONS } from "./filters.ts";

Deno.test("fit error: upstream's histogram and preemption note", () => {
  const diagnosis = new Diagnosis();
  diagnosis.record({
    plugin: "NodeResourcesFit",
    code: "Unschedulable",
    reasons: [REASONS.insufficient("cpu")],
  });
  for (let i = 0; i < 2; i++) {
    diagnosis.record({
      plugin: "TaintToleration",
      code: "UnschedulableAndUnresolvable",
      reasons: [REASONS.untoleratedTaint("key", "value")],
    });
  }
  assertEquals(
    fitErrorMessage(3, diagnosis),
    "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {key: value}. " +
      "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, " +
      "2 Preemption is not helpful for scheduling.",
  );
});

Deno.test("fit error: reasons sort as strings and a node may give several", () => {
  const diagnosis = new Diagnosis();
  for (let i = 0; i < 10; i++) {
    diagnosis.record({
      plugin: "NodeResourcesFit",
      code: "Unschedulable",
      reasons: [REASONS.insufficient("cpu"), REASONS.insufficient("memory")],
    });
  }
  for (let i = 0; i < 2; i++) {
    diagnosis.record({
      plugin: "NodeUnschedulable",
      code: "UnschedulableAndUnresolvable",
      reasons: [REASONS.unschedulable],
    });
  }
  assertEquals(
    fitErrorMessage(12, diagnosis),
    "0/12 nodes are available: 10 Insufficient cpu, 10 Insufficient memory, " +
      "2 node(s) were unschedulable. preemption: 0/12 nodes are available: " +
      "10 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
  );
});

Deno.test("fit error: preemptionPolicy Never", () => {
  const diagnosis = new Diagnosis();
  diagnosis.record({
    plugin: "NodeAffinity",
    code: "UnschedulableAndUnresolvable",
    reasons: [REASONS.nodeAffinity],
  });
  assertEquals(
    fitErrorMessage(1, diagnosis, "Never"),
    "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. " +
      "preemption: not eligible due to preemptionPolicy=Never.",
  );
});
