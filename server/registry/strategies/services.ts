/**
 * core/v1 Service: RFC 1035 names, upstream's defaults (type, protocol, targetPort, traffic
 * policies, IP families), port and type validation, a cluster IP that does not change, and the
 * Type/Cluster-IP/External-IP/Port(s) columns. IP and node port allocation is admission's job.
 *
 * @module
 */
import { fieldErrors } from "../../../kube/errors.ts";
import type { FieldError, KubeObject } from "../../../kube/types.ts";
import { dns1123Label, isValidPort, PORT_RANGE_DETAIL } from "../../../kube/validation/names.ts";
import {
  AGE_COLUMN,
  ageOf,
  asArray,
  column,
  formatLabelMap,
  isRecord,
  NAME_COLUMN,
} from "../printing.ts";
import type { ResourceStrategy } from "../types.ts";
import { stringProperty } from "../field_getters.ts";

type Dict = Record<string, unknown>;

const TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const AFFINITIES = ["ClientIP", "None"];

function defaultService(spec: Dict): void {
  spec.type ??= "ClusterIP";
  spec.sessionAffinity ??= "None";
  for (const port of asArray(spec.ports)) {
    if (!isRecord(port)) continue;
    port.protocol ??= "TCP";
    port.targetPort ??= port.port;
  }
  if (spec.type === "ExternalName") return;
  spec.internalTrafficPolicy ??= "Cluster";
  if (spec.type === "NodePort" || spec.type === "LoadBalancer") {
    spec.externalTrafficPolicy ??= "Cluster";
  }
  if (spec.type === "LoadBalancer") spec.allocateLoadBalancerNodePorts ??= true;
  spec.ipFamilyPolicy ??= "SingleStack";
  spec.ipFamilies ??= ["IPv4"];
}

function validatePorts(spec: Dict): FieldError[] {
  const errors: FieldError[] = [];
  const ports = asArray(spec.ports);
  const headless = spec.clusterIP === "None";
  if (ports.length === 0 && spec.type !== "ExternalName" && !headless) {
    errors.push(fieldErrors.required("spec.ports"));
  }
  const names = new Set<string>();
  const seen = new Set<string>();
  for (const [i, port] of ports.entries()) {
    const at = `spec.ports[${i}]`;
    if (!isRecord(port)) continue;
    if (ports.length > 1 && (typeof port.name !== "string" || port.name === "")) {
      errors.push(fieldErrors.required(`${at}.name`));
    } else if (typeof port.name === "string" && port.name !== "") {
      if (names.has(port.name)) errors.push(fieldErrors.duplicate(`${at}.name`, port.name));
      names.add(port.name);
      // Port names are RFC 1123 labels (kubectl's `80-8080` is valid), unlike service names.
      for (const detail of dns1123Label(port.name)) {
        errors.push(fieldErrors.invalid(`${at}.name`, port.name, detail));
      }
    }
    if (!isValidPort(port.port)) {
      errors.push(
        port.port === undefined
          ? fieldErrors.required(`${at}.port`)
          : fieldErrors.invalid(`${at}.port`, port.port, PORT_RANGE_DETAIL),
      );
    }
    if (!PROTOCOLS.includes(String(port.protocol))) {
      errors.push(fieldErrors.notSupported(`${at}.protocol`, port.protocol, PROTOCOLS));
    }
    const key = `${port.port}/${port.protocol}`;
    if (seen.has(key)) {
      errors.push(fieldErrors.duplicate(at, { port: port.port, protocol: port.protocol }));
    }
    seen.add(key);
    if (typeof port.targetPort === "number" && !isValidPort(port.targetPort)) {
      errors.push(fieldErrors.invalid(`${at}.targetPort`, port.targetPort, PORT_RANGE_DETAIL));
    }
    if (port.nodePort !== undefined && spec.type !== "NodePort" && spec.type !== "LoadBalancer") {
      errors.push(
        fieldErrors.forbidden(
          `${at}.nodePort`,
          `may not be used when \`type\` is '${spec.type}'`,
        ),
      );
    }
  }
  return errors;
}

function validateService(service: KubeObject): FieldError[] {
  const spec: Dict = service.spec ?? {};
  const errors: FieldError[] = [];
  if (!TYPES.includes(String(spec.type))) {
    errors.push(fieldErrors.notSupported("spec.type", spec.type, TYPES));
  }
  if (spec.type === "ExternalName") {
    if (typeof spec.externalName !== "string" || spec.externalName === "") {
      errors.push(fieldErrors.required("spec.externalName"));
    }
  }
  if (!AFFINITIES.includes(String(spec.sessionAffinity))) {
    errors.push(
      fieldErrors.notSupported("spec.sessionAffinity", spec.sessionAffinity, AFFINITIES),
    );
  }
  if (spec.selector !== undefined && !isRecord(spec.selector)) {
    errors.push(fieldErrors.invalid("spec.selector", spec.selector, "must be a map of labels"));
  }
  errors.push(...validatePorts(spec));
  return errors;
}

function externalIp(service: KubeObject): string {
  const spec: Dict = service.spec ?? {};
  if (spec.type === "ExternalName") return String(spec.externalName ?? "<none>");
  const ips = asArray(spec.externalIPs).map(String);
  if (spec.type === "LoadBalancer") {
    const ingress = asArray(service.status?.loadBalancer?.ingress).filter(isRecord);
    const lb = ingress.map((i) => String(i.ip ?? i.hostname ?? "")).filter(Boolean);
    const all = [...lb, ...ips];
    return all.length > 0 ? all.join(",") : "<pending>";
  }
  return ips.length > 0 ? ips.join(",") : "<none>";
}

function portsCell(service: KubeObject): string {
  const ports = asArray(service.spec?.ports).filter(isRecord);
  if (ports.length === 0) return "<none>";
  return ports.map((p) =>
    p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`
  ).join(",");
}

/** The Service strategy. */
export const SERVICE: ResourceStrategy = {
  nameRule: "dns1035Label",
  hasStatus: true,
  applyDefaults(service) {
    service.spec ??= {};
    defaultService(service.spec);
  },
  prepareForCreate(service) {
    service.status = { loadBalancer: {} };
  },
  validate: validateService,
  validateUpdate(service, old) {
    const before = old.spec?.clusterIP;
    const after = service.spec?.clusterIP;
    // Omitting the cluster IP keeps it (admission fills it in); changing it is not allowed.
    if (before && after !== undefined && after !== "" && after !== before) {
      return [
        fieldErrors.invalid("spec.clusterIPs[0]", [after], "may not change once set"),
      ];
    }
    return [];
  },
  columns: [
    NAME_COLUMN,
    column("Type", "string", "The type of the service."),
    column("Cluster-IP", "string", "The cluster IP of the service."),
    column("External-IP", "string", "The external IP of the service."),
    column("Port(s)", "string", "The ports of the service."),
    AGE_COLUMN,
    column(
      "Selector",
      "string",
      "Route service traffic to pods with label keys and values matching this selector.",
      true,
    ),
  ],
  row: (service, now) => [
    service.metadata.name,
    String(service.spec?.type ?? "ClusterIP"),
    String(service.spec?.clusterIP ?? "<none>"),
    externalIp(service),
    portsCell(service),
    ageOf(service, now),
    formatLabelMap(service.spec?.selector),
  ],
  fieldSelectors: {
    "spec.clusterIP": stringProperty("spec", "clusterIP"),
    "spec.type": stringProperty("spec", "type"),
  },
};
