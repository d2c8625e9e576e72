/**
 * The garbage collector: deletes objects whose owners are all gone (Background propagation),
 * deletes the dependents of an owner deleted in the Foreground before letting the owner go
 * (`foregroundDeletion` finalizer; only dependents with `blockOwnerDeletion` hold it), and strips
 * the owner references to an owner deleted with Orphan before letting it go (`orphan`
 * finalizer). The API server records those finalizers on delete; this loop acts on them.
 *
 * It watches every resource that can be listed, watched and deleted (events aside, as upstream),
 * into an {@link OwnerIndex}, and always confirms with a fresh read before deleting anything.
 *
 * @module
 */
import type { KubeObject, OwnerReference } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import type { RegisteredResource } from "../apiserver/resources.ts";
import type { Logger } from "../log.ts";
import { isConflict, isNotFound } from "../../kube/errors.ts";
import { groupOf } from "./controller_ref.ts";
import { runInformer, untilAborted } from "../../kube/informers/informer.ts";
import { inProcessListWatch } from "../apiserver/in_process_list_watch.ts";
import {
  FOREGROUND_FINALIZER,
  isDeletingDependents,
  isOrphaning,
  nodeOf,
  ORPHAN_FINALIZER,
  OwnerIndex,
  type OwnerIndexNode,
} from "./owner_index.ts";
import { updateSameObject } from "./same_object.ts";
import { WorkQueue } from "../../kube/informers/workqueue.ts";

/** Resources the collector leaves alone: events come and go by themselves. */
const IGNORED = new Set(["/Event", "events.k8s.io/Event"]);

/** Options of {@link startGarbageCollectorController}. */
export interface GarbageCollectorOptions {
  signal: AbortSignal;
  logger: Logger;
  /** Objects processed at once (default 10). */
  workers?: number;
  /** Called with the index once it is built (tests and diagnostics). */
  onIndex?: (index: OwnerIndex) => void;
}

/** What a dependent's owners are, from its point of view. */
interface OwnerClasses {
  /** Exist and are not waiting on their dependents. */
  solid: OwnerReference[];
  /** Gone (or replaced by another object of the same name). */
  dangling: OwnerReference[];
  /** Being deleted in the foreground: waiting for dependents such as this one. */
  waiting: OwnerReference[];
}

/** Gone, replaced by another object of the same name, or changed under a precondition. */
function isGone(error: unknown): boolean {
  return isNotFound(error) || isConflict(error);
}

