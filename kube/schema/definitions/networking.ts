/**
 * networking.k8s.io/v1: Ingress and NetworkPolicy.
 *
 * @module
 */
import { arr, int32, intOrString, kindWithList, META, obj, ref, str, strs } from "../dsl.ts";
import type { Schema, SchemaSet } from "../types.ts";

const PKG = "io.k8s.api.networking.v1";
const NET = `${PKG}.`;
const v1 = { group: "networking.k8s.io", version: "v1" };

function net(name: string, description?: string): Schema {
  return ref(NET + name, description);
}

function atomicList(name: string, description: string): Schema {
  return arr(net(name), { description, listType: "atomic" });
}

/** Every networking.k8s.io/v1 schema. */
export const NETWORKING_SCHEMAS: SchemaSet = {
  ...kindWithList(
    PKG,
    { ...v1, kind: "Ingress" },
    "HTTP routing from outside the cluster to services.",
    {
      spec: net("IngressSpec", "Rules and TLS settings."),
      status: net("IngressStatus", "Load balancer addresses."),
    },
  ),
  [`${NET}IngressSpec`]: obj({
    defaultBackend: net("IngressBackend", "Backend for requests no rule matches."),
    ingressClassName: str("IngressClass that implements this ingress."),
    rules: atomicList("IngressRule", "Host and path rules."),
    tls: atomicList("IngressTLS", "TLS termination settings."),
  }, { description: "The desired state of an ingress." }),
  [`${NET}IngressBackend`]: obj({
    resource: ref("io.k8s.api.core.v1.TypedLocalObjectReference", "An object backend."),
    service: net("IngressServiceBackend", "A service backend."),
  }, { description: "Where matching requests go." }),
  [`${NET}IngressServiceBackend`]: obj({
    name: str("Name of the service."),
    port: net("ServiceBackendPort", "Port of the service."),
  }, { description: "A service receiving requests.", required: ["name"] }),
  [`${NET}ServiceBackendPort`]: obj({
    name: str("Port name."),
    number: int32("Port number."),
  }, { description: "A service port, by name or number.", atomic: true }),
  [`${NET}IngressRule`]: obj({
    host: str("Host the rule applies to; wildcards like *.example.com are allowed."),
    http: net("HTTPIngressRuleValue", "HTTP paths."),
  }, { description: "Routing for one host." }),
  [`${NET}HTTPIngressRuleValue`]: obj({
    paths: atomicList("HTTPIngressPath", "Paths and their backends."),
  }, { description: "HTTP routing of a host.", required: ["paths"] }),
  [`${NET}HTTPIngressPath`]: obj({
    backend: net("IngressBackend", "Where matching requests go."),
    path: str("Path to match."),
    pathType: str("Exact, Prefix or ImplementationSpecific."),
  }, { description: "A path and its backend.", required: ["pathType", "backend"] }),
  [`${NET}IngressTLS`]: obj({
    hosts: strs("Hosts the certificate covers."),
    secretName: str("Secret holding the certificate and key."),
  }, { description: "TLS settings for hosts." }),
  [`${NET}IngressStatus`]: obj({
    loadBalancer: net("IngressLoadBalancerStatus", "Load balancer addresses."),
  }, { description: "The observed state of an ingress." }),
  [`${NET}IngressLoadBalancerStatus`]: obj({
    ingress: atomicList("IngressLoadBalancerIngress", "Ingress points."),
  }, { description: "Addresses of an ingress load balancer." }),
  [`${NET}IngressLoadBalancerIngress`]: obj({
    hostname: str("DNS name of the ingress point."),
    ip: str("IP of the ingress point."),
    ports: atomicList("IngressPortStatus", "Port states."),
  }, { description: "An ingress point." }),
  [`${NET}IngressPortStatus`]: obj({
    error: str("Problem with the port, if any."),
    port: int32("Port number."),
    protocol: str("TCP, UDP or SCTP."),
  }, { description: "State of an ingress port.", required: ["port", "protocol"] }),
  ...kindWithList(
    PKG,
    { ...v1, kind: "NetworkPolicy" },
    "Which traffic may reach and leave selected pods.",
    {
      spec: net("NetworkPolicySpec", "The policy."),
    },
  ),
  [`${NET}NetworkPolicySpec`]: obj({
    egress: atomicList("NetworkPolicyEgressRule", "Allowed outgoing traffic."),
    ingress: atomicList("NetworkPolicyIngressRule", "Allowed incoming traffic."),
    podSelector: ref(`${META}LabelSelector`, "Pods the policy applies to; empty selects all."),
    policyTypes: strs("Ingress, Egress or both."),
  }, { description: "The desired state of a network policy." }),
  [`${NET}NetworkPolicyIngressRule`]: obj({
    from: atomicList("NetworkPolicyPeer", "Sources allowed; all when empty."),
    ports: atomicList("NetworkPolicyPort", "Ports allowed; all when empty."),
  }, { description: "Allowed incoming traffic." }),
  [`${NET}NetworkPolicyEgressRule`]: obj({
    ports: atomicList("NetworkPolicyPort", "Ports allowed; all when empty."),
    to: atomicList("NetworkPolicyPeer", "Destinations allowed; all when empty."),
  }, { description: "Allowed outgoing traffic." }),
  [`${NET}NetworkPolicyPeer`]: obj({
    ipBlock: net("IPBlock", "An IP range."),
    namespaceSelector: ref(`${META}LabelSelector`, "Namespaces selected."),
    podSelector: ref(`${META}LabelSelector`, "Pods selected."),
  }, { description: "A traffic source or destination." }),
  [`${NET}IPBlock`]: obj({
    cidr: str("The range, e.g. 10.0.0.0/8."),
    except: strs("Ranges excluded."),
  }, { description: "An IP range.", required: ["cidr"] }),
  [`${NET}NetworkPolicyPort`]: obj({
    endPort: int32("Last port of a range starting at port."),
    port: intOrString("Port number or name."),
    protocol: str("TCP, UDP or SCTP."),
  }, { description: "A port and protocol." }),
};
