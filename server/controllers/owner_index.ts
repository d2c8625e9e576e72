/**
 * The owner index: for every object of every watched resource, who owns it -- and, the other way
 * round, which objects name a given UID as owner, whether that owner still exists or not (as
 * upstream's garbage-collector graph keeps "virtual" owners). It keeps only identities, owner
 * references and deletion state, never whole objects, so it stays small with every pod in it.
 *
 * @module
 */
import type { KubeObject, OwnerReference } from "../../kube/types.ts";

/** The finalizer of foreground deletion: the owner stays until its blocking dependents go. */
export const FOREGROUND_FINALIZER = "foregroundDeletion";
/** The finalizer of orphaning: the owner stays until its dependents no longer name it. */
export const ORPHAN_FINALIZER = "orphan";

/** One object as the index knows it. */
export interface OwnerIndexNode {
  uid: string;
  /** API group of the object's resource ("" for core). */
  group: string;
  kind: string;
  namespace?: string;
  name: string;
  owners: readonly OwnerReference[];
  /** Has a deletionTimestamp. */
  beingDeleted: boolean;
  finalizers: readonly string[];
}

/** Being deleted in the foreground: waiting for its dependents. */
export function isDeletingDependents(node: OwnerIndexNode): boolean {
  return node.beingDeleted && node.finalizers.includes(FOREGROUND_FINALIZER);
}

/** Being deleted with its dependents orphaned. */
export function isOrphaning(node: OwnerIndexNode): boolean {
  return node.beingDeleted && node.finalizers.includes(ORPHAN_FINALIZER);
}

/** The node of an object of `group`. */
export function nodeOf(group: string, object: KubeObject): OwnerIndexNode {
  const meta = object.metadata;
  return {
    uid: meta.uid!,
    group,
    kind: object.kind!,
    namespace: meta.namespace,
    name: meta.name!,
    owners: meta.ownerReferences ?? [],
    beingDeleted: meta.deletionTimestamp !== undefined,
    finalizers: meta.finalizers ?? [],
  };
}

/** Changes {@link OwnerIndex.replace} found. */
export interface ReplaceResult {
  /** New or changed nodes, each with what it was before (if anything). */
  upserted: { node: OwnerIndexNode; previous?: OwnerIndexNode }[];
  removed: OwnerIndexNode[];
}

/** Objects by UID and dependents by owner UID, across resources. */
export class OwnerIndex {
  #nodes = new Map<string, OwnerIndexNode>();
  /** owner UID -> UIDs of objects naming it. */
  #dependents = new Map<string, Set<string>>();
  /** resource ("group/kind") -> UIDs, for replacing one resource's objects after a relist. */
  #byResource = new Map<string, Set<string>>();

  /** Objects indexed. */
  get size(): number {
    return this.#nodes.size;
  }

  /** An object by UID. */
  get(uid: string): OwnerIndexNode | undefined {
    return this.#nodes.get(uid);
  }

  /** Objects naming `ownerUid` as an owner (known ones: a dependent not yet seen is missing). */
  dependents(ownerUid: string): OwnerIndexNode[] {
    const found: OwnerIndexNode[] = [];
    for (const uid of this.#dependents.get(ownerUid) ?? []) {
      const node = this.#nodes.get(uid);
      if (node) found.push(node);
    }
    return found;
  }

  /** Whether anything names `ownerUid` as owner. */
  hasDependents(ownerUid: string): boolean {
    return (this.#dependents.get(ownerUid)?.size ?? 0) > 0;
  }

  /** Adds or updates a node; returns what it replaced. */
  upsert(node: OwnerIndexNode): OwnerIndexNode | undefined {
    const previous = this.#nodes.get(node.uid);
    if (previous) this.#unlinkOwners(previous);
    this.#nodes.set(node.uid, node);
    for (const ref of node.owners) {
      let set = this.#dependents.get(ref.uid);
      if (!set) this.#dependents.set(ref.uid, set = new Set());
      set.add(node.uid);
    }
    const resource = `${node.group}/${node.kind}`;
    let uids = this.#byResource.get(resource);
    if (!uids) this.#byResource.set(resource, uids = new Set());
    uids.add(node.uid);
    return previous;
  }

  /** Removes a node; returns it. Its dependents keep naming its UID. */
  remove(uid: string): OwnerIndexNode | undefined {
    const node = this.#nodes.get(uid);
    if (!node) return undefined;
    this.#nodes.delete(uid);
    this.#unlinkOwners(node);
    this.#byResource.get(`${node.group}/${node.kind}`)?.delete(uid);
    return node;
  }

  #unlinkOwners(node: OwnerIndexNode): void {
    for (const ref of node.owners) {
      const set = this.#dependents.get(ref.uid);
      set?.delete(node.uid);
      if (set?.size === 0) this.#dependents.delete(ref.uid);
    }
  }

  /** Replaces every node of one resource (`group`, `kind`) with a fresh list's. */
  replace(group: string, kind: string, nodes: readonly OwnerIndexNode[]): ReplaceResult {
    const result: ReplaceResult = { upserted: [], removed: [] };
    const fresh = new Set(nodes.map((n) => n.uid));
    for (const uid of [...(this.#byResource.get(`${group}/${kind}`) ?? [])]) {
      if (fresh.has(uid)) continue;
      const removed = this.remove(uid);
      if (removed) result.removed.push(removed);
    }
    for (const node of nodes) {
      const previous = this.upsert(node);
      if (!previous || !sameNode(previous, node)) result.upserted.push({ node, previous });
    }
    return result;
  }
}

function sameNode(a: OwnerIndexNode, b: OwnerIndexNode): boolean {
  return a.beingDeleted === b.beingDeleted &&
    JSON.stringify(a.owners) === JSON.stringify(b.owners) &&
    JSON.stringify(a.finalizers) === JSON.stringify(b.finalizers);
}
