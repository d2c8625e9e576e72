/**
 * Protobuf descriptors for apps/v1: Deployment, ReplicaSet, DaemonSet, StatefulSet.
 *
 * Field numbers are those of the k8s.io/api and apimachinery `generated.proto` files as built into
 * kubectl 1.32; JSON names and flags follow the Go types' `json` tags (see `schema.ts`).
 *
 * @module
 */
import type { MessageTable } from "../schema.ts";

/** Apps/v1: Deployment, ReplicaSet, DaemonSet, StatefulSet. */
export const APPS: MessageTable = {
  "apps.Deployment": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "apps.DeploymentSpec"],
    3: ["status", "apps.DeploymentStatus"],
  },
  "apps.DeploymentSpec": {
    1: ["replicas", "int32", "ptr"],
    2: ["selector", "meta.LabelSelector", "ptr"],
    3: ["template", "core.PodTemplateSpec"],
    4: ["strategy", "apps.DeploymentStrategy"],
    5: ["minReadySeconds", "int32"],
    6: ["revisionHistoryLimit", "int32", "ptr"],
    7: ["paused", "bool"],
    9: ["progressDeadlineSeconds", "int32", "ptr"],
  },
  "apps.DeploymentStrategy": {
    1: ["type", "string"],
    2: ["rollingUpdate", "apps.RollingUpdateDeployment", "ptr"],
  },
  "apps.RollingUpdateDeployment": {
    1: ["maxUnavailable", "intstr", "ptr"],
    2: ["maxSurge", "intstr", "ptr"],
  },
  "apps.DeploymentStatus": {
    1: ["observedGeneration", "int64"],
    2: ["replicas", "int32"],
    3: ["updatedReplicas", "int32"],
    7: ["readyReplicas", "int32"],
    4: ["availableReplicas", "int32"],
    5: ["unavailableReplicas", "int32"],
    6: ["conditions", "apps.DeploymentCondition", "rep"],
    8: ["collisionCount", "int32", "ptr"],
  },
  "apps.DeploymentCondition": {
    1: ["type", "string", "keep"],
    2: ["status", "string", "keep"],
    6: ["lastUpdateTime", "time"],
    7: ["lastTransitionTime", "time"],
    4: ["reason", "string"],
    5: ["message", "string"],
  },
  "apps.ReplicaSet": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "apps.ReplicaSetSpec"],
    3: ["status", "apps.ReplicaSetStatus"],
  },
  "apps.ReplicaSetSpec": {
    1: ["replicas", "int32", "ptr"],
    4: ["minReadySeconds", "int32"],
    2: ["selector", "meta.LabelSelector", "ptr"],
    3: ["template", "core.PodTemplateSpec"],
  },
  "apps.ReplicaSetStatus": {
    1: ["replicas", "int32", "keep"],
    2: ["fullyLabeledReplicas", "int32"],
    4: ["readyReplicas", "int32"],
    5: ["availableReplicas", "int32"],
    3: ["observedGeneration", "int64"],
    6: ["conditions", "apps.ReplicaSetCondition", "rep"],
  },
  "apps.ReplicaSetCondition": {
    1: ["type", "string", "keep"],
    2: ["status", "string", "keep"],
    3: ["lastTransitionTime", "time"],
    4: ["reason", "string"],
    5: ["message", "string"],
  },
  "apps.DaemonSet": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "apps.DaemonSetSpec"],
    3: ["status", "apps.DaemonSetStatus"],
  },
  "apps.DaemonSetSpec": {
    1: ["selector", "meta.LabelSelector", "ptr"],
    2: ["template", "core.PodTemplateSpec"],
    3: ["updateStrategy", "apps.DaemonSetUpdateStrategy"],
    4: ["minReadySeconds", "int32"],
    6: ["revisionHistoryLimit", "int32", "ptr"],
  },
  "apps.DaemonSetUpdateStrategy": {
    1: ["type", "string"],
    2: ["rollingUpdate", "apps.RollingUpdateDaemonSet", "ptr"],
  },
  "apps.RollingUpdateDaemonSet": {
    1: ["maxUnavailable", "intstr", "ptr"],
    2: ["maxSurge", "intstr", "ptr"],
  },
  "apps.DaemonSetStatus": {
    1: ["currentNumberScheduled", "int32", "keep"],
    2: ["numberMisscheduled", "int32", "keep"],
    3: ["desiredNumberScheduled", "int32", "keep"],
    4: ["numberReady", "int32", "keep"],
    5: ["observedGeneration", "int64"],
    6: ["updatedNumberScheduled", "int32"],
    7: ["numberAvailable", "int32"],
    8: ["numberUnavailable", "int32"],
    9: ["collisionCount", "int32", "ptr"],
    10: ["conditions", "apps.DaemonSetCondition", "rep"],
  },
  "apps.DaemonSetCondition": {
    1: ["type", "string", "keep"],
    2: ["status", "string", "keep"],
    3: ["lastTransitionTime", "time"],
    4: ["reason", "string"],
    5: ["message", "string"],
  },
  "apps.StatefulSet": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "apps.StatefulSetSpec"],
    3: ["status", "apps.StatefulSetStatus"],
  },
  "apps.StatefulSetSpec": {
    1: ["replicas", "int32", "ptr"],
    2: ["selector", "meta.LabelSelector", "ptr"],
    3: ["template", "core.PodTemplateSpec"],
    4: ["volumeClaimTemplates", "core.PersistentVolumeClaim", "rep"],
    5: ["serviceName", "string", "keep"],
    6: ["podManagementPolicy", "string"],
    7: ["updateStrategy", "apps.StatefulSetUpdateStrategy"],
    8: ["revisionHistoryLimit", "int32", "ptr"],
    9: ["minReadySeconds", "int32"],
    10: [
      "persistentVolumeClaimRetentionPolicy",
      "apps.StatefulSetPersistentVolumeClaimRetentionPolicy",
      "ptr",
    ],
    11: ["ordinals", "apps.StatefulSetOrdinals", "ptr"],
  },
  "apps.StatefulSetUpdateStrategy": {
    1: ["type", "string"],
    2: ["rollingUpdate", "apps.RollingUpdateStatefulSetStrategy", "ptr"],
  },
  "apps.RollingUpdateStatefulSetStrategy": {
    1: ["partition", "int32", "ptr"],
    2: ["maxUnavailable", "intstr", "ptr"],
  },
  "apps.StatefulSetPersistentVolumeClaimRetentionPolicy": {
    1: ["whenDeleted", "string"],
    2: ["whenScaled", "string"],
  },
  "apps.StatefulSetOrdinals": {
    1: ["start", "int32", "keep"],
  },
  "apps.StatefulSetStatus": {
    1: ["observedGeneration", "int64"],
    2: ["replicas", "int32", "keep"],
    3: ["readyReplicas", "int32"],
    4: ["currentReplicas", "int32"],
    5: ["updatedReplicas", "int32"],
    6: ["currentRevision", "string"],
    7: ["updateRevision", "string"],
    9: ["collisionCount", "int32", "ptr"],
    10: ["conditions", "apps.StatefulSetCondition", "rep"],
    11: ["availableReplicas", "int32", "keep"],
  },
  "apps.StatefulSetCondition": {
    1: ["type", "string", "keep"],
    2: ["status", "string", "keep"],
    3: ["lastTransitionTime", "time"],
    4: ["reason", "string"],
    5: ["message", "string"],
  },
};
