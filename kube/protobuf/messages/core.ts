/**
 * Protobuf descriptors for core/v1 objects: Namespace, ConfigMap, Secret, Service, ServiceAccount, ResourceQuota, Pod (and PodStatus), PersistentVolumeClaim.
 *
 * Field numbers are those of the k8s.io/api and apimachinery `generated.proto` files as built into
 * kubectl 1.32; JSON names and flags follow the Go types' `json` tags (see `schema.ts`).
 *
 * @module
 */
import type { MessageTable } from "../schema.ts";

/** Core/v1 objects: Namespace, ConfigMap, Secret, Service, ServiceAccount, ResourceQuota, Pod (and PodStatus), PersistentVolumeClaim. */
export const CORE: MessageTable = {
  "core.Namespace": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "core.NamespaceSpec"],
    3: ["status", "core.NamespaceStatus"],
  },
  "core.NamespaceSpec": {
    1: ["finalizers", "string", "rep"],
  },
  "core.NamespaceStatus": {
    1: ["phase", "string"],
    2: ["conditions", "core.NamespaceCondition", "rep"],
  },
  "core.NamespaceCondition": {
    1: ["type", "string", "keep"],
    2: ["status", "string", "keep"],
    4: ["lastTransitionTime", "time"],
    5: ["reason", "string"],
    6: ["message", "string"],
  },
  "core.ConfigMap": {
    1: ["metadata", "meta.ObjectMeta"],
    4: ["immutable", "bool", "ptr"],
    2: ["data", "map<string>"],
    3: ["binaryData", "map<bytes>"],
  },
  "core.Secret": {
    1: ["metadata", "meta.ObjectMeta"],
    5: ["immutable", "bool", "ptr"],
    2: ["data", "map<bytes>"],
    4: ["stringData", "map<string>"],
    3: ["type", "string"],
  },
  "core.Service": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "core.ServiceSpec"],
    3: ["status", "core.ServiceStatus"],
  },
  "core.ServiceSpec": {
    1: ["ports", "core.ServicePort", "rep"],
    2: ["selector", "map<string>"],
    3: ["clusterIP", "string"],
    18: ["clusterIPs", "string", "rep"],
    4: ["type", "string"],
    5: ["externalIPs", "string", "rep"],
    7: ["sessionAffinity", "string"],
    8: ["loadBalancerIP", "string"],
    9: ["loadBalancerSourceRanges", "string", "rep"],
    10: ["externalName", "string"],
    11: ["externalTrafficPolicy", "string"],
    12: ["healthCheckNodePort", "int32"],
    13: ["publishNotReadyAddresses", "bool"],
    14: ["sessionAffinityConfig", "core.SessionAffinityConfig", "ptr"],
    19: ["ipFamilies", "string", "rep"],
    17: ["ipFamilyPolicy", "string", "ptr"],
    20: ["allocateLoadBalancerNodePorts", "bool", "ptr"],
    21: ["loadBalancerClass", "string", "ptr"],
    22: ["internalTrafficPolicy", "string", "ptr"],
    23: ["trafficDistribution", "string", "ptr"],
  },
  "core.ServicePort": {
    1: ["name", "string"],
    2: ["protocol", "string"],
    6: ["appProtocol", "string", "ptr"],
    3: ["port", "int32", "keep"],
    4: ["targetPort", "intstr"],
    5: ["nodePort", "int32"],
  },
  "core.SessionAffinityConfig": {
    1: ["clientIP", "core.ClientIPConfig", "ptr"],
  },
  "core.ClientIPConfig": {
    1: ["timeoutSeconds", "int32", "ptr"],
  },
  "core.ServiceStatus": {
    1: ["loadBalancer", "core.LoadBalancerStatus"],
    2: ["conditions", "meta.Condition", "rep"],
  },
  "core.LoadBalancerStatus": {
    1: ["ingress", "core.LoadBalancerIngress", "rep"],
  },
  "core.LoadBalancerIngress": {
    1: ["ip", "string"],
    2: ["hostname", "string"],
    3: ["ipMode", "string", "ptr"],
    4: ["ports", "core.PortStatus", "rep"],
  },
  "core.PortStatus": {
    1: ["port", "int32", "keep"],
    2: ["protocol", "string", "keep"],
    3: ["error", "string", "ptr"],
  },
  "core.ServiceAccount": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["secrets", "core.ObjectReference", "rep"],
    3: ["imagePullSecrets", "core.LocalObjectReference", "rep"],
    4: ["automountServiceAccountToken", "bool", "ptr"],
  },
  "core.ObjectReference": {
    1: ["kind", "string"],
    2: ["namespace", "string"],
    3: ["name", "string"],
    4: ["uid", "string"],
    5: ["apiVersion", "string"],
    6: ["resourceVersion", "string"],
    7: ["fieldPath", "string"],
  },
  "core.ResourceQuota": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "core.ResourceQuotaSpec"],
    3: ["status", "core.ResourceQuotaStatus"],
  },
  "core.ResourceQuotaSpec": {
    1: ["hard", "map<quantity>"],
    2: ["scopes", "string", "rep"],
    3: ["scopeSelector", "core.ScopeSelector", "ptr"],
  },
  "core.ScopeSelector": {
    1: ["matchExpressions", "core.ScopedResourceSelectorRequirement", "rep"],
  },
  "core.ScopedResourceSelectorRequirement": {
    1: ["scopeName", "string", "keep"],
    2: ["operator", "string", "keep"],
    3: ["values", "string", "rep"],
  },
  "core.ResourceQuotaStatus": {
    1: ["hard", "map<quantity>"],
    2: ["used", "map<quantity>"],
  },
  "core.Pod": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "core.PodSpec"],
    3: ["status", "core.PodStatus"],
  },
  "core.PodStatus": {
    1: ["phase", "string"],
    2: ["conditions", "core.PodCondition", "rep"],
    3: ["message", "string"],
    4: ["reason", "string"],
    11: ["nominatedNodeName", "string"],
    5: ["hostIP", "string"],
    16: ["hostIPs", "core.HostIP", "rep"],
    6: ["podIP", "string"],
    12: ["podIPs", "core.PodIP", "rep"],
    7: ["startTime", "time", "ptr"],
    10: ["initContainerStatuses", "core.ContainerStatus", "rep"],
    8: ["containerStatuses", "core.ContainerStatus", "rep"],
    9: ["qosClass", "string"],
    13: ["ephemeralContainerStatuses", "core.ContainerStatus", "rep"],
    14: ["resize", "string"],
    15: ["resourceClaimStatuses", "core.PodResourceClaimStatus", "rep"],
  },
  "core.PodCondition": {
    1: ["type", "string", "keep"],
    2: ["status", "string", "keep"],
    3: ["lastProbeTime", "time"],
    4: ["lastTransitionTime", "time"],
    5: ["reason", "string"],
    6: ["message", "string"],
  },
  "core.HostIP": {
    1: ["ip", "string", "keep"],
  },
  "core.PodIP": {
    1: ["ip", "string", "keep"],
  },
  "core.ContainerStatus": {
    1: ["name", "string", "keep"],
    2: ["state", "core.ContainerState"],
    3: ["lastState", "core.ContainerState"],
    4: ["ready", "bool", "keep"],
    5: ["restartCount", "int32", "keep"],
    6: ["image", "string", "keep"],
    7: ["imageID", "string", "keep"],
    8: ["containerID", "string"],
    9: ["started", "bool", "ptr"],
    10: ["allocatedResources", "map<quantity>"],
    11: ["resources", "core.ResourceRequirements", "ptr"],
    12: ["volumeMounts", "core.VolumeMountStatus", "rep"],
    13: ["user", "core.ContainerUser", "ptr"],
    14: ["allocatedResourcesStatus", "core.ResourceStatus", "rep"],
  },
  "core.ContainerState": {
    1: ["waiting", "core.ContainerStateWaiting", "ptr"],
    2: ["running", "core.ContainerStateRunning", "ptr"],
    3: ["terminated", "core.ContainerStateTerminated", "ptr"],
  },
  "core.ContainerStateWaiting": {
    1: ["reason", "string"],
    2: ["message", "string"],
  },
  "core.ContainerStateRunning": {
    1: ["startedAt", "time"],
  },
  "core.ContainerStateTerminated": {
    1: ["exitCode", "int32", "keep"],
    2: ["signal", "int32"],
    3: ["reason", "string"],
    4: ["message", "string"],
    5: ["startedAt", "time"],
    6: ["finishedAt", "time"],
    7: ["containerID", "string"],
  },
  "core.VolumeMountStatus": {
    1: ["name", "string", "keep"],
    2: ["mountPath", "string", "keep"],
    3: ["readOnly", "bool"],
    4: ["recursiveReadOnly", "string", "ptr"],
  },
  "core.ContainerUser": {
    1: ["linux", "core.LinuxContainerUser", "ptr"],
  },
  "core.LinuxContainerUser": {
    1: ["uid", "int64", "keep"],
    2: ["gid", "int64", "keep"],
    3: ["supplementalGroups", "int64", "rep"],
  },
  "core.ResourceStatus": {
    1: ["name", "string", "keep"],
    2: ["resources", "core.ResourceHealth", "rep"],
  },
  "core.ResourceHealth": {
    1: ["resourceID", "string", "keep"],
    2: ["health", "string"],
  },
  "core.PodResourceClaimStatus": {
    1: ["name", "string", "keep"],
    2: ["resourceClaimName", "string", "ptr"],
  },
  "core.PodTemplateSpec": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "core.PodSpec"],
  },
  "core.PersistentVolumeClaim": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "core.PersistentVolumeClaimSpec"],
    3: ["status", "core.PersistentVolumeClaimStatus"],
  },
  "core.PersistentVolumeClaimStatus": {
    1: ["phase", "string"],
    2: ["accessModes", "string", "rep"],
    3: ["capacity", "map<quantity>"],
    4: ["conditions", "core.PersistentVolumeClaimCondition", "rep"],
    5: ["allocatedResources", "map<quantity>"],
    7: ["allocatedResourceStatuses", "map<string>"],
    8: ["currentVolumeAttributesClassName", "string", "ptr"],
    9: ["modifyVolumeStatus", "core.ModifyVolumeStatus", "ptr"],
  },
  "core.PersistentVolumeClaimCondition": {
    1: ["type", "string", "keep"],
    2: ["status", "string", "keep"],
    3: ["lastProbeTime", "time"],
    4: ["lastTransitionTime", "time"],
    5: ["reason", "string"],
    6: ["message", "string"],
  },
  "core.ModifyVolumeStatus": {
    1: ["targetVolumeAttributesClassName", "string"],
    2: ["status", "string", "keep"],
  },
};
