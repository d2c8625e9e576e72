/**
 * Node IPAM, as upstream's range allocator (`pkg/controller/nodeipam`): every Node gets one
 * subnet of the cluster CIDR (a /24 of 10.42.0.0/16 by default) in `spec.podCIDR` and
 * `spec.podCIDRs`. A subnet, once written, never changes (the Node strategy refuses it); it is
 * released when its Node is deleted. Nothing is persisted besides the Nodes themselves: after a
 * restart the used set is rebuilt from the Nodes the informer lists.
 *
 * @module
 */
import { isNotFound } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import type { Logger } from "../log.ts";
import { runInformer } from "../../kube/informers/informer.ts";
import { inProcessListWatch } from "../apiserver/in_process_list_watch.ts";

/** Field manager of the writes this controller makes. */
const FIELD_MANAGER = "node-ipam-controller";

/** The subnet size each node gets unless told otherwise (upstream's `--node-cidr-mask-size`). */
export const DEFAULT_NODE_MASK_BITS = 24;

function ipToNumber(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    n = n * 256 + Number(part);
  }
  return n;
}

function numberToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/**
 * Hands out equal subnets of one IPv4 range. Like upstream's CIDR set it allocates round-robin
 * from the last allocation, so a subnet just released (whose routes may linger on other nodes)
 * is the last to be reused.
 *
 * @example
 * ```ts
 * const allocator = new PodCidrAllocator("10.42.0.0/16", 24);
 * allocator.allocate(); // "10.42.0.0/24"
 * allocator.occupy("10.42.7.0/24"); // true
 * allocator.release("10.42.0.0/24");
 * ```
 */
export class PodCidrAllocator {
  /** The cluster range, normalised (`10.42.0.0/16`). */
  readonly clusterCidr: string;
  /** How many subnets the range holds. */
  readonly capacity: number;
  readonly #network: number;
  readonly #subnetSize: number;
  readonly #maskBits: number;
  readonly #used = new Set<number>();
  #next = 0;

  /**
   * @param clusterCidr An IPv4 CIDR, e.g. `10.42.0.0/16`.
   * @param maskBits The prefix length of each node's subnet (24 by default).
   * @throws {Error} When the CIDR is not IPv4 or is smaller than one subnet.
   */
  constructor(clusterCidr: string, maskBits: number = DEFAULT_NODE_MASK_BITS) {
    const [address, bitsText] = clusterCidr.trim().split("/");
    const base = ipToNumber(address ?? "");
    const bits = Number(bitsText);
    if (base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) {
      throw new Error(`invalid cluster CIDR "${clusterCidr}" (expected an IPv4 a.b.c.d/n)`);
    }
    if (!Number.isInteger(maskBits) || maskBits < bits || maskBits > 30) {
      throw new Error(
        `node CIDR mask /${maskBits} does not fit cluster CIDR "${clusterCidr}" (needs ${bits} <= mask <= 30)`,
      );
    }
    const size = 2 ** (32 - bits);
    this.#network = base - (base % size);
    this.#subnetSize = 2 ** (32 - maskBits);
    this.#maskBits = maskBits;
    this.capacity = 2 ** (maskBits - bits);
    this.clusterCidr = `${numberToIp(this.#network)}/${bits}`;
  }

  /** How many subnets are in use. */
  get used(): number {
    return this.#used.size;
  }

