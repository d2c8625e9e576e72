/**
 * ClusterRole aggregation, as upstream's clusterrole-aggregation controller: a ClusterRole with
 * an `aggregationRule` gets as `rules` the union of the rules of every other ClusterRole matching
 * any of its `clusterRoleSelectors` (roles taken by name order, each rule once). Every ClusterRole
 * change re-evaluates every aggregated role, so chains (view -> edit -> admin) settle in a few
 * passes: each write is itself a change that triggers the next pass.
 *
 * @module
 */
import { deepEqual } from "../../../kube/deep_equal.ts";
import { type LabelSelector, labelSelectorMatcher } from "../../../kube/selectors/labels.ts";
import type { KubeObject } from "../../../kube/types.ts";
import { isNotFound } from "../../../kube/errors.ts";
import type { StoreSet } from "../../apiserver/handler.ts";
import type { Logger } from "../../log.ts";
import { runInformer } from "../../../kube/informers/informer.ts";
import { inProcessListWatch } from "../../apiserver/in_process_list_watch.ts";
import { type PolicyRule, RBAC_GROUP } from "./types.ts";

/** The field manager of aggregation writes, upstream's controller name. */
const FIELD_MANAGER = "clusterrole-aggregation-controller";

/**
 * The rules an aggregated ClusterRole should hold, given every ClusterRole there is.
 * @returns undefined when the role has no aggregationRule.
 * @throws {ApiError} 400 when a selector is malformed.
 */
export function aggregateRules(
  role: KubeObject,
  clusterRoles: Iterable<KubeObject>,
): PolicyRule[] | undefined {
  const selectors: LabelSelector[] | undefined = role.aggregationRule?.clusterRoleSelectors;
  if (!role.aggregationRule) return undefined;
  const sorted = [...clusterRoles].sort((a, b) =>
    (a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1
  );
  const rules: PolicyRule[] = [];
  for (const selector of selectors ?? []) {
    const matcher = labelSelectorMatcher(selector ?? {});
    for (const other of sorted) {
      if (other.metadata.name === role.metadata.name) continue;
      if (!matcher.matches(other.metadata.labels)) continue;
      for (const rule of Array.isArray(other.rules) ? other.rules as PolicyRule[] : []) {
        if (!rules.some((r) => deepEqual(r, rule))) rules.push(rule);
      }
    }
  }
  return rules;
}

/**
 * Fills the rules of every aggregated role in a set of ClusterRoles as the controller would once
 * settled, following chains (view feeds edit feeds admin). Returns new objects; roles without an
 * aggregationRule are returned as they are.
 */
export function settleAggregatedRoles(clusterRoles: readonly KubeObject[]): KubeObject[] {
  const roles = clusterRoles.map((r) => r.aggregationRule ? { ...r } : r);
  // Each pass lets rules travel one more link; a chain cannot be longer than the role count.
  for (let pass = 0; pass <= roles.length; pass++) {
    let changed = false;
    for (const role of roles) {
      if (!role.aggregationRule) continue;
      const rules = aggregateRules(role, roles)!;
      if (!deepEqual(role.rules ?? [], rules)) {
        role.rules = rules;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return roles;
}

/** Options of {@link startClusterRoleAggregation}. */
export interface ClusterRoleAggregationOptions {
  signal: AbortSignal;
  logger: Logger;
  /** Delay before retrying a failed write. */
  retryMs?: number;
}

/** Runs the aggregation controller until the signal aborts. */
export async function startClusterRoleAggregation(
  stores: StoreSet,
  options: ClusterRoleAggregationOptions,
): Promise<void> {
  const store = stores.forKind(RBAC_GROUP, "ClusterRole");
  const roles = new Map<string, KubeObject>();
  const retryMs = options.retryMs ?? 1000;
  let pass: Promise<void> | undefined;
  let again = false;
  let retry: ReturnType<typeof setTimeout> | undefined;

  /** Starts a pass over every aggregated role, or asks the running one to go round again. */
  const schedule = (): void => {
    if (pass) {
      again = true;
      return;
    }
    // A change that lands after the loop's last check but before `pass` clears must not be lost.
    pass = syncAll().finally(() => {
      pass = undefined;
      if (again) schedule();
    });
  };

  const syncAll = async (): Promise<void> => {
    let failed = false;
    do {
      again = false;
      for (const role of [...roles.values()]) {
        if (options.signal.aborted) return;
        if (role.aggregationRule && !await syncOne(role.metadata.name!)) failed = true;
      }
    } while (again);
    if (failed && !options.signal.aborted && retry === undefined) {
      retry = setTimeout(() => {
        retry = undefined;
        schedule();
      }, retryMs);
    }
  };

  /** @returns false when the role should be tried again later. */
  const syncOne = async (name: string): Promise<boolean> => {
    const cached = roles.get(name);
    if (!cached) return true;
    let wanted: PolicyRule[] | undefined;
    try {
      wanted = aggregateRules(cached, roles.values());
    } catch (error) {
      options.logger.warn("ClusterRole has an invalid aggregationRule", {
        clusterrole: name,
        error: String(error),
      });
      return true;
    }
    if (wanted === undefined || deepEqual(cached.rules ?? [], wanted)) return true;
    try {
      await store.updateWith(undefined, name, (current) => {
        // Recompute against the stored role: its aggregationRule may have changed meanwhile.
        current.rules = aggregateRules(current, roles.values()) ?? current.rules;
        return current;
      }, { fieldManager: FIELD_MANAGER });
      return true;
    } catch (error) {
      if (isNotFound(error)) return true;
      options.logger.warn("Updating an aggregated ClusterRole failed; will retry", {
        clusterrole: name,
        error: String(error),
      });
      return false;
    }
  };

  try {
    await runInformer(inProcessListWatch(store, stores.deps.backend), {
      replace(items) {
        roles.clear();
        for (const item of items) roles.set(item.metadata.name!, item);
        schedule();
      },
      apply(type, object) {
        if (type === "DELETED") roles.delete(object.metadata.name!);
        else roles.set(object.metadata.name!, object);
        schedule();
      },
    }, { signal: options.signal, logger: options.logger, name: "clusterrole-aggregation" });
  } finally {
    await pass;
    clearTimeout(retry);
  }
}
