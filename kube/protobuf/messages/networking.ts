/**
 * Protobuf descriptors for networking.k8s.io/v1: Ingress.
 *
 * Field numbers are those of the k8s.io/api and apimachinery `generated.proto` files as built into
 * kubectl 1.32; JSON names and flags follow the Go types' `json` tags (see `schema.ts`).
 *
 * @module
 */
import type { MessageTable } from "../schema.ts";

/** Networking.k8s.io/v1: Ingress. */
export const NETWORKING: MessageTable = {
  "networking.Ingress": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "networking.IngressSpec"],
    3: ["status", "networking.IngressStatus"],
  },
  "networking.IngressSpec": {
    4: ["ingressClassName", "string", "ptr"],
    1: ["defaultBackend", "networking.IngressBackend", "ptr"],
    2: ["tls", "networking.IngressTLS", "rep"],
    3: ["rules", "networking.IngressRule", "rep"],
  },
  "networking.IngressBackend": {
    4: ["service", "networking.IngressServiceBackend", "ptr"],
    3: ["resource", "core.TypedLocalObjectReference", "ptr"],
  },
  "networking.IngressServiceBackend": {
    1: ["name", "string", "keep"],
    2: ["port", "networking.ServiceBackendPort"],
  },
  "networking.ServiceBackendPort": {
    1: ["name", "string"],
    2: ["number", "int32"],
  },
  "networking.IngressTLS": {
    1: ["hosts", "string", "rep"],
    2: ["secretName", "string"],
  },
  "networking.IngressRule": {
    1: ["host", "string"],
    2: ["", "networking.IngressRuleValue", "inline"],
  },
  "networking.IngressRuleValue": {
    1: ["http", "networking.HTTPIngressRuleValue", "ptr"],
  },
  "networking.HTTPIngressRuleValue": {
    1: ["paths", "networking.HTTPIngressPath", "rep"],
  },
  "networking.HTTPIngressPath": {
    1: ["path", "string"],
    3: ["pathType", "string", "ptr"],
    2: ["backend", "networking.IngressBackend"],
  },
  "networking.IngressStatus": {
    1: ["loadBalancer", "networking.IngressLoadBalancerStatus"],
  },
  "networking.IngressLoadBalancerStatus": {
    1: ["ingress", "networking.IngressLoadBalancerIngress", "rep"],
  },
  "networking.IngressLoadBalancerIngress": {
    1: ["ip", "string"],
    2: ["hostname", "string"],
    4: ["ports", "networking.IngressPortStatus", "rep"],
  },
  "networking.IngressPortStatus": {
    1: ["port", "int32", "keep"],
    2: ["protocol", "string", "keep"],
    3: ["error", "string", "ptr"],
  },
};
