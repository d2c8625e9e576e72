/**
 * coordination.k8s.io/v1: Lease.
 *
 * @module
 */
import { int32, kindWithList, microTime, obj, ref, str } from "../dsl.ts";
import type { SchemaSet } from "../types.ts";

const PKG = "io.k8s.api.coordination.v1";

/** Every coordination.k8s.io/v1 schema. */
export const COORDINATION_SCHEMAS: SchemaSet = {
  ...kindWithList(
    PKG,
    { group: "coordination.k8s.io", version: "v1", kind: "Lease" },
    "A lock with a holder and a renewal time, for leader election and heartbeats.",
    { spec: ref(`${PKG}.LeaseSpec`, "Holder and timing of the lease.") },
  ),
  [`${PKG}.LeaseSpec`]: obj({
    acquireTime: microTime("When the current holder acquired the lease."),
    holderIdentity: str("Identity of the holder."),
    leaseDurationSeconds: int32(
      "Seconds candidates wait after the last renewal before taking over.",
    ),
    leaseTransitions: int32("Times the lease changed holders."),
    preferredHolder: str("Holder the lease should pass to."),
    renewTime: microTime("When the holder last renewed the lease."),
    strategy: str("Leader election strategy."),
  }, { description: "The state of a lease." }),
};
