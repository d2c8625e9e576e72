/**
 * Creates the default RBAC policy at server start and reconciles it the way upstream's
 * `EnsureRBACPolicy` does: missing objects are created; an existing object is only added to
 * (missing labels and annotations, rules its rules do not cover, aggregation selectors,
 * subjects), never stripped, and only while its `rbac.authorization.kubernetes.io/autoupdate`
 * annotation is not "false". A binding whose roleRef differs is recreated (roleRef is
 * immutable). A second run over an unchanged policy writes nothing.
 *
 * @module
 */
import { ApiError, isConflict, isNotFound } from "../../../kube/errors.ts";
import { clone, deepEqual } from "../../../kube/deep_equal.ts";
import type { KubeObject } from "../../../kube/types.ts";
import type { StoreSet } from "../../apiserver/handler.ts";
import type { RestStore } from "../../apiserver/rest_store.ts";
import type { Logger } from "../../log.ts";
import {
  AUTOUPDATE_ANNOTATION,
  BOOTSTRAP_CLUSTER_ROLE_BINDINGS,
  BOOTSTRAP_CLUSTER_ROLES,
} from "./bootstrap_roles.ts";
import { settleAggregatedRoles } from "./aggregation.ts";
import { rulesCover } from "./rules.ts";
import { type PolicyRule, RBAC_GROUP, type Subject } from "./types.ts";

/** The field manager of bootstrap writes, as upstream's apiserver shows in managedFields. */
const FIELD_MANAGER = "kube-apiserver";

/** What one run did, by `ClusterRole/<name>` and `ClusterRoleBinding/<name>`. */
export interface BootstrapPolicyResult {
  created: string[];
  updated: string[];
  /** Left alone because their autoupdate annotation is "false". */
  skipped: string[];
}

/** Options of {@link ensureBootstrapPolicy}. */
export interface BootstrapPolicyOptions {
  logger?: Logger;
}

/**
 * Creates missing default ClusterRoles and ClusterRoleBindings and adds back what was removed
 * from those that still allow auto-update.
 */
export async function ensureBootstrapPolicy(
  stores: StoreSet,
  options: BootstrapPolicyOptions = {},
): Promise<BootstrapPolicyResult> {
  const result: BootstrapPolicyResult = { created: [], updated: [], skipped: [] };
  const roles = stores.forKind(RBAC_GROUP, "ClusterRole");
  for (const expected of await withAggregatedRules(roles)) {
    await ensureOne(roles, expected, reconcileRole, result);
  }
  const bindings = stores.forKind(RBAC_GROUP, "ClusterRoleBinding");
  for (const expected of BOOTSTRAP_CLUSTER_ROLE_BINDINGS) {
    await ensureOne(bindings, expected, reconcileBinding, result);
  }
  if (result.created.length || result.updated.length) {
    options.logger?.info("Reconciled bootstrap RBAC policy", {
      created: result.created.length,
      updated: result.updated.length,
      skipped: result.skipped.length,
    });
  }
  return result;
}

/**
 * The bootstrap ClusterRoles, aggregated ones with the rules the aggregation controller would
 * give them in this cluster: created that way, they need no write after the server is ready.
 */
async function withAggregatedRules(roles: RestStore): Promise<KubeObject[]> {
  const existing = (await roles.list(undefined)).items;
  const names = new Set(existing.map((r) => r.metadata.name));
  const world = [
    ...existing,
    ...BOOTSTRAP_CLUSTER_ROLES.filter((r) => !names.has(r.metadata.name)),
  ];
  const settled = new Map(settleAggregatedRoles(world).map((r) => [r.metadata.name, r]));
  return BOOTSTRAP_CLUSTER_ROLES.map((role) =>
    role.aggregationRule ? { ...role, rules: settled.get(role.metadata.name)!.rules } : role
  );
}

/** What reconciling one object decided. */
type Reconciled = { action: "none" } | { action: "update" | "recreate"; object: KubeObject };

