/**
 * Host ports: which `hostIP/protocol/hostPort` triples a pod claims, and a node's ports in use
 * with upstream's conflict rule -- the same protocol and port conflict when either side binds
 * the wildcard address `0.0.0.0` or both bind the same address.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import { podSpec } from "./api_types.ts";

/** One host port a pod claims, normalised (empty IP -> `0.0.0.0`, empty protocol -> TCP). */
export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

const WILDCARD = "0.0.0.0";

/** The host ports of a pod's containers and sidecars (restartable init containers). */
export function podHostPorts(pod: KubeObject): HostPort[] {
  const spec = podSpec(pod);
  const containers = [
    ...(spec.containers ?? []),
    ...(spec.initContainers ?? []).filter((c) => c.restartPolicy === "Always"),
  ];
  const ports: HostPort[] = [];
  for (const container of containers) {
    for (const port of container.ports ?? []) {
      if (!port.hostPort || port.hostPort <= 0) continue;
      ports.push({
        ip: port.hostIP || WILDCARD,
        protocol: port.protocol || "TCP",
        port: port.hostPort,
      });
    }
  }
  return ports;
}

/** A node's host ports in use, counted so that removing one pod's claim is exact. */
export class HostPortsInUse {
  /** `protocol/port` -> address -> how many pods claim it. */
  #byPort = new Map<string, Map<string, number>>();

  /** Records a pod's ports. */
  add(ports: readonly HostPort[]): void {
    for (const { ip, protocol, port } of ports) {
      const key = `${protocol}/${port}`;
      let addresses = this.#byPort.get(key);
      if (!addresses) this.#byPort.set(key, addresses = new Map());
      addresses.set(ip, (addresses.get(ip) ?? 0) + 1);
    }
  }

  /** Forgets a pod's ports (the ones it was added with). */
  remove(ports: readonly HostPort[]): void {
    for (const { ip, protocol, port } of ports) {
      const key = `${protocol}/${port}`;
      const addresses = this.#byPort.get(key);
      const count = addresses?.get(ip);
      if (!addresses || count === undefined) continue;
      if (count > 1) addresses.set(ip, count - 1);
      else addresses.delete(ip);
      if (addresses.size === 0) this.#byPort.delete(key);
    }
  }

  /** True when one of `ports` is taken on this node. */
  conflicts(ports: readonly HostPort[]): boolean {
    for (const { ip, protocol, port } of ports) {
      const addresses = this.#byPort.get(`${protocol}/${port}`);
      if (!addresses) continue;
      if (ip === WILDCARD || addresses.has(ip) || addresses.has(WILDCARD)) return true;
    }
    return false;
  }
}
