/**
 * apimachinery's shared types: object and list metadata, selectors, Status, DeleteOptions,
 * Quantity, IntOrString.
 *
 * @module
 */
import { arr, bool, int32, int64, map, META, obj, preserve, ref, str, strs, time } from "../dsl.ts";
import type { Schema, SchemaSet } from "../types.ts";
import { INT_OR_STRING, QUANTITY } from "../dsl.ts";

/** Groups whose documents carry the shared DeleteOptions/WatchEvent kinds. */
const SHARED_KIND_GROUPS = [
  "",
  "apps",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "autoscaling",
  "batch",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "events.k8s.io",
  "networking.k8s.io",
  "policy",
  "rbac.authorization.k8s.io",
  "storage.k8s.io",
];

function sharedKind(node: Schema, kind: string): Schema {
  node["x-kubernetes-group-version-kind"] = SHARED_KIND_GROUPS.map((group) => ({
    group,
    kind,
    version: "v1",
  }));
  return node;
}

const labelSelectorRequirement = obj({
  key: str("The label key the selector applies to."),
  operator: str("How the key relates to the values: In, NotIn, Exists or DoesNotExist."),
  values: strs("Values to compare with; empty for Exists and DoesNotExist."),
}, { description: "One label key, an operator and values.", required: ["key", "operator"] });

