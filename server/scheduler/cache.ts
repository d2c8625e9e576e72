/**
 * The scheduling cache, fed by the node and pod informers: every node with the totals of the pods
 * on it. A pod the scheduler has just placed is *assumed* onto its node at once, before its
 * binding is written, so the next decision already sees it; the watch event of the binding then
 * confirms it, and a failed binding forgets it.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import { controllerRefOf } from "../controllers/controller_ref.ts";
import { isPodTerminal } from "../controllers/pod_state.ts";
import { podSpec } from "./api_types.ts";
import { podHostPorts } from "./host_ports.ts";
import { NodeInfo, type PodFootprint } from "./node_info.ts";
import { type PodRequests, podRequests } from "./resources.ts";

interface CachedPod {
  footprint: PodFootprint;
  /** Placed by this scheduler and not yet seen bound through the watch. */
  assumed: boolean;
}

/** The footprint a pod leaves on `nodeName`. */
export function footprintOf(
  pod: KubeObject,
  nodeName: string,
  requests: PodRequests = podRequests(pod),
): PodFootprint {
  return {
    uid: pod.metadata.uid!,
    nodeName,
    requests,
    ports: podHostPorts(pod),
    owner: pod.metadata.deletionTimestamp ? undefined : controllerRefOf(pod)?.uid,
  };
}

/** Nodes and the pods on them, kept current incrementally. */
export class SchedulerCache {
  readonly #infos = new Map<string, NodeInfo>();
  /** Nodes that exist (have a Node object), in a stable order for round-robin sampling. */
  readonly #ordered: NodeInfo[] = [];
  readonly #position = new Map<string, number>();
  readonly #pods = new Map<string, CachedPod>();
  /** zone -> controller owner uid -> pods, over existing nodes of that zone. */
  readonly #zones = new Map<string, Map<string, number>>();

  /** Existing nodes, in sampling order. Do not modify. */
  get nodes(): readonly NodeInfo[] {
    return this.#ordered;
  }

  /** One node's info, if the node exists. */
  node(name: string): NodeInfo | undefined {
    const info = this.#infos.get(name);
    return info?.node ? info : undefined;
  }

  /** Pods of `owner` on existing nodes of `zone`. */
  zoneOwnerCount(zone: string, owner: string): number {
    return this.#zones.get(zone)?.get(owner) ?? 0;
  }

  /** True when the cache holds this pod (bound or assumed). */
  hasPod(uid: string): boolean {
    return this.#pods.has(uid);
  }

  /** True while a pod is assumed and its binding not yet seen through the watch. */
  isAssumed(uid: string): boolean {
    return this.#pods.get(uid)?.assumed === true;
  }

  /**
   * Adds or updates a node.
   * @returns true when a field scheduling reads changed (a new node always counts).
   */
  setNode(node: KubeObject): boolean {
    const name = node.metadata.name!;
    const info = this.#info(name);
    const existed = info.node !== undefined;
    const zoneBefore = existed ? info.zone : undefined;
    const changed = info.setNode(node);
    if (!existed) {
      this.#position.set(name, this.#ordered.length);
      this.#ordered.push(info);
    }
    if (!existed || zoneBefore !== info.zone) {
      this.#countZone(info, zoneBefore, -1, existed);
      this.#countZone(info, info.zone, 1, true);
    }
    return changed;
  }

  /** Removes a node. Pods still bound to it stay counted until they go. */
  removeNode(name: string): void {
    const info = this.#infos.get(name);
    if (!info?.node) return;
    this.#countZone(info, info.zone, -1, true);
    const at = this.#position.get(name)!;
    const last = this.#ordered.pop()!;
    if (last !== info) {
      this.#ordered[at] = last;
      this.#position.set(last.name, at);
    }
    this.#position.delete(name);
    info.node = undefined;
    info.labels = {};
    info.zone = undefined;
    if (info.podCount === 0) this.#infos.delete(name);
  }

