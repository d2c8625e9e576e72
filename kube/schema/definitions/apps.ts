/**
 * apps/v1: Deployment, ReplicaSet, DaemonSet, StatefulSet, ControllerRevision.
 *
 * @module
 */
import {
  arr,
  bool,
  conditions,
  int32,
  int64,
  intOrString,
  kindWithList,
  META,
  obj,
  ref,
  str,
  time,
} from "../dsl.ts";
import type { Schema, SchemaSet } from "../types.ts";

const PKG = "io.k8s.api.apps.v1";
const APPS = `${PKG}.`;
const v1 = { group: "apps", version: "v1" };

function apps(name: string, description?: string): Schema {
  return ref(APPS + name, description);
}

const selector = () =>
  ref(`${META}LabelSelector`, "Labels of the pods this controller owns; immutable.");
const template = () => ref("io.k8s.api.core.v1.PodTemplateSpec", "The pods to create.");
const minReadySeconds = () =>
  int32("Seconds a new pod must be ready before it counts as available.");
const revisionHistoryLimit = () => int32("Old revisions kept for rollback.");
const collisionCount = () => int32("Counter used to avoid revision name collisions.");
const observedGeneration = () => int64("The metadata.generation this status was computed from.");

function condition(what: string, extra: Record<string, Schema> = {}): Schema {
  return obj({
    lastTransitionTime: time("Last time the status changed."),
    ...extra,
    message: str("Human-readable details."),
    reason: str("CamelCase reason."),
    status: str("True, False or Unknown."),
    type: str("Condition type."),
  }, { description: `One aspect of a ${what}'s state.`, required: ["type", "status"] });
}

