/**
 * autoscaling/v1: Scale, the body of every `/scale` subresource.
 *
 * @module
 */
import { int32, kind, obj, ref, str } from "../dsl.ts";
import type { SchemaSet } from "../types.ts";

const PKG = "io.k8s.api.autoscaling.v1";

/** The autoscaling/v1 schemas k3ts serves. */
export const AUTOSCALING_SCHEMAS: SchemaSet = {
  [`${PKG}.Scale`]: kind(
    { group: "autoscaling", version: "v1", kind: "Scale" },
    "The replica count of a scalable resource.",
    {
      spec: ref(`${PKG}.ScaleSpec`, "Desired replica count."),
      status: ref(`${PKG}.ScaleStatus`, "Current replica count."),
    },
  ),
  [`${PKG}.ScaleSpec`]: obj({
    replicas: int32("Desired number of instances."),
  }, { description: "The desired scale." }),
  [`${PKG}.ScaleStatus`]: obj({
    replicas: int32("Observed number of instances."),
    selector: str("Label query over the pods, in string form."),
  }, { description: "The observed scale.", required: ["replicas"] }),
};