/** Schemas of `io.k8s.apimachinery.*`. */
export const META_SCHEMAS: SchemaSet = {
  // Upstream publishes these two without a `type`, as `oneOf` scalars; kubectl explain then
  // names them by their schema (`<IntOrString>`, `<map[string]Quantity>`).
  [QUANTITY]: {
    description:
      "A fixed-point amount such as `500m`, `2`, `1Gi` or `1e3`; numbers are accepted too.",
    oneOf: [{ type: "string" }, { type: "number" }],
    "x-kubernetes-int-or-string": true,
  },
  [INT_OR_STRING]: {
    description: "Either an integer or a string, such as a port number or a named port.",
    format: "int-or-string",
    oneOf: [{ type: "integer" }, { type: "string" }],
    "x-kubernetes-int-or-string": true,
  },
  "io.k8s.apimachinery.pkg.runtime.RawExtension": preserve("An embedded object of any kind."),
  [`${META}Time`]: {
    type: "string",
    format: "date-time",
    description: "A timestamp in RFC 3339 form with second precision.",
  },
  [`${META}MicroTime`]: {
    type: "string",
    format: "date-time",
    description: "A timestamp in RFC 3339 form with microsecond precision.",
  },
  [`${META}FieldsV1`]: preserve("The set of fields a manager owns, in the FieldsV1 trie format."),
  [`${META}Patch`]: preserve("A patch body; its format is given by the request content type."),
  [`${META}ObjectMeta`]: obj({
    annotations: map(str(), "Unstructured key-value data tools and extensions can store."),
    creationTimestamp: time("When the server created the object; set by the system."),
    deletionGracePeriodSeconds: int64("Seconds allowed for graceful termination before removal."),
    deletionTimestamp: time(
      "When the object will be (or was asked to be) deleted; set by the system.",
    ),
    finalizers: arr(str(), {
      description: "Entries that must be cleared before the object is removed from storage.",
      strategy: "merge",
      listType: "set",
    }),
    generateName: str("Prefix the server uses to generate a unique name when name is empty."),
    generation: int64(
      "Sequence number of the desired state; bumped by the system on spec changes.",
    ),
    labels: map(str(), "Key-value pairs used to organise and select objects."),
    managedFields: arr(ref(`${META}ManagedFieldsEntry`), {
      description: "Which manager owns which fields, for server-side apply.",
      listType: "atomic",
    }),
    name: str("Unique name within the namespace; cannot be changed."),
    namespace: str("The namespace the object lives in; empty for cluster-scoped objects."),
    ownerReferences: arr(ref(`${META}OwnerReference`), {
      description: "Objects this one depends on; it is garbage collected when they are gone.",
      mergeKey: "uid",
      strategy: "merge",
      mapKeys: ["uid"],
    }),
    resourceVersion: str(
      "Opaque version of this object, used for concurrency control and watches.",
    ),
    selfLink: str("Deprecated and always empty."),
    uid: str("Unique identifier across time and space; set by the system."),
  }, { description: "Metadata every persisted object has." }),
  [`${META}ManagedFieldsEntry`]: obj({
    apiVersion: str("API version of the fields this entry describes."),
    fieldsType: str("Format of fieldsV1; always FieldsV1."),
    fieldsV1: ref(`${META}FieldsV1`, "The owned fields."),
    manager: str("Name of the workflow managing these fields."),
    operation: str("Apply or Update: the operation that created this entry."),
    subresource: str("Subresource the fields were written through, if any."),
    time: time("When the fields were last changed by this manager."),
  }, { description: "The fields one manager owns." }),
  [`${META}OwnerReference`]: obj({
    apiVersion: str("API version of the owner."),
    blockOwnerDeletion: bool("Whether foreground deletion of the owner waits for this object."),
    controller: bool("Whether the owner is the managing controller."),
    kind: str("Kind of the owner."),
    name: str("Name of the owner."),
    uid: str("UID of the owner."),
  }, {
    description: "Identifies an owning object in the same namespace.",
    required: ["apiVersion", "kind", "name", "uid"],
    atomic: true,
  }),
  [`${META}ListMeta`]: obj({
    continue: str("Token to fetch the next page of a chunked list."),
    remainingItemCount: int64("Approximate number of items after this page."),
    resourceVersion: str("Version of the collection, for watching from this point."),
    selfLink: str("Deprecated and always empty."),
  }, { description: "Metadata of a list response." }),
  [`${META}LabelSelector`]: obj({
    matchExpressions: arr(ref(`${META}LabelSelectorRequirement`), {
      description: "Requirements that must all hold.",
      listType: "atomic",
    }),
    matchLabels: map(str(), "Exact label values that must all match."),
  }, {
    description: "A label query over a set of objects; empty matches everything.",
    atomic: true,
  }),
  [`${META}LabelSelectorRequirement`]: labelSelectorRequirement,
  [`${META}FieldSelectorRequirement`]: obj({
    key: str("The field the selector applies to."),
    operator: str("In, NotIn, Exists or DoesNotExist."),
    values: strs("Values to compare with."),
  }, { description: "One field key, an operator and values.", required: ["key", "operator"] }),
  [`${META}Condition`]: obj({
    lastTransitionTime: time("When the status last changed."),
    message: str("Human-readable details of the transition."),
    observedGeneration: int64("The metadata.generation this condition was computed from."),
    reason: str("CamelCase reason for the last transition."),
    status: str("True, False or Unknown."),
    type: str("Condition type in CamelCase."),
  }, {
    description: "One aspect of an object's current state.",
    required: ["type", "status", "lastTransitionTime", "reason", "message"],
  }),
  [`${META}Status`]: sharedKind(
    obj({
      apiVersion: str("Versioned schema of this object."),
      code: int32("Suggested HTTP status code."),
      details: ref(`${META}StatusDetails`, "Extra data about the reason."),
      kind: str("Always Status."),
      message: str("Human-readable description of the outcome."),
      metadata: ref(`${META}ListMeta`, "Standard list metadata."),
      reason: str("Machine-readable reason for a failure, e.g. NotFound."),
      status: str("Success or Failure."),
    }, { description: "The result of an operation that does not return an object." }),
    "Status",
  ),
  [`${META}StatusDetails`]: obj({
    causes: arr(ref(`${META}StatusCause`), {
      description: "Individual problems behind the failure.",
      listType: "atomic",
    }),
    group: str("Group of the resource involved."),
    kind: str("Kind of the resource involved."),
    name: str("Name of the resource involved."),
    retryAfterSeconds: int32("Seconds the client should wait before retrying."),
    uid: str("UID of the resource involved."),
  }, { description: "Structured detail of a Status." }),
  [`${META}StatusCause`]: obj({
    field: str("Path of the field at fault, e.g. spec.containers[0].name."),
    message: str("Human-readable explanation."),
    reason: str("Machine-readable cause."),
  }, { description: "One cause of a failed operation." }),
  [`${META}Preconditions`]: obj({
    resourceVersion: str("Required resourceVersion of the target."),
    uid: str("Required UID of the target."),
  }, { description: "Conditions that must hold before a delete proceeds." }),
  [`${META}DeleteOptions`]: sharedKind(
    obj({
      apiVersion: str("Versioned schema of this object."),
      dryRun: strs("When present (All), the deletion is not persisted."),
      gracePeriodSeconds: int64("Seconds before the object is deleted; zero means immediately."),
      ignoreStoreReadErrorWithClusterBreakingPotential: bool(
        "Deletes an object whose stored data cannot be read.",
      ),
      kind: str("Always DeleteOptions."),
      orphanDependents: bool("Deprecated: use propagationPolicy."),
      preconditions: ref(`${META}Preconditions`, "Must be fulfilled before deletion."),
      propagationPolicy: str(
        "Whether and how dependents are collected: Orphan, Background, Foreground.",
      ),
    }, { description: "Options of a delete request." }),
    "DeleteOptions",
  ),
  [`${META}WatchEvent`]: sharedKind(
    obj({
      object: ref(
        "io.k8s.apimachinery.pkg.runtime.RawExtension",
        "The object, or a Status for ERROR.",
      ),
      type: str("ADDED, MODIFIED, DELETED, BOOKMARK or ERROR."),
    }, { description: "One event of a watch stream.", required: ["type", "object"] }),
    "WatchEvent",
  ),
};
