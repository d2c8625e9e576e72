/**
 * Controller references: which object controls another (the one ownerReference with
 * `controller: true`), and claiming — adopting orphans a controller's selector matches and
 * releasing objects it controls that no longer match, as upstream's ControllerRefManager.
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";
import type { LabelSelectorMatcher } from "../../kube/selectors/labels.ts";
import type { KubeObject, OwnerReference } from "../../kube/types.ts";
import type { RestStore } from "../apiserver/rest_store.ts";
import { isConflict, isNotFound } from "./api_errors.ts";
import type { InformerCache } from "./shared_informers.ts";

/** Index of objects by the UID of their controller. */
export const CONTROLLER_UID_INDEX = "controllerUid";
/** Index of objects without a controller, by namespace: the candidates for adoption. */
export const ORPHANS_INDEX = "orphansByNamespace";

/** The controlling owner reference, if any. */
export function controllerRefOf(object: KubeObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((ref) => ref.controller === true);
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

/** Thrown inside a transform when the object was replaced by another of the same name. */
class ObjectReplaced extends Error {}

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

/** Changes an object in place, provided it is still the one the cache saw (same UID). */
async function write(
  store: RestStore,
  object: KubeObject,
  fieldManager: string,
  change: (current: KubeObject) => void,
): Promise<KubeObject | undefined> {
  try {
    const result = await store.updateWith(object.metadata.namespace, object.metadata.name!, (c) => {
      if (c.metadata.uid !== object.metadata.uid) throw new ObjectReplaced();
      change(c);
      return c;
    }, { fieldManager });
    return result.object;
  } catch (error) {
    if (error instanceof ObjectReplaced) return undefined;
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
