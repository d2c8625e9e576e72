/**
 * An in-process object store for unit tests: objects by kind, namespace and name, with the
 * `forKind(...).find(...)` shape `StoreSet` offers.
 *
 * @module
 */
import type { KubeObject } from "../../../kube/types.ts";
import type { ObjectFinder } from "./token_request.ts";

/** A mutable set of objects that satisfies {@link ObjectFinder}. */
export class FakeObjects implements ObjectFinder {
  readonly #objects = new Map<string, KubeObject>();

  /** @param objects Initial objects; each needs `kind` and `metadata.name`. */
  constructor(objects: KubeObject[] = []) {
    for (const object of objects) this.put(object);
  }

  static #key(kind: string, namespace: string | undefined, name: string): string {
    return `${kind}/${namespace ?? ""}/${name}`;
  }

  /** Adds or replaces an object. */
  put(object: KubeObject): KubeObject {
    const { namespace, name } = object.metadata;
    this.#objects.set(FakeObjects.#key(object.kind!, namespace, name!), object);
    return object;
  }

  /** Removes an object. */
  remove(kind: string, namespace: string | undefined, name: string): void {
    this.#objects.delete(FakeObjects.#key(kind, namespace, name));
  }

  /** @inheritdoc */
  forKind(_group: string, kind: string) {
    return {
      find: (namespace: string | undefined, name: string) =>
        Promise.resolve(this.#objects.get(FakeObjects.#key(kind, namespace, name))),
    };
  }
}

/** A namespaced object with a uid. */
export function object(
  kind: string,
  namespace: string | undefined,
  name: string,
  uid: string,
  rest: Partial<KubeObject> = {},
): KubeObject {
  return { apiVersion: "v1", kind, ...rest, metadata: { name, namespace, uid, ...rest.metadata } };
}
