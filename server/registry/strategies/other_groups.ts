/**
 * The smaller API groups: coordination (Lease), discovery (EndpointSlice), networking (Ingress,
 * NetworkPolicy), storage (StorageClass), RBAC (Role, ClusterRole and their bindings) and
 * events.k8s.io Events -- their upstream defaults, the checks clients meet most, the fields an
 * update may not change, and kubectl's columns.
 *
 * @module
 */
import { fieldErrors } from "../../../kube/errors.ts";
import type { FieldError, KubeObject } from "../../../kube/types.ts";
import {
  dns1035Label,
  dns1123Label,
  dns1123Subdomain,
  isValidPort,
  pathSegment,
  PORT_RANGE_DETAIL,
  portName,
  qualifiedName,
} from "../../../kube/validation/names.ts";
import {
  AGE_COLUMN,
  ageOf,
  asArray,
  column,
  formatLabelSelector,
  isRecord,
  NAME_COLUMN,
  numberOr,
  shortAge,
} from "../printing.ts";
import type { FieldGetter, ResourceStrategy } from "../types.ts";
import { EVENT_COLUMNS } from "./core.ts";
import { goInvalid, goQuote, goStringSlice } from "./go_values.ts";
import { child, semanticEqual, validateLabelSelector } from "./workloads.ts";

type Dict = Record<string, unknown>;

const RBAC_GROUP = "rbac.authorization.k8s.io";
const PROTOCOLS = ["TCP", "UDP", "SCTP"];

function specOf(obj: KubeObject): Dict {
  return isRecord(obj.spec) ? obj.spec : {};
}

