/**
 * The Deployment controller: one ReplicaSet per pod template (`<deployment>-<pod-template-hash>`),
 * rolled from the old to the new by RollingUpdate (within maxSurge/maxUnavailable) or Recreate,
 * numbered by the `deployment.kubernetes.io/revision` annotation, old ones pruned past
 * `revisionHistoryLimit`, scaling shared out proportionally, paused deployments only scaled,
 * and the status (counts, Available and Progressing, the progress deadline) kept current.
 *
 * `kubectl rollout undo` needs nothing here: it patches the template back, and the ReplicaSet of
 * that template becomes the new one again with the next revision number.
 *
 * @module
 */
import { clone, deepEqual } from "../../kube/deep_equal.ts";
import type { KubeObject, OwnerReference } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { isConflict, isNotFound } from "../../kube/errors.ts";
import {
  claimObjects,
  CONTROLLER_UID_INDEX,
  controllerRefOf,
  indexByController,
  newControllerRef,
  ownersSelecting,
  recheckOwner,
  resolveControllerRef,
  selectorOf,
} from "./controller_ref.ts";
import {
  byCreation,
  isScalingEvent,
  newReplicaSetSize,
  oldReplicaSetsScaleDown,
  scaleSizes,
  specReplicas,
  statusCount,
} from "./deployment_rollout.ts";
import {
  calculateStatus,
  deadlineRecheckMs,
  deploymentComplete,
  getCondition,
  hasProgressDeadline,
  newCondition,
  Reason,
  rolloutStatus,
  setCondition,
} from "./deployment_status.ts";
import { EventRecorder } from "./event_recorder.ts";
import {
  POD_TEMPLATE_HASH_LABEL,
  podTemplateHash,
  templatesEqualIgnoringHash,
} from "./pod_template_hash.ts";
import {
  REVISION_ANNOTATION,
  revisionOf,
  setNewReplicaSetAnnotations,
  setScaleAnnotations,
} from "./deployment_revisions.ts";
import { isPodTerminal } from "./pod_state.ts";
import { CONTROLLER_FIELD_MANAGER } from "./replicaset.ts";
import { updateSameObject } from "./same_object.ts";
import {
  type CacheEvent,
  type ControllerOptions,
  objectKey,
  splitKey,
} from "../../kube/informers/shared_informers.ts";
import { inProcessInformers } from "../apiserver/in_process_list_watch.ts";
import { controllerRunOptions, WorkQueue } from "../../kube/informers/workqueue.ts";

const DEPLOYMENT_TYPE = { apiVersion: "apps/v1", kind: "Deployment" };

/** Options of {@link startDeploymentController}. */
export interface DeploymentControllerOptions extends ControllerOptions {
  /** Milliseconds since the epoch (tests may fix it). */
  now?: () => number;
}

