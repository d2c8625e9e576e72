/**
 * A DaemonSet's history as upstream keeps it: one ControllerRevision per pod template it has
 * had, named `<daemonset>-<hash>`, labelled `controller-revision-hash`, holding the patch that
 * puts that template back (what `kubectl rollout undo ds/<name>` applies, and `kubectl rollout
 * history` lists) and numbered in the order templates became current. The current revision's
 * hash labels the pods; old revisions beyond `revisionHistoryLimit` whose pods are all gone are
 * deleted, oldest first.
 *
 * @module
 */
import { ApiError, isConflict } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { RestStore } from "../apiserver/rest_store.ts";
import {
  newControllerRevision,
  REVISION_HASH_LABEL,
  revisionNumber,
  revisionTemplate,
  sortRevisions,
} from "./controller_history.ts";
import { claimObjects, recheckOwner, selectorOf } from "./controller_ref.ts";
import { DAEMON_SET_TYPE } from "./daemonset_nodes.ts";
import { podTemplateHash, templatesEqualIgnoringHash } from "./pod_template_hash.ts";
import { deleteSameObject, updateSameObject } from "./same_object.ts";
import type { InformerCache } from "../../kube/informers/shared_informers.ts";

/** True when the revision holds the DaemonSet's current template (upstream's `Match`). */
export function revisionMatches(revision: KubeObject, ds: KubeObject): boolean {
  const stored = revisionTemplate(revision);
  return stored !== undefined && templatesEqualIgnoringHash(stored, ds.spec?.template);
}

/** The hash of the DaemonSet's template, with its collision count (upstream's `ComputeHash`). */
export function templateHash(ds: KubeObject): string {
  const collisions = ds.status?.collisionCount;
  return podTemplateHash(ds.spec?.template, typeof collisions === "number" ? collisions : 0);
}

/**
 * The old revisions to delete (upstream's `cleanupHistory`): beyond `revisionHistoryLimit`,
 * lowest revision first, never one whose hash a pod still carries.
 */
export function revisionsToDelete(
  old: readonly KubeObject[],
  limit: number,
  pods: readonly KubeObject[],
): KubeObject[] {
  let excess = old.length - limit;
  if (excess <= 0) return [];
  const live = new Set<string>();
  for (const pod of pods) {
    const hash = pod.metadata.labels?.[REVISION_HASH_LABEL];
    if (hash) live.add(hash);
  }
  const victims: KubeObject[] = [];
  for (const revision of sortRevisions(old)) {
    if (excess <= 0) break;
    if (live.has(revision.metadata.labels?.[REVISION_HASH_LABEL] ?? "")) continue;
    victims.push(revision);
    excess--;
  }
  return victims;
}

/** What {@link DaemonSetHistory} writes through and reads from. */
export interface DaemonSetHistoryOptions {
  /** The ControllerRevision cache, indexed by controller. */
  revisions: InformerCache;
  revisionStore: RestStore;
  dsStore: RestStore;
  fieldManager: string;
}

/** The current revision's hash, and the DaemonSet's other revisions. */
export interface History {
  hash: string;
  old: KubeObject[];
}

/** Keeps DaemonSets' ControllerRevisions. */
export class DaemonSetHistory {
  constructor(readonly options: DaemonSetHistoryOptions) {}

  /**
   * Upstream's `constructHistory`: claims the DaemonSet's revisions, makes sure exactly one holds
   * its template and carries the highest number, and returns its hash and the others.
   * @throws {Error} on a hash collision (after counting it in the status, so the retry differs)
   */
  async construct(ds: KubeObject): Promise<History> {
    const { revisionStore, fieldManager } = this.options;
    const owned = await claimObjects({
      owner: ds,
      ownerType: DAEMON_SET_TYPE,
      selector: selectorOf(ds),
      cache: this.options.revisions,
      store: revisionStore,
      fieldManager,
      canAdopt: recheckOwner(this.options.dsStore, ds),
    });
    const current: KubeObject[] = [];
    const old: KubeObject[] = [];
    for (const revision of owned) (revisionMatches(revision, ds) ? current : old).push(revision);
    const next = Math.max(0, ...old.map(revisionNumber)) + 1;
    if (current.length === 0) return { hash: await this.#snapshot(ds, next), old };

    // Duplicates (from a lost race) go; the highest-numbered one stays.
    current.sort((a, b) => revisionNumber(b) - revisionNumber(a));
    const [kept, ...duplicates] = current;
    for (const duplicate of duplicates) await deleteSameObject(revisionStore, duplicate);
    if (revisionNumber(kept) < next) {
      await updateSameObject(revisionStore, kept, (r) => {
        r.revision = next;
      }, { fieldManager });
    }
    return { hash: kept.metadata.labels?.[REVISION_HASH_LABEL] ?? kept.metadata.name!, old };
  }

  /** Deletes old revisions beyond the limit ({@link revisionsToDelete}). */
  async cleanup(ds: KubeObject, old: readonly KubeObject[], pods: readonly KubeObject[]) {
    const limit = typeof ds.spec?.revisionHistoryLimit === "number"
      ? ds.spec.revisionHistoryLimit
      : 10;
    for (const revision of revisionsToDelete(old, limit, pods)) {
      await deleteSameObject(this.options.revisionStore, revision);
    }
  }

  /** Upstream's `snapshot`: writes the revision of the current template; returns its hash. */
  async #snapshot(ds: KubeObject, number: number): Promise<string> {
    const { revisionStore, dsStore, fieldManager } = this.options;
    const hash = templateHash(ds);
    const revision = newControllerRevision(ds, DAEMON_SET_TYPE, hash, number);
    const name = revision.metadata.name!;
    try {
      await revisionStore.create(ds.metadata.namespace, revision, { fieldManager });
      return hash;
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const existing = await revisionStore.find(ds.metadata.namespace, name);
    if (existing && revisionMatches(existing, ds)) return hash;
    // Another template holds the name: count the collision, so the next hash differs.
    const collisions = typeof ds.status?.collisionCount === "number" ? ds.status.collisionCount : 0;
    await updateSameObject(dsStore, ds, (current) => {
      const seen = current.status?.collisionCount ?? 0;
      // A stale view: the count moved already, and the retry will use it.
      if (seen !== collisions) throw ApiError.conflict(dsStore.ref, ds.metadata.name!);
      current.status = { ...current.status, collisionCount: collisions + 1 };
    }, { subresource: "status", fieldManager });
    throw new Error(
      `found a hash collision for DaemonSet "${ds.metadata.name}" - bumping collisionCount to ${
        collisions + 1
      } to resolve it`,
    );
  }
}
