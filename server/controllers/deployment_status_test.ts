import { assertEquals } from "../../tests/helpers/assert.ts";
import type { KubeObject } from "../../kube/types.ts";
import { timestamp } from "../apiserver/object_meta.ts";
import {
  deadlineRecheckMs,
  getCondition,
  newCondition,
  rolloutStatus,
  setCondition,
} from "./deployment_status.ts";

Deno.test("deployment status: a condition keeps its transition time while its status holds", () => {
  const status: Record<string, unknown> = {};
  setCondition(status, newCondition("Progressing", "True", "NewReplicaSetCreated", "a", 1000));
  setCondition(status, newCondition("Progressing", "True", "NewReplicaSetAvailable", "b", 9000));
  const c = getCondition(status, "Progressing")!;
  assertEquals([c.reason, c.lastTransitionTime, c.lastUpdateTime], [
    "NewReplicaSetAvailable",
    timestamp(1000),
    timestamp(9000),
  ]);
  setCondition(
    status,
    newCondition("Progressing", "False", "ProgressDeadlineExceeded", "c", 20000),
  );
  assertEquals(getCondition(status, "Progressing")!.lastTransitionTime, timestamp(20000));
});

Deno.test("deployment status: counts, availability and a deadline that passes", () => {
  const d: KubeObject = {
    metadata: { name: "web", generation: 3 },
    spec: {
      replicas: 2,
      progressDeadlineSeconds: 60,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    },
    status: {
      replicas: 3,
      updatedReplicas: 1,
      readyReplicas: 2,
      availableReplicas: 2,
      conditions: [newCondition("Progressing", "True", "ReplicaSetUpdated", "x", 0)],
    },
  };
  const sets = [
    {
      metadata: { name: "old" },
      spec: { replicas: 2 },
      status: { replicas: 2, readyReplicas: 2, availableReplicas: 2 },
    },
    { metadata: { name: "new" }, spec: { replicas: 1 }, status: { replicas: 1 } },
  ];
  const stuck = rolloutStatus(d, sets, sets[1], 30_000);
  assertEquals(stuck.observedGeneration, 3);
  assertEquals(stuck.unavailableReplicas, 1);
  assertEquals(getCondition(stuck, "Available")?.status, "True");
  assertEquals(getCondition(stuck, "Progressing")?.reason, "ReplicaSetUpdated");
  assertEquals(deadlineRecheckMs(d, stuck, 30_000), 31_000);
  const late = rolloutStatus(d, sets, sets[1], 61_000);
  const progressing = getCondition(late, "Progressing")!;
  assertEquals(progressing.reason, "ProgressDeadlineExceeded");
  assertEquals(progressing.message, 'ReplicaSet "new" has timed out progressing.');
});
