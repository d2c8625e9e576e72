/**
 * What each node may read because of the pods bound to it: the Node authoriser's graph, reduced
 * to what k3ts needs. A pod with `spec.nodeName` links its node to the secrets, config maps,
 * persistent volume claims and service account it references; a claim bound to a volume links
 * the volume too. Kept current from pod and claim watches, one event at a time.
 *
 * @module
 */
import type { KubeObject } from "../../../kube/types.ts";

/** Objects a pod can make readable to its node. */
export type PodReferenceKind = "secret" | "configmap" | "persistentvolumeclaim" | "serviceaccount";

/** Names a pod references, by kind (all in the pod's namespace). */
export type PodReferences = Record<PodReferenceKind, Set<string>>;

/** Volume sources that name a secret in `secretRef.name` (upstream's VisitPodSecretNames). */
const SECRET_REF_VOLUMES = [
  "cephfs",
  "cinder",
  "flexVolume",
  "iscsi",
  "rbd",
  "scaleIO",
  "storageos",
];

/** The value at a path of nested JSON objects, or undefined. */
function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The items of a JSON array, or none. */
function items(value: unknown, ...path: string[]): unknown[] {
  const found = at(value, ...path);
  return Array.isArray(found) ? found : [];
}

/** Everything a pod references, the way upstream's pod visitors walk a pod spec. */
export function podReferences(pod: KubeObject): PodReferences {
  const refs: PodReferences = {
    secret: new Set(),
    configmap: new Set(),
    persistentvolumeclaim: new Set(),
    serviceaccount: new Set(),
  };
  const add = (kind: PodReferenceKind, name: unknown) => {
    if (typeof name === "string" && name !== "") refs[kind].add(name);
  };
  const spec: unknown = pod.spec;
  add(
    "serviceaccount",
    at(spec, "serviceAccountName") || at(spec, "serviceAccount") || "default",
  );
  for (const s of items(spec, "imagePullSecrets")) add("secret", at(s, "name"));
  const containers = [
    ...items(spec, "containers"),
    ...items(spec, "initContainers"),
    ...items(spec, "ephemeralContainers"),
  ];
  for (const c of containers) {
    for (const e of items(c, "env")) {
      add("secret", at(e, "valueFrom", "secretKeyRef", "name"));
      add("configmap", at(e, "valueFrom", "configMapKeyRef", "name"));
    }
    for (const e of items(c, "envFrom")) {
      add("secret", at(e, "secretRef", "name"));
      add("configmap", at(e, "configMapRef", "name"));
    }
  }
  for (const v of items(spec, "volumes")) {
    add("secret", at(v, "secret", "secretName"));
    add("configmap", at(v, "configMap", "name"));
    for (const source of items(v, "projected", "sources")) {
      add("secret", at(source, "secret", "name"));
      add("configmap", at(source, "configMap", "name"));
    }
    add("persistentvolumeclaim", at(v, "persistentVolumeClaim", "claimName"));
    // A generic ephemeral volume's claim is named after the pod and the volume.
    if (at(v, "ephemeral") && pod.metadata.name) {
      add("persistentvolumeclaim", `${pod.metadata.name}-${at(v, "name")}`);
    }
    add("secret", at(v, "csi", "nodePublishSecretRef", "name"));
    add("secret", at(v, "azureFile", "secretName"));
    for (const type of SECRET_REF_VOLUMES) add("secret", at(v, type, "secretRef", "name"));
  }
  return refs;
}

/** One bound pod as the graph keeps it. */
interface PodEntry {
  node: string;
  /** The reference keys this pod added (to take them back when it changes or goes). */
  keys: string[];
}

function refKey(node: string, kind: string, namespace: string, name: string): string {
  return `${node}\u0000${kind}\u0000${namespace}\u0000${name}`;
}

/** The pods-by-node graph. */
export class NodeGraph {
  readonly #pods = new Map<string, PodEntry>();
  /** How many bound pods reference each (node, kind, namespace, name). */
  readonly #refs = new Map<string, number>();
  /** Claim `namespace/name` -> the volume it is bound to. */
  readonly #claimVolume = new Map<string, string>();
  /** Volume -> the claims bound to it. */
  readonly #volumeClaims = new Map<string, Set<string>>();

  /** Applies a pod watch event. */
  applyPod(type: "ADDED" | "MODIFIED" | "DELETED", pod: KubeObject): void {
    const namespace = pod.metadata.namespace ?? "";
    const key = `${namespace}/${pod.metadata.name}`;
    const old = this.#pods.get(key);
    if (old) {
      for (const k of old.keys) {
        const count = (this.#refs.get(k) ?? 1) - 1;
        if (count > 0) this.#refs.set(k, count);
        else this.#refs.delete(k);
      }
      this.#pods.delete(key);
    }
    const node: unknown = pod.spec?.nodeName;
    if (type === "DELETED" || typeof node !== "string" || node === "") return;
    const keys: string[] = [];
    for (const [kind, names] of Object.entries(podReferences(pod))) {
      for (const name of names) keys.push(refKey(node, kind, namespace, name));
    }
    for (const k of keys) this.#refs.set(k, (this.#refs.get(k) ?? 0) + 1);
    this.#pods.set(key, { node, keys });
  }

  /** Replaces all pods with a fresh list. */
  replacePods(pods: readonly KubeObject[]): void {
    this.#pods.clear();
    this.#refs.clear();
    for (const pod of pods) this.applyPod("ADDED", pod);
  }

  /** Applies a PersistentVolumeClaim watch event (its `spec.volumeName` links a volume). */
  applyClaim(type: "ADDED" | "MODIFIED" | "DELETED", claim: KubeObject): void {
    const key = `${claim.metadata.namespace ?? ""}/${claim.metadata.name}`;
    const old = this.#claimVolume.get(key);
    if (old !== undefined) {
      const claims = this.#volumeClaims.get(old);
      claims?.delete(key);
      if (claims?.size === 0) this.#volumeClaims.delete(old);
      this.#claimVolume.delete(key);
    }
    const volume: unknown = claim.spec?.volumeName;
    if (type === "DELETED" || typeof volume !== "string" || volume === "") return;
    this.#claimVolume.set(key, volume);
    let claims = this.#volumeClaims.get(volume);
    if (!claims) this.#volumeClaims.set(volume, claims = new Set());
    claims.add(key);
  }

  /** Replaces all claims with a fresh list. */
  replaceClaims(claims: readonly KubeObject[]): void {
    this.#claimVolume.clear();
    this.#volumeClaims.clear();
    for (const claim of claims) this.applyClaim("ADDED", claim);
  }

  /** True when the pod exists and is bound to the node. */
  podOnNode(node: string, namespace: string, name: string): boolean {
    return this.#pods.get(`${namespace}/${name}`)?.node === node;
  }

  /** True when a pod bound to the node references the object. */
  references(node: string, kind: PodReferenceKind, namespace: string, name: string): boolean {
    return this.#refs.has(refKey(node, kind, namespace, name));
  }

  /** True when a claim referenced by a pod on the node is bound to the volume. */
  volumeOnNode(node: string, volume: string): boolean {
    for (const claim of this.#volumeClaims.get(volume) ?? []) {
      const slash = claim.indexOf("/");
      const namespace = claim.slice(0, slash);
      if (this.references(node, "persistentvolumeclaim", namespace, claim.slice(slash + 1))) {
        return true;
      }
    }
    return false;
  }
}
