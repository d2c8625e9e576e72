/**
 * A StatefulSet's history as ControllerRevisions, as upstream keeps it: each distinct pod template
 * is one revision named `<set>-<hash>` whose data is the patch that restores it
 * (`{"spec":{"template":{...,"$patch":"replace"}}}`, what `kubectl rollout undo` applies). Going
 * back to an earlier template renumbers its revision rather than making a new one; a hash taken
 * by another template is escaped by counting `status.collisionCount` up; history beyond
 * `revisionHistoryLimit` that no pod uses is deleted.
 *
 * @module
 */
import { deepEqual } from "../../kube/deep_equal.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { RestStore } from "../apiserver/rest_store.ts";
import { isConflict } from "../../kube/errors.ts";
import {
  controllerRevisionName,
  newControllerRevision,
  revisionData,
  revisionNumber,
  sortRevisions,
} from "./controller_history.ts";
import { podTemplateHash } from "./pod_template_hash.ts";
import { deleteSameObject, updateSameObject } from "./same_object.ts";
import { podRevision, STATEFUL_SET_TYPE } from "./statefulset_identity.ts";

/** Hash collisions tolerated before giving up on a sync (upstream counts without a bound). */
const MAX_COLLISIONS = 10;

/** The name of the revision of a set's current template. */
export function revisionName(set: KubeObject, collisionCount = 0): string {
  return controllerRevisionName(set, podTemplateHash(revisionData(set), collisionCount));
}

/** A new revision of the set's current template, numbered `revision`. */
export function newRevision(set: KubeObject, revision: number, collisionCount = 0): KubeObject {
  const data = revisionData(set);
  const hash = podTemplateHash(data, collisionCount);
  return newControllerRevision(set, STATEFUL_SET_TYPE, hash, revision, data);
}

/** Two revisions restore the same template. */
export function sameTemplate(a: KubeObject, b: KubeObject): boolean {
  return deepEqual(a.data, b.data);
}

/** What {@link resolveRevisions} found or made. */
export interface SetRevisions {
  /** The revision the set's pods were at before the rollout (status.currentRevision). */
  current: KubeObject;
  /** The revision of the set's template now. */
  update: KubeObject;
  /** `status.collisionCount` after any hash collision escaped here. */
  collisionCount: number;
  /** Every revision of the set, oldest first, including those two. */
  all: KubeObject[];
}

/**
 * The current and update revisions of a set, creating the update revision (or renumbering an
 * equal earlier one, on a rollback) as needed.
 *
 * @param owned The set's revisions, as claimed from the cache.
 * @throws what the store throws.
 */
export async function resolveRevisions(
  set: KubeObject,
  owned: readonly KubeObject[],
  store: RestStore,
  fieldManager: string,
): Promise<SetRevisions> {
  const all = sortRevisions(owned);
  let collisionCount: number = set.status?.collisionCount ?? 0;
  const latest = all.at(-1);
  const next = (latest ? revisionNumber(latest) : 0) + 1;
  const wanted = newRevision(set, next, collisionCount);
  const equal = all.filter((r) => sameTemplate(r, wanted));
  let update: KubeObject;
  if (equal.length > 0 && equal.at(-1) === latest) {
    update = latest!;
  } else if (equal.length > 0) {
    // A rollback: the old revision becomes the newest again.
    const old = equal.at(-1)!;
    update = await updateSameObject(store, old, (current) => {
      current.revision = next;
    }, { fieldManager });
    all.splice(all.indexOf(old), 1);
    all.push(update);
  } else {
    update = await createRevision(set, next, store, fieldManager, collisionCount, (count) => {
      collisionCount = count;
    });
    all.push(update);
  }
  const current = all.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount, all };
}

/** Creates the revision, counting collisions up while another template holds the name. */
async function createRevision(
  set: KubeObject,
  number: number,
  store: RestStore,
  fieldManager: string,
  collisionCount: number,
  onCollision: (count: number) => void,
): Promise<KubeObject> {
  for (let count = collisionCount; count < collisionCount + MAX_COLLISIONS; count++) {
    const revision = newRevision(set, number, count);
    try {
      return (await store.create(set.metadata.namespace, revision, { fieldManager })).object;
    } catch (error) {
      if (!isConflict(error)) throw error;
      const existing = await store.find(set.metadata.namespace, revision.metadata.name!);
      if (existing && sameTemplate(existing, revision)) {
        // Ours from an earlier sync the cache has not shown yet, or adoptable history.
        return existing;
      }
      onCollision(count + 1);
    }
  }
  throw new Error(`too many hash collisions naming a revision of ${set.metadata.name}`);
}

/**
 * Deletes the oldest revisions beyond `revisionHistoryLimit` that neither the status nor any pod
 * uses.
 */
export async function truncateHistory(
  set: KubeObject,
  revisions: SetRevisions,
  pods: readonly KubeObject[],
  store: RestStore,
): Promise<void> {
  const live = new Set([revisions.current.metadata.name, revisions.update.metadata.name]);
  for (const pod of pods) live.add(podRevision(pod));
  const history = revisions.all.filter((r) => !live.has(r.metadata.name));
  const limit: number = set.spec?.revisionHistoryLimit ?? 10;
  for (const revision of history.slice(0, Math.max(0, history.length - limit))) {
    await deleteSameObject(store, revision);
  }
}