function record(value: unknown): Dict {
  return isRecord(value) ? value : {};
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** Go's `net.ParseIP` of a dotted quad (leading zeros allowed, as its sloppy form). */
function isIPv4(value: string): boolean {
  const parts = value.split(".");
  return parts.length === 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
}

function isIPv6(value: string): boolean {
  if (!value.includes(":")) return false;
  try {
    new URL(`http://[${value}]/`);
    return true;
  } catch {
    return false;
  }
}

/** Lists at most three values, then how many more, as kubectl's `listWithMoreString`. */
function listWithMore(values: string[], emptyCell: string): string {
  const max = 3;
  if (values.length === 0) return emptyCell;
  const shown = values.slice(0, max).join(",");
  return values.length > max ? `${shown} + ${values.length - max} more...` : shown;
}

// ---------------------------------------------------------------------------------------------
// coordination.k8s.io/v1 Lease

/** The coordination.k8s.io/v1 Lease strategy. */
export const LEASE: ResourceStrategy = {
  validate(lease) {
    const spec = specOf(lease);
    const errors: FieldError[] = [];
    const duration = spec.leaseDurationSeconds;
    if (typeof duration === "number" && duration <= 0) {
      errors.push(
        fieldErrors.invalid("spec.leaseDurationSeconds", duration, "must be greater than 0"),
      );
    }
    const transitions = spec.leaseTransitions;
    if (typeof transitions === "number" && transitions < 0) {
      errors.push(
        fieldErrors.invalid(
          "spec.leaseTransitions",
          transitions,
          "must be greater than or equal to 0",
        ),
      );
    }
    return errors;
  },
  columns: [
    NAME_COLUMN,
    column(
      "Holder",
      "string",
      "holderIdentity contains the identity of the holder of a current lease.",
    ),
    AGE_COLUMN,
  ],
  row: (lease, now) => [lease.metadata.name, str(specOf(lease).holderIdentity), ageOf(lease, now)],
};

// ---------------------------------------------------------------------------------------------
// discovery.k8s.io/v1 EndpointSlice

const ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"];

function validateEndpointAddresses(slice: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  for (const [i, endpoint] of asArray(slice.endpoints).entries()) {
    const path = `endpoints[${i}].addresses`;
    const addresses = asArray(record(endpoint).addresses);
    if (addresses.length === 0) {
      errors.push(fieldErrors.required(path, "must contain at least 1 address"));
    }
    for (const [j, address] of addresses.entries()) {
      const value = String(address);
      if (slice.addressType === "IPv4" && !isIPv4(value)) {
        errors.push(fieldErrors.invalid(`${path}[${j}]`, address, "must be a valid IPv4 address"));
      } else if (slice.addressType === "IPv6" && !isIPv6(value)) {
        errors.push(fieldErrors.invalid(`${path}[${j}]`, address, "must be a valid IPv6 address"));
      }
    }
  }
  return errors;
}

function validateEndpointPorts(slice: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  for (const [i, port] of asArray(slice.ports).entries()) {
    const p = record(port);
    const path = `ports[${i}]`;
    if (typeof p.name === "string" && p.name !== "") {
      for (const detail of dns1123Label(p.name)) {
        errors.push(fieldErrors.invalid(`${path}.name`, p.name, detail));
      }
    }
    if (p.protocol === undefined || p.protocol === null) {
      errors.push(fieldErrors.required(`${path}.protocol`));
    } else if (!PROTOCOLS.includes(String(p.protocol))) {
      errors.push(
        fieldErrors.notSupported(`${path}.protocol`, p.protocol, ["SCTP", "TCP", "UDP"]),
      );
    }
  }
  return errors;
}

/** The discovery.k8s.io/v1 EndpointSlice strategy: an address type is fixed at creation. */
export const ENDPOINT_SLICE: ResourceStrategy = {
  applyDefaults(slice) {
    for (const port of asArray(slice.ports)) {
      if (!isRecord(port)) continue;
      port.name ??= "";
      port.protocol ??= "TCP";
    }
  },
  validate(slice) {
    const errors = [...validateEndpointAddresses(slice), ...validateEndpointPorts(slice)];
    const type = slice.addressType;
    if (type === undefined || type === null || type === "") {
      errors.push(fieldErrors.required("addressType"));
    } else if (!ADDRESS_TYPES.includes(String(type))) {
      errors.push(fieldErrors.notSupported("addressType", type, ADDRESS_TYPES));
    }
    return errors;
  },
  validateUpdate(slice, old) {
    return slice.addressType === old.addressType
      ? []
      : [fieldErrors.immutable("addressType", slice.addressType ?? "")];
  },
  columns: [
    NAME_COLUMN,
    column(
      "AddressType",
      "string",
      "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation.",
    ),
    column(
      "Ports",
      "string",
      "ports specifies the list of network ports exposed by each endpoint in this slice.",
    ),
    column(
      "Endpoints",
      "string",
      "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.",
    ),
    AGE_COLUMN,
  ],
  row(slice, now) {
    // A port without a number means every port; kubectl shows its name, or `*`.
    const ports = asArray(slice.ports).map((port) => {
      const p = record(port);
      if (typeof p.port === "number") return String(p.port);
      return typeof p.name === "string" ? p.name : "*";
    });
    const addresses = asArray(slice.endpoints).flatMap((e) => asArray(record(e).addresses))
      .map(String);
    return [
      slice.metadata.name,
      str(slice.addressType),
      listWithMore(ports, "<unset>"),
      listWithMore(addresses, "<unset>"),
      ageOf(slice, now),
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// networking.k8s.io/v1 Ingress

const PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"];
const INVALID_PATH_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_PATH_SUFFIXES = ["/..", "/."];
const WILDCARD_DETAIL = "a wildcard DNS-1123 subdomain must start with '*.', followed by a " +
  "valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' " +
  "and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is " +
  "'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

function validateIngressBackend(backend: unknown, path: string): FieldError[] {
  const b = record(backend);
  const hasService = isRecord(b.service);
  const hasResource = isRecord(b.resource);
  if (hasService && hasResource) {
    return [fieldErrors.invalid(path, "", "cannot set both resource and service backends")];
  }
  if (hasResource) {
    const resource = record(b.resource);
    const errors: FieldError[] = [];
    if (!resource.kind) errors.push(fieldErrors.required(`${path}.resource.kind`));
    if (!resource.name) errors.push(fieldErrors.required(`${path}.resource.name`));
    return errors;
  }
  if (!hasService) {
    return [fieldErrors.invalid(path, "", "resource or service backend is required")];
  }
  const service = record(b.service);
  const errors: FieldError[] = [];
  const name = str(service.name);
  if (name === "") errors.push(fieldErrors.required(`${path}.service.name`));
  for (const detail of name === "" ? [] : dns1035Label(name)) {
    errors.push(fieldErrors.invalid(`${path}.service.name`, name, detail));
  }
  const port = record(service.port);
  const portNameValue = str(port.name);
  const number = numberOr(port.number);
  if (portNameValue !== "" && number !== 0) {
    errors.push(fieldErrors.invalid(path, "", "cannot set both port name & port number"));
  } else if (portNameValue !== "") {
    for (const detail of portName(portNameValue)) {
      errors.push(fieldErrors.invalid(`${path}.service.port.name`, portNameValue, detail));
    }
  } else if (number !== 0) {
    if (!isValidPort(number)) {
      errors.push(fieldErrors.invalid(`${path}.service.port.number`, number, PORT_RANGE_DETAIL));
    }
  } else {
    errors.push(fieldErrors.required(path, "port name or number is required"));
  }
  return errors;
}

/** One `http.paths[]` entry: its type decides what a path may look like. */
function validateIngressPath(entry: unknown, path: string): FieldError[] {
  const p = record(entry);
  if (p.pathType === undefined || p.pathType === null) {
    return [fieldErrors.required(`${path}.pathType`, "pathType must be specified")];
  }
  const errors: FieldError[] = [];
  const value = str(p.path);
  switch (p.pathType) {
    case "Exact":
    case "Prefix":
      if (!value.startsWith("/")) {
        errors.push(fieldErrors.invalid(`${path}.path`, value, "must be an absolute path"));
      }
      for (const seq of INVALID_PATH_SEQUENCES) {
        if (value.includes(seq)) {
          errors.push(fieldErrors.invalid(`${path}.path`, value, `must not contain '${seq}'`));
        }
      }
      for (const suffix of INVALID_PATH_SUFFIXES) {
        if (value.endsWith(suffix)) {
          errors.push(fieldErrors.invalid(`${path}.path`, value, `cannot end with '${suffix}'`));
        }
      }
      break;
    case "ImplementationSpecific":
      if (value !== "" && !value.startsWith("/")) {
        errors.push(fieldErrors.invalid(`${path}.path`, value, "must be an absolute path"));
      }
      break;
    default:
      errors.push(fieldErrors.notSupported(`${path}.pathType`, p.pathType, PATH_TYPES));
  }
  errors.push(...validateIngressBackend(p.backend, `${path}.backend`));
  return errors;
}

function validateIngressHost(host: string, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (isIPv4(host) || isIPv6(host)) {
    errors.push(fieldErrors.invalid(path, host, "must be a DNS name, not an IP address"));
  }
  if (host.includes("*")) {
    const rest = host.startsWith("*.") ? host.slice(2) : "";
    if (rest === "" || dns1123Subdomain(rest).length > 0) {
      errors.push(fieldErrors.invalid(path, host, WILDCARD_DETAIL));
    }
    return errors;
  }
  for (const detail of dns1123Subdomain(host)) errors.push(fieldErrors.invalid(path, host, detail));
  return errors;
}

function validateIngress(ingress: KubeObject): FieldError[] {
  const spec = specOf(ingress);
  const errors: FieldError[] = [];
  const rules = asArray(spec.rules);
  if (rules.length === 0 && !isRecord(spec.defaultBackend)) {
    const rendered = Array.isArray(spec.rules)
      ? "[]networking.IngressRule{}"
      : "[]networking.IngressRule(nil)";
    errors.push(
      goInvalid("spec", rendered, "either `defaultBackend` or `rules` must be specified"),
    );
  }
  if (isRecord(spec.defaultBackend)) {
    errors.push(...validateIngressBackend(spec.defaultBackend, "spec.defaultBackend"));
  }
  for (const [i, rule] of rules.entries()) {
    const r = record(rule);
    const path = `spec.rules[${i}]`;
    if (typeof r.host === "string" && r.host !== "") {
      errors.push(...validateIngressHost(r.host, `${path}.host`));
    }
    if (!isRecord(r.http)) continue;
    const paths = asArray(r.http.paths);
    if (paths.length === 0) errors.push(fieldErrors.required(`${path}.http.paths`));
    for (const [j, entry] of paths.entries()) {
      errors.push(...validateIngressPath(entry, `${path}.http.paths[${j}]`));
    }
  }
  if (typeof spec.ingressClassName === "string") {
    for (const detail of dns1123Subdomain(spec.ingressClassName)) {
      errors.push(fieldErrors.invalid("spec.ingressClassName", spec.ingressClassName, detail));
    }
  }
  return errors;
}

/** Rule hosts, at most three then a count, or `*` when no rule names one. */
function ingressHostsCell(rules: unknown[]): string {
  const max = 3;
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (hosts.length === max) more = true;
    const host = str(record(rule).host);
    if (!more && host !== "") hosts.push(host);
  }
  if (hosts.length === 0) return "*";
  return more ? `${hosts.join(",")} + ${rules.length - max} more...` : hosts.join(",");
}

/** The load balancer's IPs or hostnames, sorted and unique (server tables are always wide). */
function ingressAddressCell(ingress: KubeObject): string {
  const loadBalancer = record(record(ingress.status).loadBalancer);
  const addresses = new Set<string>();
  for (const entry of asArray(loadBalancer.ingress)) {
    const e = record(entry);
    if (str(e.ip) !== "") addresses.add(str(e.ip));
    else if (str(e.hostname) !== "") addresses.add(str(e.hostname));
  }
  return [...addresses].sort().join(",");
}

/** The networking.k8s.io/v1 Ingress strategy. */
export const INGRESS: ResourceStrategy = {
  hasStatus: true,
  prepareForCreate(ingress) {
    ingress.status = { loadBalancer: {} };
  },
  validate: validateIngress,
  columns: [
    NAME_COLUMN,
    column(
      "Class",
      "string",
      "The name of the IngressClass resource that should be used for additional configuration",
    ),
    column(
      "Hosts",
      "string",
      "Hosts that incoming requests are matched against before the ingress rule",
    ),
    column(
      "Address",
      "string",
      "Address is a list containing ingress points for the load-balancer",
    ),
    column("Ports", "string", "Ports of TLS configurations that open"),
    AGE_COLUMN,
  ],
  row(ingress, now) {
    const spec = specOf(ingress);
    return [
      ingress.metadata.name,
      typeof spec.ingressClassName === "string" ? spec.ingressClassName : "<none>",
      ingressHostsCell(asArray(spec.rules)),
      ingressAddressCell(ingress),
      asArray(spec.tls).length > 0 ? "80, 443" : "80",
      ageOf(ingress, now),
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// networking.k8s.io/v1 NetworkPolicy

const POLICY_TYPES = ["Ingress", "Egress"];

function validatePolicyPort(port: unknown, path: string): FieldError[] {
  const p = record(port);
  const errors: FieldError[] = [];
  if (p.protocol !== undefined && !PROTOCOLS.includes(String(p.protocol))) {
    errors.push(fieldErrors.notSupported(`${path}.protocol`, p.protocol, PROTOCOLS));
  }
  if (typeof p.port === "number") {
    if (!isValidPort(p.port)) {
      errors.push(fieldErrors.invalid(`${path}.port`, p.port, PORT_RANGE_DETAIL));
    }
    if (typeof p.endPort === "number" && p.endPort < p.port) {
      errors.push(
        fieldErrors.invalid(
          `${path}.endPort`,
          p.endPort,
          "must be greater than or equal to `port`",
        ),
      );
    }
  } else if (typeof p.port === "string") {
    for (const detail of portName(p.port)) {
      errors.push(fieldErrors.invalid(`${path}.port`, p.port, detail));
    }
    if (p.endPort !== undefined) {
      errors.push(
        fieldErrors.invalid(
          `${path}.endPort`,
          p.endPort,
          "may not be specified when `port` is non-numeric",
        ),
      );
    }
  } else if (p.endPort !== undefined) {
    errors.push(
      fieldErrors.required(`${path}.port`, "must be specified when `endPort` is specified"),
    );
  }
  return errors;
}

function validatePolicyPeer(peer: unknown, path: string): FieldError[] {
  const p = record(peer);
  const errors: FieldError[] = [];
  let peers = 0;
  for (const key of ["podSelector", "namespaceSelector"]) {
    if (!isRecord(p[key])) continue;
    peers++;
    errors.push(...validateLabelSelector(p[key], `${path}.${key}`));
  }
  if (isRecord(p.ipBlock)) {
    peers++;
    if (!str(p.ipBlock.cidr)) errors.push(fieldErrors.required(`${path}.ipBlock.cidr`));
  }
  if (peers === 0) errors.push(fieldErrors.required(path, "must specify a peer"));
  else if (peers > 1 && isRecord(p.ipBlock)) {
    errors.push(fieldErrors.forbidden(path, "may not specify both ipBlock and another peer"));
  }
  return errors;
}

function validateNetworkPolicy(policy: KubeObject): FieldError[] {
  const spec = specOf(policy);
  const errors = validateLabelSelector(spec.podSelector, "spec.podSelector");
  for (const [direction, peerKey] of [["ingress", "from"], ["egress", "to"]]) {
    for (const [i, rule] of asArray(spec[direction]).entries()) {
      const r = record(rule);
      const path = `spec.${direction}[${i}]`;
      for (const [j, port] of asArray(r.ports).entries()) {
        errors.push(...validatePolicyPort(port, `${path}.ports[${j}]`));
      }
      for (const [j, peer] of asArray(r[peerKey]).entries()) {
        errors.push(...validatePolicyPeer(peer, `${path}.${peerKey}[${j}]`));
      }
    }
  }
  const types = asArray(spec.policyTypes);
  if (types.length > POLICY_TYPES.length) {
    errors.push(
      fieldErrors.invalid("spec.policyTypes", types, "may not specify more than two policyTypes"),
    );
  } else {
    for (const [i, type] of types.entries()) {
      if (!POLICY_TYPES.includes(String(type))) {
        errors.push(fieldErrors.notSupported(`spec.policyTypes[${i}]`, type, POLICY_TYPES));
      }
    }
  }
  return errors;
}

/** The networking.k8s.io/v1 NetworkPolicy strategy. */
export const NETWORK_POLICY: ResourceStrategy = {
  applyDefaults(policy) {
    const spec = child(policy, "spec");
    // A policy without types isolates ingress, and egress too once it has egress rules.
    if (asArray(spec.policyTypes).length === 0) {
      spec.policyTypes = asArray(spec.egress).length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
    }
    for (const direction of ["ingress", "egress"]) {
      for (const rule of asArray(spec[direction])) {
        for (const port of asArray(record(rule).ports)) {
          if (isRecord(port)) port.protocol ??= "TCP";
        }
      }
    }
  },
  validate: validateNetworkPolicy,
  columns: [
    NAME_COLUMN,
    column(
      "Pod-Selector",
      "string",
      "Selects the pods to which this NetworkPolicy object applies. An empty podSelector selects all pods in this namespace.",
    ),
    AGE_COLUMN,
  ],
  row: (policy, now) => [
    policy.metadata.name,
    formatLabelSelector(specOf(policy).podSelector ?? {}),
    ageOf(policy, now),
  ],
};

// ---------------------------------------------------------------------------------------------
// storage.k8s.io/v1 StorageClass

const RECLAIM_POLICIES = ["Delete", "Retain"];
const VOLUME_BINDING_MODES = ["Immediate", "WaitForFirstConsumer"];
const DEFAULT_CLASS_ANNOTATIONS = [
  "storageclass.kubernetes.io/is-default-class",
  "storageclass.beta.kubernetes.io/is-default-class",
];
/** Upstream's caps on provisioner parameters. */
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_BYTES = 256 * 1024;

function validateStorageClass(sc: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  const provisioner = str(sc.provisioner);
  if (provisioner === "") errors.push(fieldErrors.required("provisioner"));
  else {
    for (const detail of qualifiedName(provisioner.toLowerCase())) {
      errors.push(fieldErrors.invalid("provisioner", provisioner, detail));
    }
  }
  const parameters = record(sc.parameters);
  const keys = Object.keys(parameters);
  if (keys.length > MAX_PARAMETERS) {
    errors.push(fieldErrors.tooLong("parameters", MAX_PARAMETERS));
  } else {
    let size = 0;
    for (const key of keys) {
      if (key === "") {
        errors.push(fieldErrors.invalid("parameters", key, "field can not be empty."));
      }
      size += key.length + str(parameters[key]).length;
    }
    if (size > MAX_PARAMETERS_BYTES) {
      errors.push(fieldErrors.tooLong("parameters", MAX_PARAMETERS_BYTES));
    }
  }
  if (sc.reclaimPolicy && !RECLAIM_POLICIES.includes(String(sc.reclaimPolicy))) {
    errors.push(fieldErrors.notSupported("reclaimPolicy", sc.reclaimPolicy, RECLAIM_POLICIES));
  }
  if (sc.volumeBindingMode === undefined || sc.volumeBindingMode === null) {
    errors.push(fieldErrors.required("volumeBindingMode"));
  } else if (!VOLUME_BINDING_MODES.includes(String(sc.volumeBindingMode))) {
    errors.push(
      fieldErrors.notSupported("volumeBindingMode", sc.volumeBindingMode, VOLUME_BINDING_MODES),
    );
  }
  return errors;
}

/** Volumes already provisioned from a class depend on how it provisioned them. */
function validateStorageClassUpdate(sc: KubeObject, old: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  if (!semanticEqual(sc.parameters, old.parameters)) {
    errors.push(fieldErrors.forbidden("parameters", "updates to parameters are forbidden."));
  }
  if (sc.provisioner !== old.provisioner) {
    errors.push(fieldErrors.forbidden("provisioner", "updates to provisioner are forbidden."));
  }
  if (sc.reclaimPolicy !== old.reclaimPolicy) {
    errors.push(fieldErrors.forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
  }
  if (sc.volumeBindingMode !== old.volumeBindingMode) {
    errors.push(fieldErrors.immutable("volumeBindingMode", sc.volumeBindingMode ?? null));
  }
  return errors;
}

/** The storage.k8s.io/v1 StorageClass strategy. */
export const STORAGE_CLASS: ResourceStrategy = {
  applyDefaults(sc) {
    sc.reclaimPolicy ??= "Delete";
    sc.volumeBindingMode ??= "Immediate";
  },
  validate: validateStorageClass,
  validateUpdate: validateStorageClassUpdate,
  columns: [
    NAME_COLUMN,
    column("Provisioner", "string", "provisioner indicates the type of the provisioner."),
    column(
      "ReclaimPolicy",
      "string",
      "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.",
    ),
    column(
      "VolumeBindingMode",
      "string",
      "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used.",
    ),
    column(
      "AllowVolumeExpansion",
      "string",
      "allowVolumeExpansion shows whether the storage class allow volume expand.",
    ),
    AGE_COLUMN,
  ],
  row(sc, now) {
    const annotations = sc.metadata.annotations ?? {};
    const isDefault = DEFAULT_CLASS_ANNOTATIONS.some((key) => annotations[key] === "true");
    return [
      isDefault ? `${sc.metadata.name} (default)` : sc.metadata.name,
      str(sc.provisioner),
      str(sc.reclaimPolicy) || "Delete",
      str(sc.volumeBindingMode) || "Immediate",
      sc.allowVolumeExpansion === true,
      ageOf(sc, now),
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// rbac.authorization.k8s.io/v1

/** One policy rule: verbs always, and either resources or non-resource URLs. */
function validatePolicyRule(rule: unknown, path: string, namespaced: boolean): FieldError[] {
  const r = record(rule);
  const errors: FieldError[] = [];
  if (asArray(r.verbs).length === 0) {
    errors.push(fieldErrors.required(`${path}.verbs`, "verbs must contain at least one value"));
  }
  const urls = asArray(r.nonResourceURLs);
  if (urls.length > 0) {
    const rendered = goStringSlice(urls);
    if (namespaced) {
      errors.push(
        goInvalid(
          `${path}.nonResourceURLs`,
          rendered,
          "namespaced rules cannot apply to non-resource URLs",
        ),
      );
    }
    const resourceKeys = ["apiGroups", "resources", "resourceNames"];
    if (resourceKeys.some((key) => asArray(r[key]).length > 0)) {
      errors.push(
        goInvalid(
          `${path}.nonResourceURLs`,
          rendered,
          "rules cannot apply to both regular resources and non-resource URLs",
        ),
      );
    }
    return errors;
  }
  if (asArray(r.apiGroups).length === 0) {
    errors.push(
      fieldErrors.required(
        `${path}.apiGroups`,
        "resource rules must supply at least one api group",
      ),
    );
  }
  if (asArray(r.resources).length === 0) {
    errors.push(
      fieldErrors.required(`${path}.resources`, "resource rules must supply at least one resource"),
    );
  }
  return errors;
}

function validateRules(obj: KubeObject, namespaced: boolean): FieldError[] {
  return asArray(obj.rules).flatMap((rule, i) =>
    validatePolicyRule(rule, `rules[${i}]`, namespaced)
  );
}

/** kubectl's Created At cell: the creation time in RFC 3339, UTC, whole seconds. */
function createdAtCell(obj: KubeObject): string {
  const time = Date.parse(obj.metadata.creationTimestamp ?? "");
  return Number.isNaN(time) ? "" : new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z");
}

const ROLE_COLUMNS = [
  NAME_COLUMN,
  column("Created At", "date", AGE_COLUMN.description),
];

/** The rbac.authorization.k8s.io/v1 Role strategy. */
export const ROLE: ResourceStrategy = {
  nameRule: "pathSegment",
  validate: (role) => validateRules(role, true),
  columns: ROLE_COLUMNS,
  row: (role) => [role.metadata.name, createdAtCell(role)],
};

/** The rbac.authorization.k8s.io/v1 ClusterRole strategy. */
export const CLUSTER_ROLE: ResourceStrategy = {
  nameRule: "pathSegment",
  validate(role) {
    const errors = validateRules(role, false);
    if (isRecord(role.aggregationRule)) {
      const path = "aggregationRule.clusterRoleSelectors";
      const selectors = asArray(role.aggregationRule.clusterRoleSelectors);
      if (selectors.length === 0) {
        errors.push(
          fieldErrors.required(
            path,
            "at least one clusterRoleSelector required if aggregationRule is non-nil",
          ),
        );
      }
      for (const [i, selector] of selectors.entries()) {
        errors.push(...validateLabelSelector(selector, `${path}[${i}]`));
      }
    }
    return errors;
  },
  columns: ROLE_COLUMNS,
  row: (role) => [role.metadata.name, createdAtCell(role)],
};

/** Subjects' API groups and the role reference's group default as upstream's rbac/v1. */
function defaultBinding(binding: KubeObject): void {
  const roleRef = child(binding, "roleRef");
  if (!roleRef.apiGroup) roleRef.apiGroup = RBAC_GROUP;
  for (const subject of asArray(binding.subjects)) {
    if (!isRecord(subject) || subject.apiGroup) continue;
    if (subject.kind === "ServiceAccount") subject.apiGroup = "";
    else if (subject.kind === "User" || subject.kind === "Group") subject.apiGroup = RBAC_GROUP;
  }
}

function validateSubject(subject: unknown, path: string, namespaced: boolean): FieldError[] {
  const s = record(subject);
  const errors: FieldError[] = [];
  const name = str(s.name);
  if (name === "") errors.push(fieldErrors.required(`${path}.name`));
  const apiGroup = str(s.apiGroup);
  switch (s.kind) {
    case "ServiceAccount":
      for (const detail of name === "" ? [] : dns1123Subdomain(name)) {
        errors.push(fieldErrors.invalid(`${path}.name`, name, detail));
      }
      if (apiGroup !== "") {
        errors.push(fieldErrors.notSupported(`${path}.apiGroup`, apiGroup, [""]));
      }
      if (!namespaced && !str(s.namespace)) errors.push(fieldErrors.required(`${path}.namespace`));
      break;
    case "User":
    case "Group":
      if (apiGroup !== RBAC_GROUP) {
        errors.push(fieldErrors.notSupported(`${path}.apiGroup`, apiGroup, [RBAC_GROUP]));
      }
      break;
    default:
      errors.push(
        fieldErrors.notSupported(`${path}.kind`, s.kind ?? "", ["ServiceAccount", "User", "Group"]),
      );
  }
  return errors;
}

function validateBinding(binding: KubeObject, roleKinds: string[], namespaced: boolean) {
  const roleRef = record(binding.roleRef);
  const errors: FieldError[] = [];
  if (roleRef.apiGroup !== RBAC_GROUP) {
    errors.push(fieldErrors.notSupported("roleRef.apiGroup", roleRef.apiGroup ?? "", [RBAC_GROUP]));
  }
  if (!roleKinds.includes(String(roleRef.kind))) {
    errors.push(fieldErrors.notSupported("roleRef.kind", roleRef.kind ?? "", roleKinds));
  }
  const name = str(roleRef.name);
  if (name === "") errors.push(fieldErrors.required("roleRef.name"));
  for (const detail of name === "" ? [] : pathSegment(name)) {
    errors.push(fieldErrors.invalid("roleRef.name", name, detail));
  }
  for (const [i, subject] of asArray(binding.subjects).entries()) {
    errors.push(...validateSubject(subject, `subjects[${i}]`, namespaced));
  }
  return errors;
}

/** A binding grants one role for its whole life; pointing it elsewhere needs a new binding. */
function validateRoleRefUnchanged(binding: KubeObject, old: KubeObject): FieldError[] {
  const ref = record(binding.roleRef);
  const oldRef = record(old.roleRef);
  const same = ["apiGroup", "kind", "name"].every((key) => ref[key] === oldRef[key]);
  if (same) return [];
  const rendered = `rbac.RoleRef{APIGroup:${goQuote(ref.apiGroup)}, Kind:${
    goQuote(ref.kind)
  }, Name:${goQuote(ref.name)}}`;
  return [goInvalid("roleRef", rendered, "cannot change roleRef")];
}

/** `Kind/name` of the role; then users, groups and `namespace/name` service accounts. */
function bindingRow(binding: KubeObject, now: number): unknown[] {
  const roleRef = record(binding.roleRef);
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const subject of asArray(binding.subjects)) {
    const s = record(subject);
    if (s.kind === "ServiceAccount") serviceAccounts.push(`${str(s.namespace)}/${str(s.name)}`);
    else if (s.kind === "User") users.push(str(s.name));
    else if (s.kind === "Group") groups.push(str(s.name));
  }
  return [
    binding.metadata.name,
    `${str(roleRef.kind)}/${str(roleRef.name)}`,
    ageOf(binding, now),
    users.join(", "),
    groups.join(", "),
    serviceAccounts.join(", "),
  ];
}

function bindingColumns(roleDetail: string, kind: string) {
  return [
    NAME_COLUMN,
    column("Role", "string", roleDetail),
    AGE_COLUMN,
    column("Users", "string", `Users in the ${kind}`, true),
    column("Groups", "string", `Groups in the ${kind}`, true),
    column("ServiceAccounts", "string", `ServiceAccounts in the ${kind}`, true),
  ];
}

/** The rbac.authorization.k8s.io/v1 RoleBinding strategy. */
export const ROLE_BINDING: ResourceStrategy = {
  nameRule: "pathSegment",
  applyDefaults: defaultBinding,
  validate: (binding) => validateBinding(binding, ["Role", "ClusterRole"], true),
  validateUpdate: validateRoleRefUnchanged,
  columns: bindingColumns(
    "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
    "roleBinding",
  ),
  row: bindingRow,
};

/** The rbac.authorization.k8s.io/v1 ClusterRoleBinding strategy. */
export const CLUSTER_ROLE_BINDING: ResourceStrategy = {
  nameRule: "pathSegment",
  applyDefaults: defaultBinding,
  validate: (binding) => validateBinding(binding, ["ClusterRole"], false),
  validateUpdate: validateRoleRefUnchanged,
  columns: bindingColumns(
    "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
    "clusterrolebinding",
  ),
  row: bindingRow,
};

// ---------------------------------------------------------------------------------------------
// events.k8s.io/v1 Event

function regarding(event: KubeObject, key: string): string {
  const ref = record(event.regarding);
  return ref[key] === undefined || ref[key] === null ? "" : String(ref[key]);
}

/**
 * The core Event columns over the events.k8s.io field names: upstream serves both versions
 * from one internal type and one printer (`regarding` is `involvedObject`, `note` is
 * `message`, the `deprecated*` fields are the old counters and timestamps).
 */
function eventsRow(event: KubeObject, now: number): unknown[] {
  const age = (time: unknown) => shortAge(typeof time === "string" ? time : undefined, now);
  const first = event.deprecatedFirstTimestamp
    ? age(event.deprecatedFirstTimestamp)
    : age(event.eventTime);
  let last = event.deprecatedLastTimestamp ? age(event.deprecatedLastTimestamp) : first;
  let count = numberOr(event.deprecatedCount);
  if (isRecord(event.series)) {
    last = age(event.series.lastObservedTime);
    count = numberOr(event.series.count);
  } else if (count === 0) {
    // Singleton events of the new API carry no count.
    count = 1;
  }
  const kind = regarding(event, "kind").toLowerCase();
  const name = regarding(event, "name");
  const source = record(event.deprecatedSource);
  const component = str(source.component) || str(event.reportingController);
  const instance = str(source.host) || str(event.reportingInstance);
  return [
    last,
    str(event.type),
    str(event.reason),
    name ? `${kind}/${name}` : kind,
    regarding(event, "fieldPath"),
    instance ? `${component}, ${instance}` : component,
    str(event.note).trim(),
    first,
    count,
    event.metadata.name,
  ];
}

/** events.k8s.io's field selectors, as upstream maps them onto the core Event fields. */
const EVENTS_FIELD_SELECTORS: Record<string, FieldGetter> = {
  "regarding.kind": (e) => regarding(e, "kind"),
  "regarding.namespace": (e) => regarding(e, "namespace"),
  "regarding.name": (e) => regarding(e, "name"),
  "regarding.uid": (e) => regarding(e, "uid"),
  "regarding.apiVersion": (e) => regarding(e, "apiVersion"),
  "regarding.resourceVersion": (e) => regarding(e, "resourceVersion"),
  "regarding.fieldPath": (e) => regarding(e, "fieldPath"),
  reason: (e) => str(e.reason),
  reportingController: (e) => str(e.reportingController),
  type: (e) => str(e.type),
};

/** The events.k8s.io/v1 Event strategy. */
export const EVENTS_K8S_EVENT: ResourceStrategy = {
  columns: EVENT_COLUMNS,
  row: eventsRow,
  fieldSelectors: EVENTS_FIELD_SELECTORS,
};