  /** Makes the node set exactly `nodes` (an informer relist). */
  replaceNodes(nodes: readonly KubeObject[]): void {
    const names = new Set(nodes.map((n) => n.metadata.name!));
    for (const info of [...this.#ordered]) {
      if (!names.has(info.name)) this.removeNode(info.name);
    }
    for (const node of nodes) this.setNode(node);
  }

  /**
   * Records a pod as the API reports it. Bound, unfinished pods count on their node; others are
   * dropped from the cache (a pod that finished frees its requests).
   * @returns true when the pod left the cache (its node has room again).
   */
  setPod(pod: KubeObject): boolean {
    const uid = pod.metadata.uid!;
    const nodeName = podSpec(pod).nodeName;
    if (!nodeName || isPodTerminal(pod)) return this.removePod(uid);
    const cached = this.#pods.get(uid);
    const footprint = cached?.footprint.nodeName === nodeName && cached.assumed &&
        !pod.metadata.deletionTimestamp
      ? cached.footprint // the binding we assumed, now confirmed: same footprint
      : footprintOf(pod, nodeName);
    if (cached) this.#subtract(cached.footprint);
    this.#add(footprint);
    this.#pods.set(uid, { footprint, assumed: false });
    return false;
  }

  /**
   * Drops a pod.
   * @returns true when it was counted on a node.
   */
  removePod(uid: string): boolean {
    const cached = this.#pods.get(uid);
    if (!cached) return false;
    this.#subtract(cached.footprint);
    this.#pods.delete(uid);
    return true;
  }

  /** Makes the bound pods exactly those in `pods` (an informer relist); assumed pods stay. */
  replacePods(pods: readonly KubeObject[]): void {
    const seen = new Set<string>();
    for (const pod of pods) {
      seen.add(pod.metadata.uid!);
      this.setPod(pod);
    }
    for (const [uid, cached] of [...this.#pods]) {
      if (!seen.has(uid) && !cached.assumed) this.removePod(uid);
    }
  }

  /** Counts a pod on the node chosen for it, before its binding is written. */
  assume(pod: KubeObject, nodeName: string, requests: PodRequests): void {
    const uid = pod.metadata.uid!;
    this.removePod(uid);
    const footprint = footprintOf(pod, nodeName, requests);
    this.#add(footprint);
    this.#pods.set(uid, { footprint, assumed: true });
  }

  /** Undoes {@link assume} after a failed binding (unless the watch already confirmed it). */
  forget(uid: string): void {
    if (this.#pods.get(uid)?.assumed) this.removePod(uid);
  }

  #info(name: string): NodeInfo {
    let info = this.#infos.get(name);
    if (!info) this.#infos.set(name, info = new NodeInfo(name));
    return info;
  }

  #add(footprint: PodFootprint): void {
    const info = this.#info(footprint.nodeName);
    info.addPod(footprint);
    if (info.node && footprint.owner !== undefined) {
      this.#countOwner(info.zone, footprint.owner, 1);
    }
  }

  #subtract(footprint: PodFootprint): void {
    const info = this.#infos.get(footprint.nodeName);
    if (!info) return;
    info.removePod(footprint);
    if (info.node && footprint.owner !== undefined) {
      this.#countOwner(info.zone, footprint.owner, -1);
    }
    if (!info.node && info.podCount === 0) this.#infos.delete(info.name);
  }

  /** Adds (or removes) all of a node's owner counts to a zone's. */
  #countZone(info: NodeInfo, zone: string | undefined, sign: 1 | -1, counted: boolean): void {
    if (zone === undefined || !counted) return;
    for (const [owner, count] of info.owners) this.#countOwner(zone, owner, sign * count);
  }

  #countOwner(zone: string | undefined, owner: string, delta: number): void {
    if (zone === undefined) return;
    let owners = this.#zones.get(zone);
    if (!owners) this.#zones.set(zone, owners = new Map());
    const next = (owners.get(owner) ?? 0) + delta;
    if (next === 0) owners.delete(owner);
    else owners.set(owner, next);
    if (owners.size === 0) this.#zones.delete(zone);
  }
}