  /** The subnet at an index, as CIDR text. */
  #cidrAt(index: number): string {
    return `${numberToIp(this.#network + index * this.#subnetSize)}/${this.#maskBits}`;
  }

  /** The index of a subnet of this range, or undefined when it is not one. */
  #indexOf(cidr: string): number | undefined {
    const [address, bitsText] = cidr.split("/");
    const start = ipToNumber(address ?? "");
    if (start === undefined || Number(bitsText) !== this.#maskBits) return undefined;
    const offset = start - this.#network;
    if (offset < 0 || offset % this.#subnetSize !== 0) return undefined;
    const index = offset / this.#subnetSize;
    return index < this.capacity ? index : undefined;
  }

  /** Takes the next free subnet, or undefined when the range is full. */
  allocate(): string | undefined {
    for (let step = 0; step < this.capacity; step++) {
      const index = (this.#next + step) % this.capacity;
      if (this.#used.has(index)) continue;
      this.#used.add(index);
      this.#next = (index + 1) % this.capacity;
      return this.#cidrAt(index);
    }
    return undefined;
  }

  /**
   * Marks a subnet someone already holds as used.
   * @returns false when the CIDR is not a subnet of this range (it is then not tracked).
   */
  occupy(cidr: string): boolean {
    const index = this.#indexOf(cidr);
    if (index === undefined) return false;
    this.#used.add(index);
    return true;
  }

  /** Frees a subnet; unknown CIDRs are ignored. */
  release(cidr: string): void {
    const index = this.#indexOf(cidr);
    if (index !== undefined) this.#used.delete(index);
  }

  /** Frees everything (before the used set is rebuilt from a fresh list). */
  clear(): void {
    this.#used.clear();
  }
}

/** Options of {@link startNodeIpam}. */
export interface NodeIpamOptions {
  /** The cluster's pod range (`--cluster-cidr`); `10.42.0.0/16` when omitted. */
  clusterCidr?: string;
  /** Prefix length of each node's subnet; 24 when omitted. */
  nodeMaskBits?: number;
  signal: AbortSignal;
  logger: Logger;
  /** Delay before retrying a failed write or waiting for a free subnet; 1 s when omitted. */
  retryMs?: number;
}

/** The pod CIDR a Node already has, if any. */
function podCidrOf(node: KubeObject): string | undefined {
  const cidr = node.spec?.podCIDR ?? node.spec?.podCIDRs?.[0];
  return typeof cidr === "string" && cidr !== "" ? cidr : undefined;
}

/**
 * Runs node IPAM until the signal aborts: every Node without a pod CIDR gets one.
 *
 * @param stores The server's in-process stores.
 * @param options Cluster CIDR, signal and logger.
 * @throws {Error} At once, when the cluster CIDR cannot be used.
 * @example
 * ```ts
 * loops.push(startNodeIpam(stores, { clusterCidr: config.clusterCidr, signal, logger }));
 * ```
 */
export function startNodeIpam(stores: StoreSet, options: NodeIpamOptions): Promise<void> {
  const allocator = new PodCidrAllocator(
    options.clusterCidr ?? "10.42.0.0/16",
    options.nodeMaskBits ?? DEFAULT_NODE_MASK_BITS,
  );
  const nodes = stores.forKind("", "Node");
  const log = options.logger;
  const retryMs = options.retryMs ?? 1000;
  /** The subnet each known Node holds (written, or being written). */
  const held = new Map<string, string>();
  /** Nodes whose write is in flight: their events must not allocate again. */
  const writing = new Set<string>();
  /** Nodes that wait for a subnet (range full, or a write failed). */
  const waiting = new Set<string>();
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let exhaustedLogged = false;

  const scheduleRetry = () => {
    if (retryTimer !== undefined || options.signal.aborted) return;
    retryTimer = setTimeout(async () => {
      retryTimer = undefined;
      for (const name of [...waiting]) {
        waiting.delete(name);
        const node = await nodes.find(undefined, name).catch(() => undefined);
        if (node) observe(node);
      }
    }, retryMs);
  };

  const write = async (name: string, cidr: string): Promise<void> => {
    writing.add(name);
    try {
      const { object } = await nodes.updateWith(undefined, name, (current) => {
        // Someone (an earlier run, an administrator) set it meanwhile: theirs stands.
        if (podCidrOf(current)) return current;
        current.spec = { ...current.spec, podCIDR: cidr, podCIDRs: [cidr] };
        return current;
      }, { fieldManager: FIELD_MANAGER });
      const actual = podCidrOf(object);
      if (actual !== cidr) {
        allocator.release(cidr);
        if (actual && allocator.occupy(actual)) held.set(name, actual);
        else held.delete(name);
        return;
      }
      log.info("Set node pod CIDR", { node: name, podCIDR: cidr });
    } catch (error) {
      allocator.release(cidr);
      held.delete(name);
      if (isNotFound(error)) return;
      if (options.signal.aborted) return;
      log.warn("Pod CIDR not written; will retry", { node: name, error: String(error) });
      waiting.add(name);
      scheduleRetry();
    } finally {
      writing.delete(name);
    }
  };

  /** Takes note of a Node's subnet, or gives it one. */
  const observe = (node: KubeObject): void => {
    const name = node.metadata.name!;
    const cidr = podCidrOf(node);
    if (cidr) {
      const previous = held.get(name);
      if (previous !== undefined && previous !== cidr && !writing.has(name)) {
        allocator.release(previous);
      }
      if (allocator.occupy(cidr)) held.set(name, cidr);
      else log.warn("Node pod CIDR is outside the cluster CIDR", { node: name, podCIDR: cidr });
      return;
    }
    if (writing.has(name) || node.metadata.deletionTimestamp) return;
    const existing = held.get(name);
    const next = existing ?? allocator.allocate();
    if (next === undefined) {
      if (!exhaustedLogged) {
        log.error("No pod CIDR left for new nodes", {
          node: name,
          clusterCIDR: allocator.clusterCidr,
          capacity: allocator.capacity,
        });
        exhaustedLogged = true;
      }
      waiting.add(name);
      return;
    }
    held.set(name, next);
    void write(name, next);
  };

  const forget = (node: KubeObject): void => {
    const name = node.metadata.name!;
    waiting.delete(name);
    const cidr = held.get(name);
    if (cidr === undefined) return;
    held.delete(name);
    if (writing.has(name)) return; // the failing write releases it
    allocator.release(cidr);
    exhaustedLogged = false;
    // A released subnet may be what a waiting node needs.
    if (waiting.size > 0) scheduleRetry();
  };

  const running = runInformer(inProcessListWatch(nodes, stores.deps.backend), {
    replace(items) {
      // Rebuild from what exists: first every subnet already written, then the rest.
      allocator.clear();
      for (const name of writing) {
        const cidr = held.get(name);
        if (cidr !== undefined) allocator.occupy(cidr);
      }
      for (const [name] of held) if (!writing.has(name)) held.delete(name);
      const unassigned: KubeObject[] = [];
      for (const node of items) {
        if (podCidrOf(node)) observe(node);
        else unassigned.push(node);
      }
      unassigned.forEach(observe);
    },
    apply(type, node) {
      if (type === "DELETED") forget(node);
      else observe(node);
    },
  }, { signal: options.signal, logger: log, name: "node-ipam" });
  return running.finally(() => clearTimeout(retryTimer));
}
