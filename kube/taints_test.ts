import { assert, assertEquals } from "../tests/helpers/assert.ts";
import {
  firstUntoleratedTaint,
  NODE_TAINTS,
  type Taint,
  tolerated,
  toleratesTaint,
  type Toleration,
  tolerationSecondsFor,
  UNSCHEDULABLE_TAINT,
  untoleratedPreferNoSchedule,
} from "./taints.ts";

Deno.test("tolerations: key, value, effect and operator as upstream matches them", () => {
  const taint: Taint = { key: NODE_TAINTS.unreachable, effect: "NoExecute" };
  assert(toleratesTaint({ key: NODE_TAINTS.unreachable, operator: "Exists" }, taint));
  assert(toleratesTaint({ operator: "Exists" }, taint), "an empty key with Exists matches all");
  assert(!toleratesTaint({ key: NODE_TAINTS.unreachable, effect: "NoSchedule" }, taint));
  assert(toleratesTaint({ key: "k", value: "v" }, { key: "k", value: "v", effect: "NoSchedule" }));
  assert(!toleratesTaint({ key: "k", value: "w" }, { key: "k", value: "v", effect: "NoSchedule" }));
  assert(tolerated([{ key: "x" }, { operator: "Exists" }], UNSCHEDULABLE_TAINT));
});

Deno.test("tolerations: the shortest bounded toleration decides, an untolerated taint evicts now", () => {
  const unreachable: Taint = { key: NODE_TAINTS.unreachable, effect: "NoExecute" };
  const other: Taint = { key: "example.com/x", effect: "NoExecute" };
  const defaults: Toleration[] = [
    { key: NODE_TAINTS.notReady, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    {
      key: NODE_TAINTS.unreachable,
      operator: "Exists",
      effect: "NoExecute",
      tolerationSeconds: 300,
    },
  ];
  assertEquals(tolerationSecondsFor(defaults, [unreachable]), 300);
  // A shorter toleration in the spec comes first; admission adds no default for that key then.
  assertEquals(
    tolerationSecondsFor([{ ...defaults[1], tolerationSeconds: 5 }, defaults[0]], [unreachable]),
    5,
  );
  assertEquals(tolerationSecondsFor(defaults, [unreachable, other]), 0);
  assertEquals(tolerationSecondsFor([{ operator: "Exists" }], [unreachable, other]), undefined);
});

Deno.test("taints: NoSchedule and NoExecute keep a pod off; PreferNoSchedule is counted", () => {
  const taints: Taint[] = [
    { key: "soft", effect: "PreferNoSchedule" },
    { key: "hard", value: "1", effect: "NoSchedule" },
    { key: "other", effect: "PreferNoSchedule" },
  ];
  assertEquals(firstUntoleratedTaint(taints, [])?.key, "hard");
  assertEquals(firstUntoleratedTaint(taints, [{ key: "hard", value: "1" }]), undefined);
  assertEquals(untoleratedPreferNoSchedule(taints, []), 2);
  // A toleration for another effect does not count towards the score.
  assertEquals(untoleratedPreferNoSchedule(taints, [{ key: "soft", effect: "NoSchedule" }]), 2);
  assertEquals(untoleratedPreferNoSchedule(taints, [{ key: "soft", operator: "Exists" }]), 1);
});