/** Runs until the signal aborts. */
export async function startGarbageCollectorController(
  stores: StoreSet,
  options: GarbageCollectorOptions,
): Promise<void> {
  const { signal, logger } = options;
  const index = new OwnerIndex();
  const toDelete = new WorkQueue();
  const toOrphan = new WorkQueue();
  options.onIndex?.(index);

  const storeOf = (node: { group: string; kind: string }) => {
    const resource = stores.registry.byKind(node.group, node.kind);
    return resource &&
      stores.lookup(resource.info.group, resource.info.version, resource.info.plural);
  };

  /** The object a node stands for, read now; undefined when it is gone or was replaced. */
  const readLive = async (node: OwnerIndexNode): Promise<KubeObject | undefined> => {
    const live = await storeOf(node)?.find(node.namespace, node.name);
    return live?.metadata.uid === node.uid ? live : undefined;
  };

  // -------------------------------------------------------------------------------------------
  // Reacting to changes

  const onUpsert = (node: OwnerIndexNode, previous: OwnerIndexNode | undefined) => {
    const ownersChanged = JSON.stringify(previous?.owners) !== JSON.stringify(node.owners);
    if (node.owners.length > 0 && (!previous || ownersChanged)) toDelete.add(node.uid);
    if (isDeletingDependents(node)) {
      if (!previous || !isDeletingDependents(previous)) {
        // The owner starts waiting: every dependent goes now, blocking or not.
        for (const dependent of index.dependents(node.uid)) toDelete.add(dependent.uid);
      }
      toDelete.add(node.uid);
    }
    if (isOrphaning(node)) toOrphan.add(node.uid);
    // A dependent that stopped naming (or blocking) a waiting owner may let it go.
    for (const ref of previous?.owners ?? []) {
      const owner = index.get(ref.uid);
      if (owner && isDeletingDependents(owner)) toDelete.add(owner.uid);
    }
  };

  const onRemove = (node: OwnerIndexNode) => {
    for (const dependent of index.dependents(node.uid)) toDelete.add(dependent.uid);
    for (const ref of node.owners) {
      const owner = index.get(ref.uid);
      if (owner && isDeletingDependents(owner)) toDelete.add(owner.uid);
    }
  };

  // -------------------------------------------------------------------------------------------
  // Work

  /** Sorts a dependent's owners, from the index where it knows them, else by a fresh read. */
  const classifyOwners = async (dependent: KubeObject): Promise<OwnerClasses> => {
    const classes: OwnerClasses = { solid: [], dangling: [], waiting: [] };
    for (const ref of dependent.metadata.ownerReferences ?? []) {
      const known = index.get(ref.uid);
      if (known) {
        (isDeletingDependents(known) ? classes.waiting : classes.solid).push(ref);
        continue;
      }
      const resource = stores.registry.byKind(groupOf(ref.apiVersion), ref.kind);
      if (!resource) {
        // A kind this server does not serve (yet): never collect on a guess.
        logger.debug("Owner kind not served; keeping the reference", {
          kind: ref.kind,
          apiVersion: ref.apiVersion,
        });
        classes.solid.push(ref);
        continue;
      }
      const owner = await ownerLive(resource, ref, dependent.metadata.namespace);
      if (!owner) classes.dangling.push(ref);
      else {
        const node = nodeOf(resource.info.group, owner);
        (isDeletingDependents(node) ? classes.waiting : classes.solid).push(ref);
      }
    }
    return classes;
  };

  const ownerLive = async (
    resource: RegisteredResource,
    ref: OwnerReference,
    namespace: string | undefined,
  ): Promise<KubeObject | undefined> => {
    // A cluster-scoped object cannot be owned by a namespaced one: such a reference is absent.
    if (resource.info.namespaced && !namespace) return undefined;
    const store = stores.lookup(resource.info.group, resource.info.version, resource.info.plural)!;
    const owner = await store.find(resource.info.namespaced ? namespace : undefined, ref.name);
    return owner?.metadata.uid === ref.uid ? owner : undefined;
  };

  /** Changes an object's owner references, provided it is still the same object. */
  const editOwners = async (
    node: OwnerIndexNode,
    change: (refs: OwnerReference[]) => OwnerReference[],
  ) => {
    try {
      await updateSameObject(storeOf(node)!, node, (current) => {
        const refs = change(current.metadata.ownerReferences ?? []);
        if (refs.length > 0) current.metadata.ownerReferences = refs;
        else delete current.metadata.ownerReferences;
      }, { fieldManager: "generic-garbage-collector" });
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  };

  const deleteObject = async (
    node: OwnerIndexNode,
    policy: "Background" | "Foreground" | "Orphan",
  ) => {
    try {
      await storeOf(node)!.delete(node.namespace, node.name, {
        propagationPolicy: policy,
        preconditions: { uid: node.uid },
      });
      logger.debug("Garbage collected", { kind: node.kind, name: node.name, policy });
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  };

  /** Removes a finalizer; a pod left with none and a deletionTimestamp is then deleted. */
  const removeFinalizer = async (node: OwnerIndexNode, finalizer: string) => {
    const store = storeOf(node)!;
    try {
      const object = await updateSameObject(store, node, (current) => {
        const kept = (current.metadata.finalizers ?? []).filter((f) => f !== finalizer);
        if (kept.length > 0) current.metadata.finalizers = kept;
        else delete current.metadata.finalizers;
      }, { fieldManager: "generic-garbage-collector" });
      // The store finishes most deletions itself; a pod's is the kubelet's, unless unbound.
      if (
        object.kind === "Pod" && object.metadata.deletionTimestamp && !object.metadata.finalizers
      ) {
        await store.delete(node.namespace, node.name, { preconditions: { uid: node.uid } });
      }
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  };

  /** A foreground-deleted owner: delete what blocks it, or let it go when nothing does. */
  const processDeletingDependents = async (node: OwnerIndexNode) => {
    const blocking = index.dependents(node.uid).filter((d) =>
      d.owners.some((ref) => ref.uid === node.uid && ref.blockOwnerDeletion === true)
    );
    if (blocking.length === 0) return await removeFinalizer(node, FOREGROUND_FINALIZER);
    for (const dependent of blocking) if (!dependent.beingDeleted) toDelete.add(dependent.uid);
  };

  const attemptToDelete = async (uid: string) => {
    const node = index.get(uid);
    if (!node) return;
    // Every owner known and not waiting: nothing to do, without a read (the common case of a
    // new pod of a live ReplicaSet). An owner seen going brings the dependent back here.
    const settled = !node.beingDeleted && node.owners.every((ref) => {
      const owner = index.get(ref.uid);
      return owner !== undefined && !isDeletingDependents(owner);
    });
    if (settled) return;
    const live = await readLive(node);
    if (!live) return;
    const current = nodeOf(node.group, live);
    if (isDeletingDependents(current)) return await processDeletingDependents(current);
    if (current.beingDeleted || current.owners.length === 0) return;

    const { solid, dangling, waiting } = await classifyOwners(live);
    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return;
      // Someone still owns it: only the references to absent or waiting owners go.
      const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
      return await editOwners(current, (refs) => refs.filter((r) => !drop.has(r.uid)));
    }
    if (waiting.length > 0 && index.hasDependents(uid)) {
      // Its owner waits on it and it has dependents of its own: delete it in the foreground too.
      // If one of those waits on something as well, unblock our references to avoid a cycle.
      const cycle = index.dependents(uid).some(isDeletingDependents);
      if (cycle) {
        const unblock = new Set(waiting.map((r) => r.uid));
        await editOwners(
          current,
          (refs) => refs.map((r) => unblock.has(r.uid) ? { ...r, blockOwnerDeletion: false } : r),
        );
      }
      return await deleteObject(current, "Foreground");
    }
    // No owner left: collect it, honouring a propagation its own finalizers already ask for.
    const policy = current.finalizers.includes(ORPHAN_FINALIZER)
      ? "Orphan"
      : current.finalizers.includes(FOREGROUND_FINALIZER)
      ? "Foreground"
      : "Background";
    await deleteObject(current, policy);
  };

  const attemptToOrphan = async (uid: string) => {
    const node = index.get(uid);
    if (!node) return;
    const live = await readLive(node);
    if (!live) return;
    const current = nodeOf(node.group, live);
    if (!isOrphaning(current)) return;
    for (const dependent of index.dependents(uid)) {
      await editOwners(dependent, (refs) => refs.filter((r) => r.uid !== uid));
    }
    await removeFinalizer(current, ORPHAN_FINALIZER);
  };

  // -------------------------------------------------------------------------------------------
  // Watching

  const monitored = stores.registry.all().filter((r) =>
    !IGNORED.has(`${r.info.group}/${r.info.kind}`) &&
    ["list", "watch", "delete"].every((verb) => r.verbs.includes(verb))
  );
  const synced: Promise<void>[] = [];
  const informers = monitored.map((resource) => {
    const { group, kind } = resource.info;
    let markSynced: () => void;
    synced.push(new Promise((resolve) => markSynced = resolve));
    const store = stores.lookup(group, resource.info.version, resource.info.plural)!;
    return runInformer(inProcessListWatch(store, stores.deps.backend), {
      replace(items) {
        const { upserted, removed } = index.replace(
          group,
          kind,
          items.map((o) => nodeOf(group, o)),
        );
        for (const node of removed) onRemove(node);
        for (const { node, previous } of upserted) onUpsert(node, previous);
        markSynced();
      },
      apply(type, object) {
        if (type === "DELETED") {
          const node = index.remove(object.metadata.uid!) ?? nodeOf(group, object);
          onRemove(node);
          return;
        }
        const node = nodeOf(group, object);
        onUpsert(node, index.upsert(node));
      },
    }, { signal, logger, name: `${resource.info.plural} (garbage collector)` });
  });

  const isNoteworthy = (error: unknown) => !isConflict(error);
  // Acting on a half-built index would see owners as absent that are merely not listed yet.
  const ready = await untilAborted(Promise.all(synced).then(() => {}), signal)
    .then(() => true, () => false);
  if (ready) {
    logger.debug("Garbage collector synced", { resources: monitored.length, objects: index.size });
    await Promise.all([
      toDelete.run(attemptToDelete, {
        signal,
        logger,
        name: "garbage-collector",
        workers: options.workers ?? 10,
        isNoteworthy,
      }),
      toOrphan.run(attemptToOrphan, {
        signal,
        logger,
        name: "garbage-collector (orphan)",
        workers: Math.max(1, Math.floor((options.workers ?? 10) / 2)),
        isNoteworthy,
      }),
    ]);
  }
  await Promise.all(informers);
}