/** Runs until the signal aborts. */
export async function startDeploymentController(
  stores: StoreSet,
  options: DeploymentControllerOptions,
): Promise<void> {
  const { signal, logger } = options;
  const now = options.now ?? Date.now;
  const informers = options.informers ??
    inProcessInformers(stores, { signal, logger });
  const deployments = informers.forKind("apps", "Deployment");
  const replicaSets = informers.forKind("apps", "ReplicaSet");
  const pods = informers.forKind("", "Pod");
  indexByController(replicaSets);
  indexByController(pods);
  const deploymentStore = stores.forKind("apps", "Deployment");
  const rsStore = stores.forKind("apps", "ReplicaSet");
  const queue = new WorkQueue();
  const events = new EventRecorder(stores.forKind("", "Event"), {
    component: "deployment-controller",
    logger,
  });

  /** The Deployment a controller reference names, if it is still that one. */
  const resolve = (namespace: string | undefined, ref: OwnerReference | undefined) =>
    resolveControllerRef(deployments, DEPLOYMENT_TYPE, namespace, ref);
  const enqueueMatching = (rs: KubeObject) => {
    for (const d of ownersSelecting(deployments, rs)) queue.add(objectKey(d));
  };

  deployments.subscribe((event) => queue.add(objectKey(event.object)));
  replicaSets.subscribe(({ type, object: rs, old }: CacheEvent) => {
    const ref = controllerRefOf(rs);
    const owner = resolve(rs.metadata.namespace, ref);
    if (type === "MODIFIED" && old) {
      const oldRef = controllerRefOf(old);
      if (oldRef && oldRef.uid !== ref?.uid) {
        const previous = resolve(rs.metadata.namespace, oldRef);
        if (previous) queue.add(objectKey(previous));
      }
      if (!ref && (oldRef || !deepEqual(old.metadata.labels, rs.metadata.labels))) {
        enqueueMatching(rs);
      }
    }
    if (owner) queue.add(objectKey(owner));
    else if (!ref && type === "ADDED") enqueueMatching(rs);
  });
  // Recreate waits for the old pods to be gone: their deletion or finish is worth a look.
  pods.subscribe(({ type, object: pod, old }: CacheEvent) => {
    if (type !== "DELETED" && !(isPodTerminal(pod) && !(old && isPodTerminal(old)))) return;
    const rsRef = controllerRefOf(pod);
    if (!rsRef || rsRef.kind !== "ReplicaSet") return;
    const rs = replicaSets.get(pod.metadata.namespace, rsRef.name);
    const d = rs && resolve(rs.metadata.namespace, controllerRefOf(rs));
    if (d && d.spec?.strategy?.type === "Recreate") queue.add(objectKey(d));
  });

  // ---------------------------------------------------------------------------------------------
  // Writes

  const writeStatus = async (d: KubeObject, status: Record<string, unknown>) => {
    if (deepEqual(JSON.parse(JSON.stringify(status)), d.status ?? {})) return d;
    return await updateSameObject(deploymentStore, d, (current) => {
      current.status = status;
    }, { subresource: "status", fieldManager: CONTROLLER_FIELD_MANAGER });
  };

  /** Sets the Progressing condition; returns the Deployment as written. */
  const writeProgressing = (
    d: KubeObject,
    status: "True" | "False" | "Unknown",
    reason: string,
    message: string,
  ) => {
    const next = clone(d.status ?? {});
    setCondition(next, newCondition("Progressing", status, reason, message, now()));
    return writeStatus(d, next);
  };

  /** Sets the Deployment's revision annotation; returns the Deployment as written. */
  const writeRevision = async (d: KubeObject, revision: string) => {
    if (d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return d;
    return await updateSameObject(deploymentStore, d, (current) => {
      current.metadata.annotations = {
        ...current.metadata.annotations,
        [REVISION_ANNOTATION]: revision,
      };
    }, { fieldManager: CONTROLLER_FIELD_MANAGER });
  };

  /**
   * Scales a ReplicaSet (and refreshes its scale annotations), conditional on the version the
   * cache showed: a stale view gives a conflict and a retry rather than a wrong size.
   */
  const scaleReplicaSet = async (rs: KubeObject, size: number, d: KubeObject) => {
    const updated = clone(rs);
    const resized = specReplicas(rs) !== size;
    const annotated = setScaleAnnotations(d, updated);
    if (!resized && !annotated) return { scaled: false, rs };
    updated.spec.replicas = size;
    const { object } = await rsStore.update(rs.metadata.namespace, rs.metadata.name!, updated, {
      fieldManager: CONTROLLER_FIELD_MANAGER,
    });
    if (resized) {
      const direction = size > specReplicas(rs) ? "up" : "down";
      events.normal(
        d,
        "ScalingReplicaSet",
        `Scaled ${direction} replica set ${rs.metadata.name} from ${specReplicas(rs)} to ${size}`,
      );
    }
    return { scaled: resized, rs: object };
  };

  // ---------------------------------------------------------------------------------------------
  // ReplicaSets of a Deployment

  interface Sets {
    d: KubeObject;
    newSet?: KubeObject;
    oldSets: KubeObject[];
  }

  /**
   * The new ReplicaSet (of the current template), if there is one, and the old ones; the new one
   * gets the next revision, the Deployment's annotations and its minReadySeconds.
   */
  const findSets = async (d: KubeObject, owned: KubeObject[]): Promise<Sets> => {
    const sorted = [...owned].sort(byCreation);
    let newSet = sorted.find((rs) =>
      templatesEqualIgnoringHash(rs.spec?.template, d.spec?.template)
    );
    const oldSets = sorted.filter((rs) => rs !== newSet);
    if (!newSet) return { d, oldSets };
    const revision = Math.max(0, ...oldSets.map(revisionOf)) + 1;
    const updated = clone(newSet);
    const annotated = setNewReplicaSetAnnotations(d, updated, revision);
    const minReady = d.spec?.minReadySeconds ?? 0;
    if (annotated || (updated.spec.minReadySeconds ?? 0) !== minReady) {
      updated.spec.minReadySeconds = minReady;
      newSet = (await rsStore.update(newSet.metadata.namespace, newSet.metadata.name!, updated, {
        fieldManager: CONTROLLER_FIELD_MANAGER,
      })).object;
    }
    d = await writeRevision(d, newSet.metadata.annotations![REVISION_ANNOTATION]);
    if (hasProgressDeadline(d) && !getCondition(d.status, "Progressing")) {
      d = await writeProgressing(
        d,
        "True",
        Reason.FoundNewReplicaSet,
        `Found new replica set "${newSet.metadata.name}"`,
      );
    }
    return { d, newSet, oldSets };
  };

  /** Creates the ReplicaSet of the current template, sized for the first step of the rollout. */
  const createNewSet = async ({ d, oldSets }: Sets): Promise<Sets> => {
    const revision = Math.max(0, ...oldSets.map(revisionOf)) + 1;
    const collisions = typeof d.status?.collisionCount === "number" ? d.status.collisionCount : 0;
    const hash = podTemplateHash(d.spec.template, collisions);
    const template = clone(d.spec.template);
    template.metadata ??= {};
    template.metadata.labels = { ...template.metadata.labels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const selector = clone(d.spec.selector);
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const candidate: KubeObject = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: template.metadata.labels,
        ownerReferences: [newControllerRef(d, DEPLOYMENT_TYPE)],
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    candidate.spec.replicas = newReplicaSetSize(d, [...oldSets, candidate], candidate);
    setNewReplicaSetAnnotations(d, candidate, revision);
    setScaleAnnotations(d, candidate);
    let created: KubeObject;
    try {
      created = (await rsStore.create(d.metadata.namespace, candidate, {
        fieldManager: CONTROLLER_FIELD_MANAGER,
      })).object;
    } catch (error) {
      if (!isConflict(error)) {
        if (hasProgressDeadline(d)) {
          await writeProgressing(
            d,
            "False",
            Reason.FailedReplicaSetCreate,
            `Failed to create new replica set "${candidate.metadata.name}": ${error}`,
          );
        }
        throw error;
      }
      const existing = await rsStore.find(d.metadata.namespace, candidate.metadata.name!);
      if (
        existing && controllerRefOf(existing)?.uid === d.metadata.uid &&
        templatesEqualIgnoringHash(existing.spec?.template, d.spec.template)
      ) {
        // Ours, created by an earlier sync the cache has not shown yet.
        return { d, newSet: existing, oldSets };
      }
      // Another ReplicaSet holds the name: count the collision, so the next hash differs.
      const status = clone(d.status ?? {});
      status.collisionCount = collisions + 1;
      await writeStatus(d, status);
      throw new Error(`hash collision for ReplicaSet ${candidate.metadata.name}; will retry`);
    }
    if (specReplicas(created) > 0) {
      events.normal(
        d,
        "ScalingReplicaSet",
        `Scaled up replica set ${created.metadata.name} from 0 to ${specReplicas(created)}`,
      );
    }
    d = await writeRevision(d, String(revision));
    if (hasProgressDeadline(d)) {
      d = await writeProgressing(
        d,
        "True",
        Reason.NewReplicaSetCreated,
        `Created new replica set "${created.metadata.name}"`,
      );
    }
    return { d, newSet: created, oldSets };
  };

  /** Deletes old, empty ReplicaSets beyond `revisionHistoryLimit`, lowest revision first. */
  const cleanup = async (d: KubeObject, oldSets: KubeObject[]) => {
    const limit = d.spec?.revisionHistoryLimit;
    if (typeof limit !== "number") return;
    const cleanable = oldSets.filter((rs) =>
      !rs.metadata.deletionTimestamp && specReplicas(rs) === 0 &&
      statusCount(rs, "replicas") === 0 &&
      statusCount(rs, "observedGeneration") >= (rs.metadata.generation ?? 1)
    );
    const excess = cleanable.length - limit;
    if (excess <= 0) return;
    cleanable.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of cleanable.slice(0, excess)) {
      try {
        await rsStore.delete(rs.metadata.namespace, rs.metadata.name!, {
          preconditions: { uid: rs.metadata.uid },
        });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  };

  const syncRolloutStatus = async ({ d, newSet, oldSets }: Sets) => {
    const at = now();
    const all = newSet ? [...oldSets, newSet] : oldSets;
    const status = rolloutStatus(d, all, newSet, at);
    const written = await writeStatus(d, status);
    const recheck = deadlineRecheckMs(written, status, at);
    if (recheck !== undefined) queue.addAfter(objectKey(d), recheck);
  };

  /** Scaling (the Deployment's replicas changed, or it is paused): no rollout step. */
  const syncScale = async (sets: Sets) => {
    let { newSet } = sets;
    const oldSets = [...sets.oldSets];
    for (const [rs, size] of scaleSizes(sets.d, newSet, oldSets)) {
      const { rs: written } = await scaleReplicaSet(rs, size, sets.d);
      if (rs === newSet) newSet = written;
      else oldSets[oldSets.indexOf(rs)] = written;
    }
    if (sets.d.spec?.paused) await cleanup(sets.d, oldSets);
    const all = newSet ? [...oldSets, newSet] : oldSets;
    await writeStatus(sets.d, calculateStatus(sets.d, all, newSet, now()));
  };

  const rolloutRolling = async (found: Sets) => {
    const sets = found.newSet ? found : await createNewSet(found);
    const newSet = sets.newSet!;
    const all = [...sets.oldSets, newSet];
    const desired = specReplicas(sets.d);
    if (specReplicas(newSet) !== desired) {
      const size = specReplicas(newSet) > desired
        ? desired
        : newReplicaSetSize(sets.d, all, newSet);
      const { scaled, rs } = await scaleReplicaSet(newSet, size, sets.d);
      if (scaled) return await syncRolloutStatus({ ...sets, newSet: rs });
    }
    const sizes = oldReplicaSetsScaleDown(sets.d, sets.oldSets, newSet);
    let scaledDown = false;
    const oldSets = [];
    for (const rs of sets.oldSets) {
      const size = sizes.get(rs.metadata.name!);
      if (size === undefined) {
        oldSets.push(rs);
        continue;
      }
      const result = await scaleReplicaSet(rs, size, sets.d);
      scaledDown ||= result.scaled;
      oldSets.push(result.rs);
    }
    if (scaledDown) return await syncRolloutStatus({ ...sets, oldSets });
    const status = rolloutStatus(sets.d, all, newSet, now());
    if (deploymentComplete(sets.d, status)) await cleanup(sets.d, sets.oldSets);
    await syncRolloutStatus(sets);
  };

  /** True while any pod of an old ReplicaSet may still run. */
  const oldPodsRunning = (newSet: KubeObject | undefined, oldSets: KubeObject[]) => {
    if (oldSets.some((rs) => statusCount(rs, "replicas") > 0)) return true;
    return oldSets.some((rs) =>
      rs.metadata.uid !== newSet?.metadata.uid &&
      pods.byIndex(CONTROLLER_UID_INDEX, rs.metadata.uid!).some((pod) => !isPodTerminal(pod))
    );
  };

  const rolloutRecreate = async (found: Sets) => {
    let sets = found;
    let scaledDown = false;
    const oldSets = [];
    for (const rs of sets.oldSets) {
      if (specReplicas(rs) === 0) {
        oldSets.push(rs);
        continue;
      }
      const result = await scaleReplicaSet(rs, 0, sets.d);
      scaledDown ||= result.scaled;
      oldSets.push(result.rs);
    }
    if (scaledDown) return await syncRolloutStatus({ ...sets, oldSets });
    if (oldPodsRunning(sets.newSet, sets.oldSets)) return await syncRolloutStatus(sets);
    if (!sets.newSet) sets = await createNewSet({ ...sets, oldSets });
    const { rs: newSet } = await scaleReplicaSet(sets.newSet!, specReplicas(sets.d), sets.d);
    const status = rolloutStatus(sets.d, [...sets.oldSets, newSet], newSet, now());
    if (deploymentComplete(sets.d, status)) await cleanup(sets.d, sets.oldSets);
    await syncRolloutStatus({ ...sets, newSet });
  };

  /** Records pausing and resuming in the Progressing condition (so no deadline runs meanwhile). */
  const checkPaused = async (d: KubeObject): Promise<KubeObject> => {
    if (!hasProgressDeadline(d)) return d;
    const pausedBefore = getCondition(d.status, "Progressing")?.reason === Reason.Paused;
    const paused = d.spec?.paused === true;
    if (paused === pausedBefore) return d;
    return paused
      ? await writeProgressing(d, "Unknown", Reason.Paused, "Deployment is paused")
      : await writeProgressing(d, "Unknown", Reason.Resumed, "Deployment is resumed");
  };

  const sync = async (key: string) => {
    const { namespace, name } = splitKey(key);
    let d = deployments.get(namespace, name);
    if (!d) return;
    const selector = d.spec?.selector;
    if (!selector || deepEqual(selector, {})) {
      events.warning(
        d,
        "SelectingAll",
        "This deployment is selecting all pods. A non-empty selector is required.",
      );
      return;
    }
    const owned = await claimObjects({
      owner: d,
      ownerType: DEPLOYMENT_TYPE,
      selector: selectorOf(d),
      cache: replicaSets,
      store: rsStore,
      fieldManager: CONTROLLER_FIELD_MANAGER,
      canAdopt: recheckOwner(deploymentStore, d),
    });
    if (d.metadata.deletionTimestamp) {
      // Going away: report, but neither scale nor roll.
      const sets = await findSets(d, owned);
      const all = sets.newSet ? [...sets.oldSets, sets.newSet] : sets.oldSets;
      await writeStatus(sets.d, calculateStatus(sets.d, all, sets.newSet, now()));
      return;
    }
    d = await checkPaused(d);
    const sets = await findSets(d, owned);
    const all = sets.newSet ? [...sets.oldSets, sets.newSet] : sets.oldSets;
    if (d.spec?.paused || isScalingEvent(d, all)) await syncScale(sets);
    else if (d.spec?.strategy?.type === "Recreate") await rolloutRecreate(sets);
    else await rolloutRolling(sets);
  };

  await queue.run(
    sync,
    controllerRunOptions("deployment", options, informers.synced(deployments, replicaSets, pods)),
  );
  if (!options.informers) await informers.stopped();
}
