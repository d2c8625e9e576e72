/**
 * Namespace deletion: once a namespace is marked for deletion, delete everything in it, then
 * remove the `kubernetes` finalizer so the namespace itself goes. Content that waits on its own
 * finalizers or grace period is retried until it is gone. Meanwhile the namespace's status
 * carries upstream's five deletion conditions, so `kubectl describe namespace` says what is
 * left and which finalizers hold it ("Some resources are remaining: configmaps. has 1 resource
 * instances").
 *
 * @module
 */
import { pause } from "../../kube/pause.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { timestamp } from "../apiserver/object_meta.ts";
import { watchStore } from "../apiserver/store_watch.ts";
import type { Logger } from "../log.ts";
import { isNotFound } from "../../kube/errors.ts";

/** Field manager and event source of this controller (upstream's component name). */
const COMPONENT = "namespace-controller";

/** Options of {@link startNamespaceController}. */
export interface NamespaceControllerOptions {
  signal: AbortSignal;
  logger: Logger;
  /** Delay before looking again at a namespace whose content is still going. */
  retryMs?: number;
}

/** One condition of a namespace's status. */
export interface NamespaceCondition {
  type: string;
  status: "True" | "False";
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/** What one deletion pass left behind. */
export interface DeletionPass {
  /** Objects still present, by `<plural>.<group>` ("configmaps.", "deployments.apps"). */
  remaining: Map<string, number>;
  /** Finalizers of the objects still present, with how many objects carry each. */
  finalizers: Map<string, number>;
  /** Deletions that failed, as `<plural>.<group>: <error>`. */
  failures: string[];
}

/**
 * Upstream's namespace deletion conditions, in its order, each with what it says when nothing
 * is wrong (status False).
 */
const CONDITIONS: readonly { type: string; reason: string; message: string }[] = [
  {
    type: "NamespaceDeletionDiscoveryFailure",
    reason: "ResourcesDiscovered",
    message: "All resources successfully discovered",
  },
  {
    type: "NamespaceDeletionGroupVersionParsingFailure",
    reason: "ParsedGroupVersions",
    message: "All legacy kube types successfully parsed",
  },
  {
    type: "NamespaceDeletionContentFailure",
    reason: "ContentDeleted",
    message: "All content successfully deleted, may be waiting on finalization",
  },
  {
    type: "NamespaceContentRemaining",
    reason: "ContentRemoved",
    message: "All content successfully removed",
  },
  {
    type: "NamespaceFinalizersRemaining",
    reason: "ContentHasNoFinalizers",
    message: "All content-preserving finalizers finished",
  },
];

/** `a has 1 resource instances, b ...` in upstream's words, sorted as upstream sorts them. */
function counted(counts: ReadonlyMap<string, number>, phrase: string): string {
  return [...counts].map(([what, n]) => `${what} ${phrase} ${n} resource instances`).sort()
    .join(", ");
}

/**
 * The namespace's conditions after a deletion pass: each of upstream's five set from the pass,
 * conditions of other types kept, and a condition that says the same as before keeps its
 * `lastTransitionTime`.
 *
 * @example
 * ```ts
 * namespaceDeletionConditions([], {
 *   remaining: new Map([["configmaps.", 1]]),
 *   finalizers: new Map([["example.com/hold", 1]]),
 *   failures: [],
 * }, Date.now());
 * // NamespaceContentRemaining True SomeResourcesRemain
 * //   "Some resources are remaining: configmaps. has 1 resource instances", ...
 * ```
 */
export function namespaceDeletionConditions(
  current: readonly NamespaceCondition[],
  pass: DeletionPass,
  now: number,
): NamespaceCondition[] {
  const failed: Record<string, { reason: string; message: string }> = {};
  if (pass.failures.length > 0) {
    failed.NamespaceDeletionContentFailure = {
      reason: "ContentDeletionFailed",
      message: `Failed to delete all resource types, ${pass.failures.length} remaining: ${
        [...pass.failures].sort().join(", ")
      }`,
    };
  }
  if (pass.remaining.size > 0) {
    failed.NamespaceContentRemaining = {
      reason: "SomeResourcesRemain",
      message: `Some resources are remaining: ${counted(pass.remaining, "has")}`,
    };
  }
  if (pass.finalizers.size > 0) {
    failed.NamespaceFinalizersRemaining = {
      reason: "SomeFinalizersRemain",
      message: `Some content in the namespace has finalizers remaining: ${
        counted(pass.finalizers, "in")
      }`,
    };
  }
  const ours = new Set(CONDITIONS.map((c) => c.type));
  const conditions = current.filter((c) => !ours.has(c.type));
  for (const ok of CONDITIONS) {
    const bad = failed[ok.type];
    const wanted = {
      type: ok.type,
      status: bad ? "True" as const : "False" as const,
      reason: bad?.reason ?? ok.reason,
      message: bad?.message ?? ok.message,
    };
    const before = current.find((c) => c.type === ok.type);
    const same = before && before.status === wanted.status && before.reason === wanted.reason &&
      before.message === wanted.message;
    conditions.push(same ? before : { ...wanted, lastTransitionTime: timestamp(now) });
  }
  return conditions;
}

/** Deletes what a namespace holds, then counts what is still there (and why). */
async function deleteContent(stores: StoreSet, namespace: string): Promise<DeletionPass> {
  const pass: DeletionPass = { remaining: new Map(), finalizers: new Map(), failures: [] };
  for (const resource of stores.registry.all()) {
    if (!resource.info.namespaced) continue;
    const { group, version, plural } = resource.info;
    const store = stores.lookup(group, version, plural)!;
    const name = `${plural}.${group}`;
    try {
      await store.deleteCollection(namespace, {}, { propagationPolicy: "Background" });
    } catch (error) {
      pass.failures.push(`${name}: ${(error as Error).message}`);
    }
    const left = (await store.list(namespace, {})).items;
    if (left.length === 0) continue;
    pass.remaining.set(name, left.length);
    for (const object of left) {
      for (const finalizer of object.metadata.finalizers ?? []) {
        pass.finalizers.set(finalizer, (pass.finalizers.get(finalizer) ?? 0) + 1);
      }
    }
  }
  return pass;
}

/** Serialises conditions for comparison, without their times. */
function conditionsKey(conditions: readonly NamespaceCondition[]): string {
  return JSON.stringify(conditions.map(({ lastTransitionTime: _, ...rest }) => rest));
}

/** Runs until the signal aborts. */
export async function startNamespaceController(
  stores: StoreSet,
  options: NamespaceControllerOptions,
): Promise<void> {
  const namespaces = stores.forKind("", "Namespace");
  const retryMs = options.retryMs ?? 1000;
  const busy = new Set<string>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  /** Writes the pass's conditions on the namespace, when they say something new. */
  const reportConditions = async (name: string, pass: DeletionPass) => {
    await namespaces.updateWith(undefined, name, (current) => {
      const before: NamespaceCondition[] = Array.isArray(current.status?.conditions)
        ? current.status.conditions
        : [];
      const conditions = namespaceDeletionConditions(before, pass, Date.now());
      if (conditionsKey(conditions) === conditionsKey(before)) return current;
      current.status = { ...current.status, conditions };
      return current;
    }, { subresource: "status", fieldManager: COMPONENT });
  };

  const sync = async (ns: KubeObject): Promise<void> => {
    const name = ns.metadata.name!;
    if (
      !ns.metadata.deletionTimestamp || !(ns.spec?.finalizers ?? []).includes("kubernetes") ||
      busy.has(name)
    ) return;
    busy.add(name);
    try {
      const pass = await deleteContent(stores, name);
      await reportConditions(name, pass);
      if (pass.remaining.size === 0 && pass.failures.length === 0) {
        await namespaces.updateWith(undefined, name, (current) => {
          current.spec = {
            ...current.spec,
            finalizers: (current.spec?.finalizers ?? []).filter((f: string) => f !== "kubernetes"),
          };
          return current;
        }, { subresource: "finalize", fieldManager: COMPONENT });
        options.logger.info("Namespace emptied and removed", { namespace: name });
        return;
      }
    } catch (error) {
      if (isNotFound(error)) return;
      options.logger.warn("Namespace cleanup failed; will retry", {
        namespace: name,
        error: String(error),
      });
    } finally {
      busy.delete(name);
    }
    if (options.signal.aborted) return;
    const timer = setTimeout(async () => {
      timers.delete(timer);
      const current = await namespaces.find(undefined, name).catch(() => undefined);
      if (current) await sync(current);
    }, retryMs);
    timers.add(timer);
  };

  try {
    // A watch ends on compaction or overflow: start again from a fresh list.
    while (!options.signal.aborted) {
      try {
        for await (
          const event of watchStore(namespaces, stores.deps.backend, undefined, {
            signal: options.signal,
          })
        ) {
          if (event.type === "ADDED" || event.type === "MODIFIED") void sync(event.object);
        }
      } catch (error) {
        if (!options.signal.aborted) {
          options.logger.warn("namespace watch ended; restarting", { error: String(error) });
        }
      }
      // Back off so a datastore that keeps failing is not hammered in a tight loop.
      await pause(retryMs, options.signal);
    }
  } finally {
    for (const t of timers) clearTimeout(t);
  }
}
