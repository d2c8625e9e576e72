/**
 * The top-level kinds the decoder understands, and the message tables they draw on.
 *
 * @module
 */
import type { MessageTable } from "./schema.ts";
import { APPS } from "./messages/apps.ts";
import { AUTH } from "./messages/auth.ts";
import { BATCH } from "./messages/batch.ts";
import { CORE } from "./messages/core.ts";
import { CORE_POD } from "./messages/core_pod.ts";
import { CORE_VOLUME } from "./messages/core_volume.ts";
import { META } from "./messages/meta.ts";
import { NETWORKING } from "./messages/networking.ts";
import { POLICY } from "./messages/policy.ts";
import { RBAC } from "./messages/rbac.ts";

/** Every message descriptor, by name. */
export const MESSAGES: MessageTable = {
  ...META,
  ...CORE,
  ...CORE_POD,
  ...CORE_VOLUME,
  ...APPS,
  ...BATCH,
  ...RBAC,
  ...POLICY,
  ...NETWORKING,
  ...AUTH,
};

const ROOTS: Record<string, Record<string, string>> = {
  "v1": {
    Namespace: "core.Namespace",
    ConfigMap: "core.ConfigMap",
    Secret: "core.Secret",
    Service: "core.Service",
    ServiceAccount: "core.ServiceAccount",
    ResourceQuota: "core.ResourceQuota",
    Pod: "core.Pod",
    PersistentVolumeClaim: "core.PersistentVolumeClaim",
  },
  "apps/v1": {
    Deployment: "apps.Deployment",
    ReplicaSet: "apps.ReplicaSet",
    DaemonSet: "apps.DaemonSet",
    StatefulSet: "apps.StatefulSet",
  },
  "batch/v1": { Job: "batch.Job", CronJob: "batch.CronJob" },
  "rbac.authorization.k8s.io/v1": {
    Role: "rbac.Role",
    RoleBinding: "rbac.RoleBinding",
    ClusterRole: "rbac.ClusterRole",
    ClusterRoleBinding: "rbac.ClusterRoleBinding",
  },
  "scheduling.k8s.io/v1": { PriorityClass: "scheduling.PriorityClass" },
  "policy/v1": { PodDisruptionBudget: "policy.PodDisruptionBudget" },
  "networking.k8s.io/v1": { Ingress: "networking.Ingress" },
  "authorization.k8s.io/v1": {
    SelfSubjectAccessReview: "authorization.SelfSubjectAccessReview",
    SelfSubjectRulesReview: "authorization.SelfSubjectRulesReview",
    SubjectAccessReview: "authorization.SubjectAccessReview",
    LocalSubjectAccessReview: "authorization.LocalSubjectAccessReview",
  },
  "authentication.k8s.io/v1": {
    TokenRequest: "authentication.TokenRequest",
    TokenReview: "authentication.TokenReview",
    SelfSubjectReview: "authentication.SelfSubjectReview",
  },
};

/** The message that encodes `apiVersion`/`kind`, or undefined when it is not decodable. */
export function messageForKind(apiVersion: string, kind: string): string | undefined {
  return Object.hasOwn(ROOTS, apiVersion) && Object.hasOwn(ROOTS[apiVersion], kind)
    ? ROOTS[apiVersion][kind]
    : undefined;
}

/** Every decodable kind as `apiVersion/Kind`, e.g. `apps/v1/Deployment`. */
export function supportedKinds(): string[] {
  return Object.entries(ROOTS).flatMap(([gv, kinds]) =>
    Object.keys(kinds).map((kind) => `${gv}/${kind}`)
  );
}
