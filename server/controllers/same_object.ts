/**
 * Writes to an object a controller saw, provided it is still that object: one deleted and created
 * again under the same name (another UID) is not changed, and counts as gone.
 *
 * @module
 */
import { ApiError, isConflict, isNotFound } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { RestStore } from "../apiserver/rest_store.ts";
import type { WriteOptions } from "../apiserver/store_types.ts";

/** Which object: where it is and its UID (a {@link KubeObject}'s metadata, an index entry). */
export interface ObjectIdentity {
  namespace?: string;
  name: string;
  uid: string;
}

/**
 * Changes the object in place through its store (retrying on conflicts, as `updateWith` does).
 *
 * @param target The object as seen, or its identity.
 * @param change Edits the current object; it may throw to give up.
 * @returns The object as written.
 * @throws {ApiError} 404 when the object is gone or was replaced (callers that do not mind check
 *   it with `isNotFound`), and whatever `change` or the store throws.
 * @example
 * ```ts ignore
 * await updateSameObject(rsStore, rs, (current) => {
 *   current.status = status;
 * }, { subresource: "status", fieldManager: CONTROLLER_FIELD_MANAGER });
 * ```
 */
export async function updateSameObject(
  store: RestStore,
  target: KubeObject | ObjectIdentity,
  change: (current: KubeObject) => void,
  options: WriteOptions & { subresource?: string },
): Promise<KubeObject> {
  const { namespace, name, uid } = "metadata" in target ? target.metadata : target;
  const { object } = await store.updateWith(namespace, name!, (current) => {
    if (current.metadata.uid !== uid) throw ApiError.notFound(store.ref, name!);
    change(current);
    return current;
  }, options);
  return object;
}

/**
 * Deletes the object if it is still the one seen: one already gone, or deleted and created again
 * under its name (the UID precondition fails with 409), is left be.
 */
export async function deleteSameObject(store: RestStore, object: KubeObject): Promise<void> {
  try {
    await store.delete(object.metadata.namespace, object.metadata.name!, {
      preconditions: { uid: object.metadata.uid },
    });
  } catch (error) {
    if (!isNotFound(error) && !isConflict(error)) throw error;
  }
}
