/**
 * What `/v1-k3s/config` tells an agent: the cluster-wide settings every node must share. Field
 * names follow K3s's `config.Control` JSON so the two read alike; CIDRs and IPs are plain strings
 * here (K3s encodes Go's `net.IPNet` as an `{IP, Mask}` object, which only Go can read back).
 *
 * @module
 */
import { ipv4Range } from "../apiserver/ip_range.ts";
import type { ServerConfig } from "../config.ts";

/** The agent configuration the server hands out. */
export interface AgentConfig {
  /** Pod network, e.g. `10.42.0.0/16` (each node gets a /24 of it). */
  ClusterIPRange: string;
  /** Pod networks (one per IP family; IPv4 only for now). */
  ClusterIPRanges: string[];
  /** Service network, e.g. `10.43.0.0/16`. */
  ServiceIPRange: string;
  /** Service networks (one per IP family). */
  ServiceIPRanges: string[];
  /** The cluster DNS Service IP: the 10th address of the service network. */
  ClusterDNS: string;
  /** Cluster DNS IPs (one per IP family). */
  ClusterDNSs: string[];
  /** The cluster DNS domain, e.g. `cluster.local`. */
  ClusterDomain: string;
  /** NodePort range, `first-last`. */
  ServiceNodePortRange: string;
  /** Flannel backend; k3ts programs VXLAN. */
  FlannelBackend: "vxlan";
  /** Masquerade IPv6 pod traffic (no IPv6 yet). */
  FlannelIPv6Masq: boolean;
  /** Use node external IPs for flannel traffic. */
  FlannelExternalIP: boolean;
  /** How the API server reaches kubelets: through the agent's tunnel (K3s default `agent`). */
  EgressSelectorMode: "agent";
  /** Whether agents skip the service proxy. */
  DisableKubeProxy: boolean;
  /** Whether agents skip the network policy controller. */
  DisableNPC: boolean;
  /** The port agents reach the API and supervisor on. */
  HTTPSPort: number;
  /** The supervisor port (the same as the API port: one TLS listener). */
  SupervisorPort: number;
  /** The address agents and the `kubernetes` Service use for this server. */
  AdvertiseIP: string;
  /** The port that goes with {@link AgentConfig.AdvertiseIP}. */
  AdvertisePort: number;
  /** This server's node name. */
  ServerNodeName: string;
}

/** Upstream's default NodePort range. */
const SERVICE_NODE_PORT_RANGE = "30000-32767";

/**
 * The agent configuration for a server.
 *
 * @param config The server configuration.
 * @param advertiseAddress The address agents reach this server on.
 * @param port The bound HTTPS port (`config.httpsListenPort` unless it was 0).
 * @returns The configuration `/v1-k3s/config` serves.
 */
export function agentConfigFor(
  config: Pick<ServerConfig, "clusterCidr" | "serviceCidr" | "clusterDomain" | "nodeName">,
  advertiseAddress: string,
  port: number,
): AgentConfig {
  const clusterCidr = ipv4Range(config.clusterCidr).cidr;
  const services = ipv4Range(config.serviceCidr);
  const clusterDns = services.at(10);
  return {
    ClusterIPRange: clusterCidr,
    ClusterIPRanges: [clusterCidr],
    ServiceIPRange: services.cidr,
    ServiceIPRanges: [services.cidr],
    ClusterDNS: clusterDns,
    ClusterDNSs: [clusterDns],
    ClusterDomain: config.clusterDomain,
    ServiceNodePortRange: SERVICE_NODE_PORT_RANGE,
    FlannelBackend: "vxlan",
    FlannelIPv6Masq: false,
    FlannelExternalIP: false,
    EgressSelectorMode: "agent",
    DisableKubeProxy: false,
    DisableNPC: false,
    HTTPSPort: port,
    SupervisorPort: port,
    AdvertiseIP: advertiseAddress,
    AdvertisePort: port,
    ServerNodeName: config.nodeName,
  };
}
