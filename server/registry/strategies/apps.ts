/**
 * apps/v1: Deployment, ReplicaSet, DaemonSet, StatefulSet and ControllerRevision -- upstream's
 * apps/v1 defaults, the spec checks of `pkg/apis/apps/validation`, the fields an update may not
 * change, and kubectl's columns for each.
 *
 * @module
 */
import { fieldErrors } from "../../../kube/errors.ts";
import { type FieldError, type KubeObject, parseApiVersion } from "../../../kube/types.ts";
import {
  AGE_COLUMN,
  ageOf,
  asArray,
  column,
  formatLabelMap,
  isRecord,
  NAME_COLUMN,
  numberOr,
  WORKLOAD_WIDE_COLUMNS,
  workloadWideCells,
} from "../printing.ts";
import type { ResourceStrategy } from "../types.ts";
import { goInvalid, goLabelSelector } from "./go_values.ts";
import {
  child,
  defaultPodTemplate,
  semanticEqual,
  validateNonNegative,
  validatePodTemplate,
  validateTemplateRestartPolicy,
  validateWorkloadSelector,
} from "./workloads.ts";

type Dict = Record<string, unknown>;

const PERCENT_DETAIL = "a valid percent string must be a numeric string followed by an ending " +
  "'%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** The spec as a record, whatever the client sent. */
function specOf(obj: KubeObject): Dict {
  return isRecord(obj.spec) ? obj.spec : {};
}

function statusOf(obj: KubeObject): Dict {
  return isRecord(obj.status) ? obj.status : {};
}

/** An `intstr.IntOrString` that must be a non-negative integer or a percentage. */
function validateIntOrPercent(value: unknown, path: string): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") {
    return /^[0-9]+%$/.test(value) ? [] : [fieldErrors.invalid(path, value, PERCENT_DETAIL)];
  }
  if (typeof value === "number") return validateNonNegative(value, path);
  return [fieldErrors.invalid(path, value, "must be an integer or percentage (e.g '5%')")];
}

/** The number an int-or-percent holds (25 for "25%"), for the both-zero check. */
function intOrPercentValue(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string") return Number.parseInt(value, 10) || 0;
  return 0;
}

function notMoreThan100Percent(value: unknown, path: string): FieldError[] {
  return typeof value === "string" && /^[0-9]+%$/.test(value) && intOrPercentValue(value) > 100
    ? [fieldErrors.invalid(path, value, "must not be greater than 100%")]
    : [];
}

/**
 * A rolling update's `maxUnavailable`/`maxSurge`: both may not be zero, or the rollout could
 * never make progress. `zeroDetail` differs between deployments and daemon sets upstream.
 */
function validateRollingUpdate(rollingUpdate: unknown, path: string, zeroDetail: string) {
  const ru: Dict = isRecord(rollingUpdate) ? rollingUpdate : {};
  const errors = [
    ...validateIntOrPercent(ru.maxUnavailable, `${path}.maxUnavailable`),
    ...validateIntOrPercent(ru.maxSurge, `${path}.maxSurge`),
  ];
  if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
    errors.push(fieldErrors.invalid(`${path}.maxUnavailable`, ru.maxUnavailable ?? 0, zeroDetail));
  }
  errors.push(...notMoreThan100Percent(ru.maxUnavailable, `${path}.maxUnavailable`));
  return errors;
}

/**
 * What every replica-keeping controller checks: replicas, its selector, the template the selector
 * must match, and a template that restarts its containers itself (`Always`) and never expires.
 */
