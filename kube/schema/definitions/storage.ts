/**
 * storage.k8s.io/v1: StorageClass.
 *
 * @module
 */
import { arr, bool, kindWithList, map, ref, str, strs } from "../dsl.ts";
import type { SchemaSet } from "../types.ts";

/** Every storage.k8s.io/v1 schema. */
export const STORAGE_SCHEMAS: SchemaSet = {
  ...kindWithList(
    "io.k8s.api.storage.v1",
    { group: "storage.k8s.io", version: "v1", kind: "StorageClass" },
    "A class of dynamically provisioned storage.",
    {
      allowVolumeExpansion: bool("Whether claims of this class may grow."),
      allowedTopologies: arr(ref("io.k8s.api.core.v1.TopologySelectorTerm"), {
        description: "Topology domains volumes may be provisioned in.",
        listType: "atomic",
      }),
      mountOptions: strs("Mount options of provisioned volumes."),
      parameters: map(str(), "Provisioner-specific parameters."),
      provisioner: str("Name of the provisioner."),
      reclaimPolicy: str("Delete or Retain."),
      volumeBindingMode: str("Immediate or WaitForFirstConsumer."),
    },
    { required: ["provisioner"] },
  ),
};
