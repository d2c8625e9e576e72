/**
 * System-owned metadata: timestamps, uids, generated names, storage keys.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import type { RegisteredResource } from "./resources.ts";

/** The last second formatted: writes come many to a second. */
let lastTimestamp = { second: NaN, text: "" };

/** RFC 3339 with microseconds, as `metav1.MicroTime` is written. */
export function microTime(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** RFC 3339 with second precision, as Kubernetes writes `metav1.Time`. */
export function timestamp(ms: number = Date.now()): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastTimestamp.second) {
    lastTimestamp = {
      second,
      text: new Date(second * 1000).toISOString().replace(".000Z", "Z"),
    };
  }
  return lastTimestamp.text;
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

/** The stored text of objects this process encoded, so a response need not encode them again. */
const storedTexts = new WeakMap<KubeObject, string>();

/**
 * Encodes an object for storage; the resourceVersion is the row's revision, not stored. The
 * text starts `{"apiVersion":…,"kind":…,"metadata":{` (as upstream orders them), which lets
 * {@link storedJson} stamp the resourceVersion into it without parsing.
 */
export function encodeForStorage(obj: KubeObject): string {
  const { apiVersion, kind, metadata, ...rest } = obj;
  const { resourceVersion: _, ...meta } = metadata;
  const json = JSON.stringify({ apiVersion, kind, metadata: meta, ...rest });
  storedTexts.set(obj, json);
  return json;
}

const prefixes = new Map<string, string>();

/** `{"apiVersion":"<v>","kind":"<k>","metadata":{`: how every canonical stored value starts. */
function canonicalPrefix(resource: RegisteredResource): string {
  const key = `${resource.apiVersion}/${resource.info.kind}`;
  let prefix = prefixes.get(key);
  if (prefix === undefined) {
    prefix = `{"apiVersion":${JSON.stringify(resource.apiVersion)},"kind":${
      JSON.stringify(resource.info.kind)
    },"metadata":{`;
    prefixes.set(key, prefix);
  }
  return prefix;
}

/**
 * The JSON text of a stored object as the API shows it (type meta of `resource`, resourceVersion
 * = the row's revision). Canonical stored text gets the resourceVersion spliced in; any other
 * (older rows, another version's type meta) is decoded and encoded again.
 */
export function storedJson(
  resource: RegisteredResource,
  value: string,
  modRevision: number,
): string {
  const prefix = canonicalPrefix(resource);
  if (value.startsWith(prefix)) {
    const separator = value.charCodeAt(prefix.length) === 125 /* } */ ? "" : ",";
    return `${prefix}"resourceVersion":"${modRevision}"${separator}${value.slice(prefix.length)}`;
  }
  const obj = decodeStored(value, modRevision);
  obj.apiVersion = resource.apiVersion;
  obj.kind = resource.info.kind;
  return JSON.stringify(obj);
}

/**
 * The JSON text of an object this process just stored (as {@link storedJson} shows it), or
 * undefined when it was not stored here or changed type meta or resourceVersion since.
 */
export function storedJsonOf(resource: RegisteredResource, obj: KubeObject): string | undefined {
  const text = storedTexts.get(obj);
  const rv = obj.metadata?.resourceVersion;
  if (text === undefined || rv === undefined || !/^\d+$/.test(rv)) return undefined;
  if (obj.apiVersion !== resource.apiVersion || obj.kind !== resource.info.kind) return undefined;
  return storedJson(resource, text, Number(rv));
}