function validateReplicatedSpec(
  spec: Dict,
  kind: "ReplicaSet" | "DaemonSet" | "StatefulSet",
  emptySelectorDetail: string,
): FieldError[] {
  const errors = [
    ...validateNonNegative(spec.replicas, "spec.replicas"),
    ...validateWorkloadSelector(spec.selector, "spec.selector", emptySelectorDetail),
    ...validatePodTemplate(spec.template, "spec.template", spec.selector),
    ...validateTemplateRestartPolicy(spec.template, "spec.template", ["Always"]),
  ];
  const podSpec = isRecord(spec.template) && isRecord(spec.template.spec) ? spec.template.spec : {};
  if (podSpec.activeDeadlineSeconds !== undefined) {
    errors.push(
      fieldErrors.invalid(
        "spec.template.spec.activeDeadlineSeconds",
        podSpec.activeDeadlineSeconds,
        `activeDeadlineSeconds in ${kind} is not Supported`,
      ),
    );
  }
  errors.push(...validateNonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  errors.push(...validateNonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  return errors;
}

/** `spec.selector` may not change: the controller would orphan the pods it already owns. */
function validateSelectorUnchanged(obj: KubeObject, old: KubeObject): FieldError[] {
  const selector = specOf(obj).selector;
  return semanticEqual(selector, specOf(old).selector)
    ? []
    : [goInvalid("spec.selector", goLabelSelector(selector), "field is immutable")];
}

function resetStatus(obj: KubeObject): void {
  obj.status = {};
}

// ---------------------------------------------------------------------------------------------
// Deployment

function defaultDeployment(obj: KubeObject): void {
  const spec = child(obj, "spec");
  spec.replicas ??= 1;
  const strategy = child(spec, "strategy");
  if (!strategy.type) strategy.type = "RollingUpdate";
  if (strategy.type === "RollingUpdate") {
    const rollingUpdate = child(strategy, "rollingUpdate");
    rollingUpdate.maxUnavailable ??= "25%";
    rollingUpdate.maxSurge ??= "25%";
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplate(spec);
}

function validateDeploymentStrategy(strategy: unknown): FieldError[] {
  const s: Dict = isRecord(strategy) ? strategy : {};
  switch (s.type) {
    case "Recreate":
      return s.rollingUpdate === undefined || s.rollingUpdate === null ? [] : [
        fieldErrors.forbidden(
          "spec.strategy.rollingUpdate",
          "may not be specified when strategy `type` is 'Recreate'",
        ),
      ];
    case "RollingUpdate":
      if (!isRecord(s.rollingUpdate)) {
        return [
          fieldErrors.required(
            "spec.strategy.rollingUpdate",
            "this should be defaulted and never be nil",
          ),
        ];
      }
      return validateRollingUpdate(
        s.rollingUpdate,
        "spec.strategy.rollingUpdate",
        "may not be 0 when `maxSurge` is 0",
      );
    default:
      return [
        fieldErrors.notSupported("spec.strategy.type", s.type ?? "", ["Recreate", "RollingUpdate"]),
      ];
  }
}

function validateDeployment(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  // Upstream's deployment check shares the replica set's template rules and wording.
  const errors = validateReplicatedSpec(
    spec,
    "ReplicaSet",
    "empty selector is invalid for deployment",
  );
  errors.push(...validateDeploymentStrategy(spec.strategy));
  const deadline = spec.progressDeadlineSeconds;
  if (typeof deadline === "number") {
    errors.push(...validateNonNegative(deadline, "spec.progressDeadlineSeconds"));
    if (deadline <= numberOr(spec.minReadySeconds)) {
      errors.push(
        fieldErrors.invalid(
          "spec.progressDeadlineSeconds",
          deadline,
          "must be greater than minReadySeconds",
        ),
      );
    }
  }
  return errors;
}

/** The apps/v1 Deployment strategy. */
export const DEPLOYMENT: ResourceStrategy = {
  hasStatus: true,
  applyDefaults: defaultDeployment,
  prepareForCreate: resetStatus,
  validate: validateDeployment,
  validateUpdate: validateSelectorUnchanged,
  columns: [
    NAME_COLUMN,
    column("Ready", "string", "Number of the pod with ready state"),
    column(
      "Up-to-date",
      "string",
      "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
    ),
    column(
      "Available",
      "string",
      "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
    ),
    AGE_COLUMN,
    ...WORKLOAD_WIDE_COLUMNS,
  ],
  row(obj, now) {
    const spec = specOf(obj);
    const status = statusOf(obj);
    return [
      obj.metadata.name,
      `${numberOr(status.readyReplicas)}/${numberOr(spec.replicas)}`,
      numberOr(status.updatedReplicas),
      numberOr(status.availableReplicas),
      ageOf(obj, now),
      ...workloadWideCells(spec.template, spec.selector),
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// ReplicaSet

/** The apps/v1 ReplicaSet strategy. */
export const REPLICA_SET: ResourceStrategy = {
  hasStatus: true,
  applyDefaults(obj) {
    const spec = child(obj, "spec");
    spec.replicas ??= 1;
    defaultPodTemplate(spec);
  },
  prepareForCreate: resetStatus,
  // Upstream's replica set check reuses the deployment's wording for an empty selector.
  validate: (obj) =>
    validateReplicatedSpec(specOf(obj), "ReplicaSet", "empty selector is invalid for deployment"),
  validateUpdate: validateSelectorUnchanged,
  columns: [
    NAME_COLUMN,
    column(
      "Desired",
      "integer",
      "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1.",
    ),
    column("Current", "integer", "Replicas is the most recently observed number of replicas."),
    column("Ready", "integer", "The number of ready replicas for this replica set."),
    AGE_COLUMN,
    ...WORKLOAD_WIDE_COLUMNS,
  ],
  row(obj, now) {
    const spec = specOf(obj);
    const status = statusOf(obj);
    return [
      obj.metadata.name,
      numberOr(spec.replicas),
      numberOr(status.replicas),
      numberOr(status.readyReplicas),
      ageOf(obj, now),
      ...workloadWideCells(spec.template, spec.selector),
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// DaemonSet

function validateDaemonSetUpdateStrategy(strategy: unknown): FieldError[] {
  const s: Dict = isRecord(strategy) ? strategy : {};
  switch (s.type) {
    case "OnDelete":
      return [];
    case "RollingUpdate":
      if (!isRecord(s.rollingUpdate)) {
        return [fieldErrors.required("spec.updateStrategy.rollingUpdate")];
      }
      return validateRollingUpdate(
        s.rollingUpdate,
        "spec.updateStrategy.rollingUpdate",
        "cannot be 0 when maxSurge is 0",
      );
    default:
      return [
        fieldErrors.notSupported("spec.updateStrategy.type", s.type ?? "", [
          "RollingUpdate",
          "OnDelete",
        ]),
      ];
  }
}

/**
 * The annotation that holds a DaemonSet's template generation (upstream's internal
 * `spec.templateGeneration`, which apps/v1 has no field for): the DaemonSet controller labels its
 * pods with it, to tell those of the current template from older ones.
 */
export const TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation";

/**
 * A DaemonSet's template generation: its annotation, else (stored before the annotation was
 * kept) `metadata.generation`.
 */
export function templateGeneration(ds: KubeObject): number {
  const annotated = Number(ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION]);
  return Number.isInteger(annotated) && annotated > 0 ? annotated : ds.metadata.generation ?? 1;
}

function setTemplateGeneration(obj: KubeObject, generation: number): void {
  obj.metadata.annotations = {
    ...obj.metadata.annotations,
    [TEMPLATE_GENERATION_ANNOTATION]: String(generation),
  };
}

/** The apps/v1 DaemonSet strategy. */
export const DAEMON_SET: ResourceStrategy = {
  hasStatus: true,
  applyDefaults(obj) {
    const spec = child(obj, "spec");
    const strategy = child(spec, "updateStrategy");
    if (!strategy.type) strategy.type = "RollingUpdate";
    if (strategy.type === "RollingUpdate") {
      const rollingUpdate = child(strategy, "rollingUpdate");
      rollingUpdate.maxUnavailable ??= 1;
      rollingUpdate.maxSurge ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    defaultPodTemplate(spec);
  },
  prepareForCreate(obj) {
    resetStatus(obj);
    // Upstream keeps a generation the client sent (a DaemonSet restored from a dump), else 1
    // (`metadata.generation` of a new object).
    setTemplateGeneration(obj, templateGeneration(obj));
  },
  prepareForUpdate(obj, old) {
    // The client may not set it: it follows the old one, one up when the template changed.
    const previous = templateGeneration(old);
    const templateChanged = !semanticEqual(specOf(obj).template, specOf(old).template);
    setTemplateGeneration(obj, templateChanged ? previous + 1 : previous);
  },
  validate(obj) {
    const spec = specOf(obj);
    return [
      ...validateReplicatedSpec(spec, "DaemonSet", "empty selector is invalid for daemonset"),
      ...validateDaemonSetUpdateStrategy(spec.updateStrategy),
    ];
  },
  validateUpdate: validateSelectorUnchanged,
  columns: [
    NAME_COLUMN,
    column(
      "Desired",
      "integer",
      "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).",
    ),
    column(
      "Current",
      "integer",
      "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.",
    ),
    column(
      "Ready",
      "integer",
      "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.",
    ),
    column(
      "Up-to-date",
      "integer",
      "The total number of nodes that are running updated daemon pod",
    ),
    column(
      "Available",
      "integer",
      "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)",
    ),
    column(
      "Node Selector",
      "string",
      "An object that describes the pod that will be created. The DaemonSet will create exactly one copy of this pod on every node that matches the template's node selector (or on every node if no node selector is specified).",
    ),
    AGE_COLUMN,
    ...WORKLOAD_WIDE_COLUMNS,
  ],
  row(obj, now) {
    const spec = specOf(obj);
    const status = statusOf(obj);
    const podSpec = isRecord(spec.template) && isRecord(spec.template.spec)
      ? spec.template.spec
      : {};
    return [
      obj.metadata.name,
      numberOr(status.desiredNumberScheduled),
      numberOr(status.currentNumberScheduled),
      numberOr(status.numberReady),
      numberOr(status.updatedNumberScheduled),
      numberOr(status.numberAvailable),
      formatLabelMap(podSpec.nodeSelector),
      ageOf(obj, now),
      ...workloadWideCells(spec.template, spec.selector),
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// StatefulSet

/** The spec fields a stateful set update may change (v1.32's list). */
const STATEFUL_SET_MUTABLE = [
  "replicas",
  "ordinals",
  "template",
  "updateStrategy",
  "persistentVolumeClaimRetentionPolicy",
  "minReadySeconds",
];

const STATEFUL_SET_UPDATE_FORBIDDEN =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', " +
  "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

const RETENTION_POLICIES = ["Retain", "Delete"];

function defaultStatefulSet(obj: KubeObject): void {
  const spec = child(obj, "spec");
  if (!spec.podManagementPolicy) spec.podManagementPolicy = "OrderedReady";
  const strategy = child(spec, "updateStrategy");
  if (!strategy.type) {
    strategy.type = "RollingUpdate";
    child(strategy, "rollingUpdate");
  }
  if (strategy.type === "RollingUpdate" && isRecord(strategy.rollingUpdate)) {
    strategy.rollingUpdate.partition ??= 0;
  }
  const retention = child(spec, "persistentVolumeClaimRetentionPolicy");
  if (!retention.whenDeleted) retention.whenDeleted = "Retain";
  if (!retention.whenScaled) retention.whenScaled = "Retain";
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  // Claim templates are PersistentVolumeClaims and get their defaults, as upstream serves them.
  for (const claim of asArray(spec.volumeClaimTemplates)) {
    if (!isRecord(claim)) continue;
    claim.apiVersion ??= "v1";
    claim.kind ??= "PersistentVolumeClaim";
    child(claim, "spec").volumeMode ??= "Filesystem";
    const status = child(claim, "status");
    status.phase ??= "Pending";
  }
  defaultPodTemplate(spec);
}

/** The template with the claim templates' names as volumes, so mounts of claims resolve. */
function templateWithClaimVolumes(spec: Dict): unknown {
  if (!isRecord(spec.template) || !isRecord(spec.template.spec)) return spec.template;
  const podSpec = spec.template.spec;
  const volumes = asArray(podSpec.volumes);
  const taken = new Set(volumes.map((v) => isRecord(v) ? v.name : undefined));
  const claimVolumes = asArray(spec.volumeClaimTemplates)
    .map((c) => isRecord(c) && isRecord(c.metadata) ? c.metadata.name : undefined)
    .filter((name): name is string => typeof name === "string" && name !== "" && !taken.has(name))
    .map((name) => ({ name }));
  if (claimVolumes.length === 0) return spec.template;
  return { ...spec.template, spec: { ...podSpec, volumes: [...volumes, ...claimVolumes] } };
}

function validateStatefulSetUpdateStrategy(strategy: unknown): FieldError[] {
  const s: Dict = isRecord(strategy) ? strategy : {};
  const path = "spec.updateStrategy";
  switch (s.type) {
    case undefined:
    case "":
      return [fieldErrors.required(path)];
    case "OnDelete":
      return s.rollingUpdate === undefined || s.rollingUpdate === null ? [] : [
        fieldErrors.invalid(
          `${path}.rollingUpdate`,
          s.rollingUpdate,
          "only allowed for updateStrategy 'RollingUpdate'",
        ),
      ];
    case "RollingUpdate": {
      const ru: Dict = isRecord(s.rollingUpdate) ? s.rollingUpdate : {};
      return [
        ...validateNonNegative(ru.partition, `${path}.rollingUpdate.partition`),
        ...validateIntOrPercent(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`),
      ];
    }
    default:
      return [fieldErrors.invalid(path, s, "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

function validateStatefulSet(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errors: FieldError[] = [];
  switch (spec.podManagementPolicy) {
    case "OrderedReady":
    case "Parallel":
      break;
    case undefined:
    case "":
      errors.push(fieldErrors.required("spec.podManagementPolicy"));
      break;
    default:
      errors.push(
        fieldErrors.invalid(
          "spec.podManagementPolicy",
          spec.podManagementPolicy,
          "must be 'OrderedReady' or 'Parallel'",
        ),
      );
  }
  errors.push(...validateStatefulSetUpdateStrategy(spec.updateStrategy));
  errors.push(
    ...validateReplicatedSpec(
      { ...spec, template: templateWithClaimVolumes(spec) },
      "StatefulSet",
      "empty selector is not valid for statefulset.",
    ),
  );
  const retention: Dict = isRecord(spec.persistentVolumeClaimRetentionPolicy)
    ? spec.persistentVolumeClaimRetentionPolicy
    : {};
  for (const key of ["whenDeleted", "whenScaled"]) {
    if (retention[key] !== undefined && !RETENTION_POLICIES.includes(String(retention[key]))) {
      errors.push(
        fieldErrors.notSupported(
          `spec.persistentVolumeClaimRetentionPolicy.${key}`,
          retention[key],
          RETENTION_POLICIES,
        ),
      );
    }
  }
  if (isRecord(spec.ordinals)) {
    errors.push(...validateNonNegative(spec.ordinals.start, "spec.ordinals.start"));
  }
  return errors;
}

/**
 * Only scaling, the pod template and rollout settings may change: the service name, selector
 * and claim templates are baked into pods and volumes the set already made.
 */
function validateStatefulSetUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = { ...specOf(obj) };
  const oldSpec = { ...specOf(old) };
  for (const key of STATEFUL_SET_MUTABLE) {
    delete spec[key];
    delete oldSpec[key];
  }
  return semanticEqual(spec, oldSpec)
    ? []
    : [fieldErrors.forbidden("spec", STATEFUL_SET_UPDATE_FORBIDDEN)];
}

/** The apps/v1 StatefulSet strategy. */
export const STATEFUL_SET: ResourceStrategy = {
  hasStatus: true,
  applyDefaults: defaultStatefulSet,
  prepareForCreate: resetStatus,
  validate: validateStatefulSet,
  validateUpdate: validateStatefulSetUpdate,
  columns: [
    NAME_COLUMN,
    column("Ready", "string", "Number of the pod with ready state"),
    AGE_COLUMN,
    // Upstream's stateful set printer has no Selector column.
    ...WORKLOAD_WIDE_COLUMNS.slice(0, 2),
  ],
  row(obj, now) {
    const spec = specOf(obj);
    const status = statusOf(obj);
    return [
      obj.metadata.name,
      `${numberOr(status.readyReplicas)}/${numberOr(spec.replicas)}`,
      ageOf(obj, now),
      ...workloadWideCells(spec.template, spec.selector).slice(0, 2),
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// ControllerRevision

/** `daemonset.apps/name` for the controlling owner, or `<none>`, as kubectl prints it. */
function controllerCell(obj: KubeObject): string {
  const owner = (obj.metadata.ownerReferences ?? []).find((ref) => ref.controller === true);
  if (!owner) return "<none>";
  const { group } = parseApiVersion(owner.apiVersion ?? "");
  const groupKind = group === "" ? owner.kind : `${owner.kind}.${group}`;
  return `${groupKind.toLowerCase()}/${owner.name}`;
}

/** The apps/v1 ControllerRevision strategy: a revision's data never changes. */
export const CONTROLLER_REVISION: ResourceStrategy = {
  validate(obj) {
    const errors: FieldError[] = [];
    if (obj.data === undefined || obj.data === null) {
      errors.push(fieldErrors.required("data", "data is mandatory"));
    }
    errors.push(...validateNonNegative(obj.revision, "revision"));
    return errors;
  },
  validateUpdate(obj, old) {
    return semanticEqual(obj.data, old.data) ? [] : [fieldErrors.immutable("data", obj.data)];
  },
  columns: [
    NAME_COLUMN,
    column("Controller", "string", "Controller of the object"),
    column(
      "Revision",
      "integer",
      "Revision indicates the revision of the state represented by Data.",
    ),
    AGE_COLUMN,
  ],
  row: (
    obj,
    now,
  ) => [obj.metadata.name, controllerCell(obj), numberOr(obj.revision), ageOf(obj, now)],
};