async function ensureOne(
  store: RestStore,
  expected: KubeObject,
  reconcile: (existing: KubeObject, expected: KubeObject) => Reconciled,
  result: BootstrapPolicyResult,
): Promise<void> {
  const name = expected.metadata.name!;
  const id = `${expected.kind}/${name}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await store.find(undefined, name);
    if (!existing) {
      try {
        await store.create(undefined, clone(expected), { fieldManager: FIELD_MANAGER });
        result.created.push(id);
        return;
      } catch (error) {
        // Another server of an HA pair created it first: reconcile that one instead.
        if (error instanceof ApiError && error.reason === "AlreadyExists") continue;
        throw error;
      }
    }
    if (existing.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === "false") {
      result.skipped.push(id);
      return;
    }
    const decision = reconcile(existing, expected);
    if (decision.action === "none") return;
    try {
      if (decision.action === "recreate") {
        await store.delete(undefined, name, {
          preconditions: { resourceVersion: existing.metadata.resourceVersion },
        });
        const fresh = clone(decision.object);
        delete fresh.metadata.resourceVersion;
        delete fresh.metadata.uid;
        delete fresh.metadata.creationTimestamp;
        delete fresh.metadata.managedFields;
        await store.create(undefined, fresh, { fieldManager: FIELD_MANAGER });
      } else {
        // The read resourceVersion makes this a compare-and-swap: a concurrent edit retries.
        await store.update(undefined, name, decision.object, { fieldManager: FIELD_MANAGER });
      }
      result.updated.push(id);
      return;
    } catch (error) {
      if (isConflict(error) || isNotFound(error)) continue;
      throw error;
    }
  }
  throw ApiError.conflict({ resource: store.ref.resource, group: RBAC_GROUP }, name);
}

/** Labels and annotations the existing object lacks; its own values win. */
function mergeMeta(object: KubeObject, expected: KubeObject): boolean {
  let changed = false;
  for (const field of ["labels", "annotations"] as const) {
    const want = expected.metadata[field] ?? {};
    const have = { ...(object.metadata[field] ?? {}) };
    for (const [k, v] of Object.entries(want)) {
      if (Object.hasOwn(have, k)) continue;
      have[k] = v;
      changed = true;
    }
    if (Object.keys(have).length) object.metadata[field] = have;
  }
  return changed;
}

function reconcileRole(existing: KubeObject, expected: KubeObject): Reconciled {
  const next = clone(existing);
  let changed = mergeMeta(next, expected);
  const have: PolicyRule[] = Array.isArray(next.rules) ? next.rules : [];
  // Aggregated roles get their rules from the aggregation controller, not from here.
  if (!expected.aggregationRule) {
    const missing = (expected.rules as PolicyRule[]).filter((r) => !rulesCover(have, r));
    if (missing.length) {
      next.rules = [...have, ...missing];
      changed = true;
    }
  } else {
    const selectors: unknown[] = next.aggregationRule?.clusterRoleSelectors ?? [];
    const missing = (expected.aggregationRule.clusterRoleSelectors as unknown[])
      .filter((s) => !selectors.some((h) => deepEqual(h, s)));
    if (missing.length) {
      next.aggregationRule = { clusterRoleSelectors: [...selectors, ...missing] };
      changed = true;
    }
  }
  return changed ? { action: "update", object: next } : { action: "none" };
}

function reconcileBinding(existing: KubeObject, expected: KubeObject): Reconciled {
  const next = clone(existing);
  let changed = mergeMeta(next, expected);
  const have: Subject[] = Array.isArray(next.subjects) ? next.subjects : [];
  const missing = ((expected.subjects ?? []) as Subject[]).filter((s) =>
    !have.some((h) =>
      h.kind === s.kind && h.name === s.name && (h.namespace ?? "") === (s.namespace ?? "")
    )
  );
  if (missing.length) {
    next.subjects = [...have, ...missing];
    changed = true;
  }
  if (!deepEqual(next.roleRef, expected.roleRef)) {
    next.roleRef = clone(expected.roleRef);
    return { action: "recreate", object: next };
  }
  return changed ? { action: "update", object: next } : { action: "none" };
}
