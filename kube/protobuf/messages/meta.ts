/**
 * Protobuf descriptors for apimachinery meta/v1: ObjectMeta, LabelSelector, Condition and friends.
 *
 * Field numbers are those of the k8s.io/api and apimachinery `generated.proto` files as built into
 * kubectl 1.32; JSON names and flags follow the Go types' `json` tags (see `schema.ts`).
 *
 * @module
 */
import type { MessageTable } from "../schema.ts";

/** Apimachinery meta/v1: ObjectMeta, LabelSelector, Condition and friends. */
export const META: MessageTable = {
  "meta.ObjectMeta": {
    1: ["name", "string"],
    2: ["generateName", "string"],
    3: ["namespace", "string"],
    4: ["selfLink", "string"],
    5: ["uid", "string"],
    6: ["resourceVersion", "string"],
    7: ["generation", "int64"],
    8: ["creationTimestamp", "time"],
    9: ["deletionTimestamp", "time", "ptr"],
    10: ["deletionGracePeriodSeconds", "int64", "ptr"],
    11: ["labels", "map<string>"],
    12: ["annotations", "map<string>"],
    13: ["ownerReferences", "meta.OwnerReference", "rep"],
    14: ["finalizers", "string", "rep"],
    17: ["managedFields", "meta.ManagedFieldsEntry", "rep"],
  },
  "meta.OwnerReference": {
    5: ["apiVersion", "string", "keep"],
    1: ["kind", "string", "keep"],
    3: ["name", "string", "keep"],
    4: ["uid", "string", "keep"],
    6: ["controller", "bool", "ptr"],
    7: ["blockOwnerDeletion", "bool", "ptr"],
  },
  "meta.ManagedFieldsEntry": {
    1: ["manager", "string"],
    2: ["operation", "string"],
    3: ["apiVersion", "string"],
    4: ["time", "time", "ptr"],
    6: ["fieldsType", "string"],
    7: ["fieldsV1", "fieldsv1", "ptr"],
    8: ["subresource", "string"],
  },
  "meta.Condition": {
    1: ["type", "string", "keep"],
    2: ["status", "string", "keep"],
    3: ["observedGeneration", "int64"],
    4: ["lastTransitionTime", "time"],
    5: ["reason", "string", "keep"],
    6: ["message", "string", "keep"],
  },
  "meta.LabelSelector": {
    1: ["matchLabels", "map<string>"],
    2: ["matchExpressions", "meta.LabelSelectorRequirement", "rep"],
  },
  "meta.LabelSelectorRequirement": {
    1: ["key", "string", "keep"],
    2: ["operator", "string", "keep"],
    3: ["values", "string", "rep"],
  },
  "meta.FieldSelectorRequirement": {
    1: ["key", "string", "keep"],
    2: ["operator", "string", "keep"],
    3: ["values", "string", "rep"],
  },
};
