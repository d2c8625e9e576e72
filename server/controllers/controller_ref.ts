/**
 * Controller references: which object controls another (the one ownerReference with
 * `controller: true`), which cached owner a reference names, which owners' selectors match an
 * object, and claiming -- adopting orphans a controller's selector matches and releasing objects
 * it controls that no longer match, as upstream's ControllerRefManager.
 *
 * @module
 */
import { ApiError, isConflict, isNotFound } from "../../kube/errors.ts";
import { type LabelSelectorMatcher, labelSelectorMatcher } from "../../kube/selectors/labels.ts";
import type { KubeObject, OwnerReference } from "../../kube/types.ts";
import type { RestStore } from "../apiserver/rest_store.ts";
import { updateSameObject } from "./same_object.ts";
import type { InformerCache } from "../../kube/informers/shared_informers.ts";

/** Index of objects by the UID of their controller. */
export const CONTROLLER_UID_INDEX = "controllerUid";
/** Index of objects without a controller, by namespace: the candidates for adoption. */
export const ORPHANS_INDEX = "orphansByNamespace";

/** The controlling owner reference, if any. */
export function controllerRefOf(object: KubeObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

/** The API group of an `apiVersion` ("" for core `v1`). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** Selectors compiled once per object (cached objects are replaced, not changed). */
const selectors = new WeakMap<KubeObject, LabelSelectorMatcher>();

/** A controller's `spec.selector`, compiled. */
export function selectorOf(owner: KubeObject): LabelSelectorMatcher {
  let matcher = selectors.get(owner);
  if (!matcher) selectors.set(owner, matcher = labelSelectorMatcher(owner.spec?.selector));
  return matcher;
}

/**
 * The cached owner of `type` a controller reference names, if it is still that object (same
 * UID): an owner deleted and created again under the same name is another.
 */
export function resolveControllerRef(
  cache: InformerCache,
  type: { apiVersion: string; kind: string },
  namespace: string | undefined,
  ref: OwnerReference | undefined,
): KubeObject | undefined {
  if (!ref || ref.kind !== type.kind) return undefined;
  if (groupOf(ref.apiVersion) !== groupOf(type.apiVersion)) return undefined;
  const owner = cache.get(namespace, ref.name);
  return owner?.metadata.uid === ref.uid ? owner : undefined;
}

/** The cached controllers in the object's namespace whose selector matches its labels. */
export function ownersSelecting(cache: InformerCache, object: KubeObject): KubeObject[] {
  return cache.list(object.metadata.namespace).filter((owner) =>
    selectorOf(owner).matches(object.metadata.labels)
  );
}

/**
 * The reference a controller puts on what it creates: `blockOwnerDeletion` so that foreground
 * deletion of the owner waits for it.
 */
export function newControllerRef(
  owner: KubeObject,
  type: { apiVersion: string; kind: string },
): OwnerReference {
  return {
    apiVersion: type.apiVersion,
    kind: type.kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Adds {@link CONTROLLER_UID_INDEX} and {@link ORPHANS_INDEX} to a cache. */
export function indexByController(cache: InformerCache): void {
  cache.addIndex(CONTROLLER_UID_INDEX, (o) => {
    const ref = controllerRefOf(o);
    return ref ? [ref.uid] : [];
  });
  cache.addIndex(
    ORPHANS_INDEX,
    (o) => controllerRefOf(o) ? [] : [o.metadata.namespace ?? ""],
  );
}

/** What {@link claimObjects} needs. */
export interface ClaimOptions {
  /** The controller, as cached. */
  owner: KubeObject;
  ownerType: { apiVersion: string; kind: string };
  selector: LabelSelectorMatcher;
  /** The cache of the owned kind, indexed by {@link indexByController}. */
  cache: InformerCache;
  /** The store of the owned kind, for adoption and release writes. */
  store: RestStore;
  fieldManager: string;
  /** Objects worth claiming at all (such as active pods); default all. */
  include?: (object: KubeObject) => boolean;
  /**
   * A fresh read of the owner that tells whether it may still adopt: upstream re-reads it so an
   * owner being deleted does not adopt what the garbage collector is about to orphan.
   */
  canAdopt(): Promise<boolean>;
}

/**
 * The usual {@link ClaimOptions.canAdopt}: the owner, read afresh, is still the same object (same
 * uid, not deleted and recreated under its name) and is not being deleted.
 */
export function recheckOwner(ownerStore: RestStore, owner: KubeObject): () => Promise<boolean> {
  return async () => {
    const fresh = await ownerStore.find(owner.metadata.namespace, owner.metadata.name!);
    return fresh?.metadata.uid === owner.metadata.uid && !fresh?.metadata.deletionTimestamp;
  };
}

/**
 * The objects the owner controls once orphans matching its selector are adopted and objects no
 * longer matching it are released. Objects that went away meanwhile are left out.
 */
export async function claimObjects(options: ClaimOptions): Promise<KubeObject[]> {
  const { owner, selector, cache, store } = options;
  const uid = owner.metadata.uid!;
  const ownerDeleting = owner.metadata.deletionTimestamp !== undefined;
  const claimed: KubeObject[] = [];
  let adoptable: boolean | undefined;

  const include = options.include ?? (() => true);
  for (const object of cache.byIndex(CONTROLLER_UID_INDEX, uid)) {
    if (!include(object)) continue;
    if (selector.matches(object.metadata.labels) || ownerDeleting) {
      claimed.push(object);
      continue;
    }
    await write(store, object, options.fieldManager, (current) => {
      current.metadata.ownerReferences = current.metadata.ownerReferences!.filter((r) =>
        r.uid !== uid
      );
      if (current.metadata.ownerReferences.length === 0) delete current.metadata.ownerReferences;
    });
  }

  if (ownerDeleting) return claimed;
  for (const object of cache.byIndex(ORPHANS_INDEX, owner.metadata.namespace ?? "")) {
    if (object.metadata.deletionTimestamp || !include(object)) continue;
    if (!selector.matches(object.metadata.labels)) continue;
    adoptable ??= await options.canAdopt();
    if (!adoptable) break;
    const adopted = await write(store, object, options.fieldManager, (current) => {
      // Someone else may have adopted it, or changed its labels, since the cache saw it.
      if (controllerRefOf(current) || !selector.matches(current.metadata.labels)) {
        throw ApiError.conflict(store.ref, current.metadata.name!);
      }
      current.metadata.ownerReferences = [
        ...(current.metadata.ownerReferences ?? []),
        newControllerRef(owner, options.ownerType),
      ];
    }).catch((error) => {
      if (isConflict(error)) return undefined;
      throw error;
    });
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}

/** Changes an object in place; undefined when it is gone or is no longer the one the cache saw. */
async function write(
  store: RestStore,
  object: KubeObject,
  fieldManager: string,
  change: (current: KubeObject) => void,
): Promise<KubeObject | undefined> {
  try {
    return await updateSameObject(store, object, change, { fieldManager });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
