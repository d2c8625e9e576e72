import { assertEquals } from "../../tests/helpers/assert.ts";
import type { KubeObject } from "../../kube/types.ts";
import {
  isScalingEvent,
  MAX_REPLICAS_ANNOTATION,
  newReplicaSetSize,
  oldReplicaSetsScaleDown,
  resolveFenceposts,
  scaledValue,
  scaleSizes,
} from "./deployment_rollout.ts";

function deployment(replicas: number, maxSurge: unknown, maxUnavailable: unknown): KubeObject {
  return {
    metadata: { name: "d", generation: 1 },
    spec: {
      replicas,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge, maxUnavailable } },
    },
    status: {},
  };
}

let created = 0;
function rs(
  name: string,
  replicas: number,
  available: number,
  annotations: Record<string, string> = {},
): KubeObject {
  return {
    metadata: {
      name,
      annotations,
      creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, created++)).toISOString(),
    },
    spec: { replicas },
    status: { replicas, availableReplicas: available },
  };
}

Deno.test("rollout: percentages round surge up and unavailability down", () => {
  assertEquals(scaledValue("25%", 10, true), 3);
  assertEquals(scaledValue("25%", 10, false), 2);
  assertEquals(scaledValue(5, 10, false), 5);
  assertEquals(resolveFenceposts(deployment(3, "25%", "25%")), { maxSurge: 1, maxUnavailable: 0 });
  // Both zero: one pod may be unavailable, or the rollout could never move.
  assertEquals(resolveFenceposts(deployment(3, 0, "10%")), { maxSurge: 0, maxUnavailable: 1 });
});

Deno.test("rollout: the new ReplicaSet grows within replicas + maxSurge", () => {
  const d = deployment(10, 3, 2);
  const fresh = rs("new", 0, 0);
  assertEquals(newReplicaSetSize(d, [rs("old", 10, 10), fresh], fresh), 3);
  const half = rs("new", 3, 3);
  assertEquals(newReplicaSetSize(d, [rs("old", 8, 8), half], half), 5);
  const full = rs("new", 3, 0);
  assertEquals(newReplicaSetSize(d, [rs("old", 10, 10), full], full), 3);
});

Deno.test("rollout: old ReplicaSets shrink only as far as availability allows", async (t) => {
  await t.step("available old pods go down to replicas - maxUnavailable", () => {
    const d = deployment(10, 3, 2);
    const sizes = oldReplicaSetsScaleDown(d, [rs("old", 10, 10)], rs("new", 3, 0));
    assertEquals([...sizes], [["old", 8]]);
  });
  await t.step("unavailable old pods go first, and nothing more", () => {
    const d = deployment(10, 3, 2);
    const sizes = oldReplicaSetsScaleDown(d, [rs("old", 10, 7)], rs("new", 3, 0));
    assertEquals([...sizes], [["old", 8]]);
  });
  await t.step("the oldest ReplicaSet shrinks first", () => {
    const d = deployment(4, 1, 1);
    const sizes = oldReplicaSetsScaleDown(
      d,
      [rs("older", 2, 2), rs("old", 2, 2)],
      rs("new", 1, 1),
    );
    assertEquals([...sizes], [["older", 0]]);
  });
  await t.step("a status behind a scale-down does not count pods that are going", () => {
    // Scaled to 2 already; the status still shows 3 available.
    const d = deployment(3, 1, 0);
    const sizes = oldReplicaSetsScaleDown(d, [rs("old", 2, 3)], rs("new", 2, 2));
    assertEquals([...sizes], [["old", 1]]);
  });
  await t.step("nothing while the new pods are not available", () => {
    const d = deployment(3, 1, 0);
    assertEquals(oldReplicaSetsScaleDown(d, [rs("old", 3, 3)], rs("new", 1, 0)).size, 0);
  });
});

Deno.test("rollout: scaling during a rollout is shared out in proportion", () => {
  // Upstream's documented example: 10 replicas, maxSurge 3, stuck at 8 old + 5 new, scaled to 15.
  const d = deployment(15, 3, 2);
  const max = {
    [MAX_REPLICAS_ANNOTATION]: "13",
    "deployment.kubernetes.io/desired-replicas": "10",
  };
  const old = rs("old", 8, 8, max);
  const fresh = rs("new", 5, 0, max);
  assertEquals(isScalingEvent(d, [old, fresh]), true);
  const sizes = scaleSizes(d, fresh, [old]);
  assertEquals(sizes.get(old), 11);
  assertEquals(sizes.get(fresh), 7);
  // One active ReplicaSet simply takes the new count.
  const only = rs("only", 10, 10);
  assertEquals([...scaleSizes(deployment(4, 1, 1), only, [rs("empty", 0, 0)]).values()], [4]);
});
