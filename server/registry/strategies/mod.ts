/**
 * Every built-in resource's strategy, looked up by group and kind. A resource without an entry
 * (a custom resource, later) gets the generic behaviour: metadata checks, Name/Age columns.
 *
 * @module
 */
import type { ResourceInfo, ResourceStrategy } from "../types.ts";
import { CONTROLLER_REVISION, DAEMON_SET, DEPLOYMENT, REPLICA_SET, STATEFUL_SET } from "./apps.ts";
import { CRON_JOB, JOB } from "./batch.ts";
import {
  CONFIG_MAP,
  ENDPOINTS,
  EVENT,
  PERSISTENT_VOLUME,
  PERSISTENT_VOLUME_CLAIM,
  SECRET,
  SERVICE_ACCOUNT,
} from "./core.ts";
import { NAMESPACE } from "./namespaces.ts";
import { NODE } from "./nodes.ts";
import {
  CLUSTER_ROLE,
  CLUSTER_ROLE_BINDING,
  ENDPOINT_SLICE,
  EVENTS_K8S_EVENT,
  INGRESS,
  LEASE,
  NETWORK_POLICY,
  ROLE,
  ROLE_BINDING,
  STORAGE_CLASS,
} from "./other_groups.ts";
import { POD } from "./pods.ts";
import { SERVICE } from "./services.ts";

/** Strategies keyed by `group/Kind` (the core group is ""). */
export const STRATEGIES: ReadonlyMap<string, ResourceStrategy> = new Map([
  ["/Namespace", NAMESPACE],
  ["/Pod", POD],
  ["/Node", NODE],
  ["/Service", SERVICE],
  ["/Endpoints", ENDPOINTS],
  ["/ConfigMap", CONFIG_MAP],
  ["/Secret", SECRET],
  ["/ServiceAccount", SERVICE_ACCOUNT],
  ["/Event", EVENT],
  ["/PersistentVolume", PERSISTENT_VOLUME],
  ["/PersistentVolumeClaim", PERSISTENT_VOLUME_CLAIM],
  ["apps/Deployment", DEPLOYMENT],
  ["apps/ReplicaSet", REPLICA_SET],
  ["apps/DaemonSet", DAEMON_SET],
  ["apps/StatefulSet", STATEFUL_SET],
  ["apps/ControllerRevision", CONTROLLER_REVISION],
  ["batch/Job", JOB],
  ["batch/CronJob", CRON_JOB],
  ["coordination.k8s.io/Lease", LEASE],
  ["discovery.k8s.io/EndpointSlice", ENDPOINT_SLICE],
  ["events.k8s.io/Event", EVENTS_K8S_EVENT],
  ["networking.k8s.io/Ingress", INGRESS],
  ["networking.k8s.io/NetworkPolicy", NETWORK_POLICY],
  ["storage.k8s.io/StorageClass", STORAGE_CLASS],
  ["rbac.authorization.k8s.io/Role", ROLE],
  ["rbac.authorization.k8s.io/ClusterRole", CLUSTER_ROLE],
  ["rbac.authorization.k8s.io/RoleBinding", ROLE_BINDING],
  ["rbac.authorization.k8s.io/ClusterRoleBinding", CLUSTER_ROLE_BINDING],
]);

/**
 * The strategy of a resource. `hasStatus` follows the resource's subresources, so the status
 * split cannot disagree with what discovery advertises.
 */
export function strategyFor(info: ResourceInfo): ResourceStrategy {
  const strategy = STRATEGIES.get(`${info.group}/${info.kind}`) ?? {};
  return { ...strategy, hasStatus: info.subresources.includes("status") };
}
