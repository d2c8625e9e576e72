/**
 * System-owned metadata: timestamps, uids, generated names, storage keys.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import type { RegisteredResource } from "./resources.ts";

/** RFC 3339 with second precision, as Kubernetes writes `metav1.Time`. */
export function timestamp(ms: number = Date.now()): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** Upstream's generateName alphabet: no vowels (no words), no confusable characters. */
const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** `generateName` + 5 random characters, as upstream's `SimpleNameGenerator`. */
export function generateName(prefix: string): string {
  const base = prefix.length > 58 ? prefix.slice(0, 58) : prefix;
  const bytes = crypto.getRandomValues(new Uint8Array(5));
  let suffix = "";
  for (const b of bytes) suffix += NAME_ALPHABET[b % NAME_ALPHABET.length];
  return base + suffix;
}

/** The storage key of an object: `/registry/<group>/<plural>/[<namespace>/]<name>`. */
export function objectKey(
  resource: RegisteredResource,
  namespace: string | undefined,
  name: string,
): string {
  return resource.info.namespaced
    ? `${resource.keyPrefix}${namespace}/${name}`
    : `${resource.keyPrefix}${name}`;
}

/** The key prefix of a list: all namespaces, or one. */
export function listPrefix(resource: RegisteredResource, namespace: string | undefined): string {
  return resource.info.namespaced && namespace
    ? `${resource.keyPrefix}${namespace}/`
    : resource.keyPrefix;
}

/** Decodes a stored value, stamping the revision it was read at as its resourceVersion. */
export function decodeStored(value: string, modRevision: number): KubeObject {
  const obj = JSON.parse(value) as KubeObject;
  obj.metadata.resourceVersion = String(modRevision);
  return obj;
}

/** Encodes an object for storage; the resourceVersion is the row's revision, not stored. */
export function encodeForStorage(obj: KubeObject): string {
  const rv = obj.metadata.resourceVersion;
  delete obj.metadata.resourceVersion;
  const json = JSON.stringify(obj);
  if (rv !== undefined) obj.metadata.resourceVersion = rv;
  return json;
}
