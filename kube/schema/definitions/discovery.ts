/**
 * discovery.k8s.io/v1: EndpointSlice.
 *
 * @module
 */
import { arr, bool, int32, kindWithList, map, obj, ref, str } from "../dsl.ts";
import type { Schema, SchemaSet } from "../types.ts";

const PKG = "io.k8s.api.discovery.v1";
const DISC = `${PKG}.`;

function disc(name: string, description?: string): Schema {
  return ref(DISC + name, description);
}

/** Every discovery.k8s.io/v1 schema. */
export const DISCOVERY_SCHEMAS: SchemaSet = {
  ...kindWithList(
    PKG,
    { group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice" },
    "A subset of the endpoints of a service.",
    {
      addressType: str("IPv4, IPv6 or FQDN."),
      endpoints: arr(disc("Endpoint"), { description: "The endpoints.", listType: "atomic" }),
      ports: arr(disc("EndpointPort"), {
        description: "Ports of every endpoint.",
        listType: "atomic",
      }),
    },
    { required: ["addressType", "endpoints"] },
  ),
  [`${DISC}Endpoint`]: obj({
    addresses: arr(str(), { description: "Addresses of the endpoint.", listType: "set" }),
    conditions: disc("EndpointConditions", "Readiness of the endpoint."),
    deprecatedTopology: map(str(), "Deprecated topology labels."),
    hints: disc("EndpointHints", "Routing hints."),
    hostname: str("Hostname of the endpoint."),
    nodeName: str("Node hosting the endpoint."),
    targetRef: ref("io.k8s.api.core.v1.ObjectReference", "The object providing the endpoint."),
    zone: str("Zone of the endpoint."),
  }, { description: "One backend of a service.", required: ["addresses"] }),
  [`${DISC}EndpointConditions`]: obj({
    ready: bool("Ready to receive traffic."),
    serving: bool("Serving, even while terminating."),
    terminating: bool("Terminating."),
  }, { description: "Readiness of an endpoint." }),
  [`${DISC}EndpointHints`]: obj({
    forNodes: arr(disc("ForNodeHint"), {
      description: "Nodes that should use it.",
      listType: "atomic",
    }),
    forZones: arr(disc("ForZoneHint"), {
      description: "Zones that should use it.",
      listType: "atomic",
    }),
  }, { description: "Topology routing hints." }),
  [`${DISC}ForNodeHint`]: obj({ name: str("Node name.") }, {
    description: "A node hint.",
    required: ["name"],
  }),
  [`${DISC}ForZoneHint`]: obj({ name: str("Zone name.") }, {
    description: "A zone hint.",
    required: ["name"],
  }),
  [`${DISC}EndpointPort`]: obj({
    appProtocol: str("Application protocol."),
    name: str("Name matching the service port."),
    port: int32("Port number."),
    protocol: str("TCP, UDP or SCTP."),
  }, { description: "A port of an endpoint slice.", atomic: true }),
};