/** Every apps/v1 schema. */
export const APPS_SCHEMAS: SchemaSet = {
  ...kindWithList(
    PKG,
    { ...v1, kind: "Deployment" },
    "Declarative, rolling updates of a replicated set of pods.",
    {
      spec: apps("DeploymentSpec", "Desired behaviour of the deployment."),
      status: apps("DeploymentStatus", "Most recently observed state of the deployment."),
    },
  ),
  [`${APPS}DeploymentSpec`]: obj({
    minReadySeconds: minReadySeconds(),
    paused: bool("Stops the controller from rolling out changes."),
    progressDeadlineSeconds: int32("Seconds before a stalled rollout is reported as failed."),
    replicas: int32("Number of desired pods; 1 by default."),
    revisionHistoryLimit: revisionHistoryLimit(),
    selector: selector(),
    strategy: apps("DeploymentStrategy", "How old pods are replaced by new ones."),
    template: template(),
  }, { description: "The desired state of a deployment.", required: ["selector", "template"] }),
  [`${APPS}DeploymentStrategy`]: obj({
    rollingUpdate: apps("RollingUpdateDeployment", "Rolling update parameters."),
    type: str("RollingUpdate or Recreate."),
  }, { description: "How a deployment replaces pods." }),
  [`${APPS}RollingUpdateDeployment`]: obj({
    maxSurge: intOrString("Pods allowed above the desired count, as a number or percentage."),
    maxUnavailable: intOrString("Pods allowed to be unavailable, as a number or percentage."),
  }, { description: "Pace of a rolling update." }),
  [`${APPS}DeploymentStatus`]: obj({
    availableReplicas: int32("Pods ready for at least minReadySeconds."),
    collisionCount: collisionCount(),
    conditions: conditions(`${APPS}DeploymentCondition`),
    observedGeneration: observedGeneration(),
    readyReplicas: int32("Pods that are ready."),
    replicas: int32("Pods targeted by the deployment."),
    terminatingReplicas: int32("Pods being terminated."),
    unavailableReplicas: int32("Pods still needed for full availability."),
    updatedReplicas: int32("Pods matching the current template."),
  }, { description: "The observed state of a deployment." }),
  [`${APPS}DeploymentCondition`]: condition("deployment", {
    lastUpdateTime: time("Last time the condition was updated."),
  }),
  ...kindWithList(PKG, { ...v1, kind: "ReplicaSet" }, "Keeps a number of identical pods running.", {
    spec: apps("ReplicaSetSpec", "Desired behaviour of the replica set."),
    status: apps("ReplicaSetStatus", "Most recently observed state of the replica set."),
  }),
  [`${APPS}ReplicaSetSpec`]: obj({
    minReadySeconds: minReadySeconds(),
    replicas: int32("Number of desired pods; 1 by default."),
    selector: selector(),
    template: template(),
  }, { description: "The desired state of a replica set.", required: ["selector"] }),
  [`${APPS}ReplicaSetStatus`]: obj({
    availableReplicas: int32("Pods ready for at least minReadySeconds."),
    conditions: conditions(`${APPS}ReplicaSetCondition`),
    fullyLabeledReplicas: int32("Pods whose labels match the template's."),
    observedGeneration: observedGeneration(),
    readyReplicas: int32("Pods that are ready."),
    replicas: int32("Pods currently owned."),
    terminatingReplicas: int32("Pods being terminated."),
  }, { description: "The observed state of a replica set.", required: ["replicas"] }),
  [`${APPS}ReplicaSetCondition`]: condition("replica set"),
  ...kindWithList(
    PKG,
    { ...v1, kind: "DaemonSet" },
    "Runs a copy of a pod on every eligible node.",
    {
      spec: apps("DaemonSetSpec", "Desired behaviour of the daemon set."),
      status: apps("DaemonSetStatus", "Most recently observed state of the daemon set."),
    },
  ),
  [`${APPS}DaemonSetSpec`]: obj({
    minReadySeconds: minReadySeconds(),
    revisionHistoryLimit: revisionHistoryLimit(),
    selector: selector(),
    template: template(),
    updateStrategy: apps("DaemonSetUpdateStrategy", "How pods are replaced on update."),
  }, { description: "The desired state of a daemon set.", required: ["selector", "template"] }),
  [`${APPS}DaemonSetUpdateStrategy`]: obj({
    rollingUpdate: apps("RollingUpdateDaemonSet", "Rolling update parameters."),
    type: str("RollingUpdate or OnDelete."),
  }, { description: "How a daemon set replaces pods." }),
  [`${APPS}RollingUpdateDaemonSet`]: obj({
    maxSurge: intOrString("Nodes that may run an extra pod during the update."),
    maxUnavailable: intOrString("Nodes whose pod may be unavailable during the update."),
  }, { description: "Pace of a daemon set rolling update." }),
  [`${APPS}DaemonSetStatus`]: obj({
    collisionCount: collisionCount(),
    conditions: conditions(`${APPS}DaemonSetCondition`),
    currentNumberScheduled: int32("Nodes running at least one daemon pod that should."),
    desiredNumberScheduled: int32("Nodes that should run the daemon pod."),
    numberAvailable: int32("Nodes with an available daemon pod."),
    numberMisscheduled: int32("Nodes running the daemon pod that should not."),
    numberReady: int32("Nodes with a ready daemon pod."),
    numberUnavailable: int32("Nodes without an available daemon pod."),
    observedGeneration: observedGeneration(),
    updatedNumberScheduled: int32("Nodes running the current template."),
  }, {
    description: "The observed state of a daemon set.",
    required: [
      "currentNumberScheduled",
      "numberMisscheduled",
      "desiredNumberScheduled",
      "numberReady",
    ],
  }),
  [`${APPS}DaemonSetCondition`]: condition("daemon set"),
  ...kindWithList(PKG, { ...v1, kind: "StatefulSet" }, "Pods with stable identities and storage.", {
    spec: apps("StatefulSetSpec", "Desired behaviour of the stateful set."),
    status: apps("StatefulSetStatus", "Most recently observed state of the stateful set."),
  }),
  [`${APPS}StatefulSetSpec`]: obj({
    minReadySeconds: minReadySeconds(),
    ordinals: apps("StatefulSetOrdinals", "Numbering of the replicas."),
    persistentVolumeClaimRetentionPolicy: apps(
      "StatefulSetPersistentVolumeClaimRetentionPolicy",
      "What happens to claims on deletion and scale-down.",
    ),
    podManagementPolicy: str("OrderedReady or Parallel."),
    replicas: int32("Number of desired pods; 1 by default."),
    revisionHistoryLimit: revisionHistoryLimit(),
    selector: selector(),
    serviceName: str("Headless service giving the pods their DNS names."),
    template: template(),
    updateStrategy: apps("StatefulSetUpdateStrategy", "How pods are replaced on update."),
    volumeClaimTemplates: arr(ref("io.k8s.api.core.v1.PersistentVolumeClaim"), {
      description: "Claims created for each pod.",
      listType: "atomic",
    }),
  }, { description: "The desired state of a stateful set.", required: ["selector", "template"] }),
  [`${APPS}StatefulSetOrdinals`]: obj({
    start: int32("First replica index."),
  }, { description: "Numbering of stateful set replicas." }),
  [`${APPS}StatefulSetPersistentVolumeClaimRetentionPolicy`]: obj({
    whenDeleted: str("Retain or Delete claims when the set is deleted."),
    whenScaled: str("Retain or Delete claims when the set scales down."),
  }, { description: "Lifecycle of stateful set claims." }),
  [`${APPS}StatefulSetUpdateStrategy`]: obj({
    rollingUpdate: apps("RollingUpdateStatefulSetStrategy", "Rolling update parameters."),
    type: str("RollingUpdate or OnDelete."),
  }, { description: "How a stateful set replaces pods." }),
  [`${APPS}RollingUpdateStatefulSetStrategy`]: obj({
    maxUnavailable: intOrString("Pods that may be unavailable during the update."),
    partition: int32("Ordinal at and above which pods are updated."),
  }, { description: "Pace of a stateful set rolling update." }),
  [`${APPS}StatefulSetStatus`]: obj({
    availableReplicas: int32("Pods ready for at least minReadySeconds."),
    collisionCount: collisionCount(),
    conditions: conditions(`${APPS}StatefulSetCondition`),
    currentReplicas: int32("Pods at currentRevision."),
    currentRevision: str("Revision of the pods before the update."),
    observedGeneration: observedGeneration(),
    readyReplicas: int32("Pods that are ready."),
    replicas: int32("Pods created."),
    updateRevision: str("Revision of the pods being rolled out."),
    updatedReplicas: int32("Pods at updateRevision."),
  }, { description: "The observed state of a stateful set.", required: ["replicas"] }),
  [`${APPS}StatefulSetCondition`]: condition("stateful set"),
  ...kindWithList(
    PKG,
    { ...v1, kind: "ControllerRevision" },
    "An immutable snapshot of a controller's template.",
    {
      data: ref("io.k8s.apimachinery.pkg.runtime.RawExtension", "The serialized state."),
      revision: int64("Revision number."),
    },
    { required: ["revision"] },
  ),
};
