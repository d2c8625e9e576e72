/**
 * Pod IPs of one node, from its `spec.podCIDR` as a CNI's host-local IPAM hands them out: the
 * network address and `.1` (the bridge, `cni0`) are never given, nor is the broadcast address.
 *
 * @module
 */
import { type Ipv4Range, ipv4Range } from "../apiserver/ip_range.ts";

/** The addresses a node gives its pods, one per pod. */
export class PodIpPool {
  readonly #range: Ipv4Range;
  /** pod uid -> IP */
  readonly #byPod = new Map<string, string>();
  /** IP -> pod uid */
  readonly #byIp = new Map<string, string>();
  #next = 2;

  /**
   * @param podCidr The node's `spec.podCIDR`, e.g. `10.42.3.0/24`.
   * @throws {Error} When it is not an IPv4 CIDR.
   */
  constructor(podCidr: string) {
    this.#range = ipv4Range(podCidr);
  }

  /** The node's pod CIDR. */
  get cidr(): string {
    return this.#range.cidr;
  }

  /** How many pods hold an IP. */
  get size(): number {
    return this.#byPod.size;
  }

  /**
   * The pod's IP: the one it holds, else the next free one (round-robin, so an IP just freed
   * is not reused at once), or undefined when the range is full.
   */
  take(podUid: string): string | undefined {
    const held = this.#byPod.get(podUid);
    if (held !== undefined) return held;
    const first = 2;
    const last = this.#range.size - 2; // skip the broadcast address
    const count = last - first + 1;
    for (let step = 0; step < count; step++) {
      const offset = first + ((this.#next - first + step) % count);
      const ip = this.#range.at(offset);
      if (this.#byIp.has(ip)) continue;
      this.#byIp.set(ip, podUid);
      this.#byPod.set(podUid, ip);
      this.#next = offset + 1 > last ? first : offset + 1;
      return ip;
    }
    return undefined;
  }

  /** Records an IP a pod already has (after a restart); false when it is not ours to give. */
  hold(podUid: string, ip: string): boolean {
    if (!this.#range.contains(ip) || this.#range.at(1) === ip) return false;
    const owner = this.#byIp.get(ip);
    if (owner !== undefined && owner !== podUid) return false;
    this.release(podUid);
    this.#byIp.set(ip, podUid);
    this.#byPod.set(podUid, ip);
    return true;
  }

  /** Frees the pod's IP, if it holds one. */
  release(podUid: string): void {
    const ip = this.#byPod.get(podUid);
    if (ip === undefined) return;
    this.#byPod.delete(podUid);
    this.#byIp.delete(ip);
  }
}
