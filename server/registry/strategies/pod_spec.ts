/**
 * Defaults and validation of a PodSpec, shared by pods and every pod template (deployments,
 * replica sets, daemon sets, stateful sets, jobs, cron jobs), as upstream's `SetDefaults_PodSpec`
 * and `ValidatePodSpec` are.
 *
 * @module
 */
import { fieldErrors } from "../../../kube/errors.ts";
import type { FieldError } from "../../../kube/types.ts";
import {
  dns1123Label,
  envVarName,
  isValidPort,
  PORT_RANGE_DETAIL,
  portName,
} from "../../../kube/validation/names.ts";
import { asArray, isRecord } from "../printing.ts";

type Dict = Record<string, unknown>;

const RESTART_POLICIES = ["Always", "OnFailure", "Never"];
const DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];
const PROTOCOLS = ["TCP", "UDP", "SCTP"];
const CONTAINER_LISTS = ["initContainers", "containers"] as const;

/** Sets the fields upstream defaults on a PodSpec. */
export function defaultPodSpec(spec: Dict): void {
  spec.restartPolicy ??= "Always";
  spec.dnsPolicy ??= "ClusterFirst";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= "default-scheduler";
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  for (const list of CONTAINER_LISTS) {
    for (const container of asArray(spec[list])) {
      if (isRecord(container)) defaultContainer(container);
    }
  }
  for (const volume of asArray(spec.volumes)) {
    if (!isRecord(volume)) continue;
    for (const source of ["secret", "configMap", "projected", "downwardAPI"]) {
      if (isRecord(volume[source])) volume[source].defaultMode ??= 420;
    }
  }
}

function defaultContainer(container: Dict): void {
  container.terminationMessagePath ??= "/dev/termination-log";
  container.terminationMessagePolicy ??= "File";
  container.imagePullPolicy ??= defaultPullPolicy(container.image);
  container.resources ??= {};
  for (const port of asArray(container.ports)) {
    if (isRecord(port)) port.protocol ??= "TCP";
  }
  for (const env of asArray(container.env)) {
    if (isRecord(env) && isRecord(env.valueFrom) && isRecord(env.valueFrom.fieldRef)) {
      env.valueFrom.fieldRef.apiVersion ??= "v1";
    }
  }
  for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
    const p = container[probe];
    if (!isRecord(p)) continue;
    p.timeoutSeconds ??= 1;
    p.periodSeconds ??= 10;
    p.successThreshold ??= 1;
    p.failureThreshold ??= 3;
    if (isRecord(p.httpGet)) p.httpGet.scheme ??= "HTTP";
  }
}

/** `Always` for `:latest` or untagged images, else `IfNotPresent`, as upstream. */
function defaultPullPolicy(image: unknown): string {
  if (typeof image !== "string") return "IfNotPresent";
  if (image.includes("@")) return "IfNotPresent";
  const lastPart = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastPart.lastIndexOf(":");
  if (colon < 0 || lastPart.slice(colon + 1) === "latest") return "Always";
  return "IfNotPresent";
}

/** Errors of a PodSpec at `path` (e.g. `spec` or `spec.template.spec`). */
export function validatePodSpec(spec: unknown, path: string): FieldError[] {
  if (!isRecord(spec)) return [fieldErrors.required(path)];
  const errors: FieldError[] = [];
  const containers = asArray(spec.containers);
  if (containers.length === 0) errors.push(fieldErrors.required(`${path}.containers`));
  const names = new Set<string>();
  const volumeNames = new Set<string>();
  for (const [i, volume] of asArray(spec.volumes).entries()) {
    const at = `${path}.volumes[${i}].name`;
    const name = isRecord(volume) ? volume.name : undefined;
    if (typeof name !== "string" || name === "") errors.push(fieldErrors.required(at));
    else if (volumeNames.has(name)) errors.push(fieldErrors.duplicate(at, name));
    else {
      volumeNames.add(name);
      for (const detail of dns1123Label(name)) errors.push(fieldErrors.invalid(at, name, detail));
    }
  }
  for (const list of CONTAINER_LISTS) {
    for (const [i, container] of asArray(spec[list]).entries()) {
      errors.push(...validateContainer(container, `${path}.${list}[${i}]`, names, volumeNames));
    }
  }
  if (spec.restartPolicy !== undefined && !RESTART_POLICIES.includes(String(spec.restartPolicy))) {
    errors.push(
      fieldErrors.notSupported(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES),
    );
  }
  if (spec.dnsPolicy !== undefined && !DNS_POLICIES.includes(String(spec.dnsPolicy))) {
    errors.push(fieldErrors.notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  }
  const grace = spec.terminationGracePeriodSeconds;
  if (grace !== undefined && (!Number.isInteger(grace) || (grace as number) < 0)) {
    errors.push(
      fieldErrors.invalid(
        `${path}.terminationGracePeriodSeconds`,
        grace,
        "must be greater than or equal to 0",
      ),
    );
  }
  const deadline = spec.activeDeadlineSeconds;
  if (deadline !== undefined && (!Number.isInteger(deadline) || (deadline as number) <= 0)) {
    errors.push(
      fieldErrors.invalid(`${path}.activeDeadlineSeconds`, deadline, "must be greater than 0"),
    );
  }
  if (typeof spec.hostname === "string") {
    for (const detail of dns1123Label(spec.hostname)) {
      errors.push(fieldErrors.invalid(`${path}.hostname`, spec.hostname, detail));
    }
  }
  return errors;
}

function validateContainer(
  container: unknown,
  path: string,
  names: Set<string>,
  volumeNames: Set<string>,
): FieldError[] {
  if (!isRecord(container)) return [fieldErrors.required(path)];
  const errors: FieldError[] = [];
  const name = container.name;
  if (typeof name !== "string" || name === "") errors.push(fieldErrors.required(`${path}.name`));
  else if (names.has(name)) errors.push(fieldErrors.duplicate(`${path}.name`, name));
  else {
    names.add(name);
    for (const detail of dns1123Label(name)) {
      errors.push(fieldErrors.invalid(`${path}.name`, name, detail));
    }
  }
  if (typeof container.image !== "string" || container.image.trim() === "") {
    errors.push(fieldErrors.required(`${path}.image`));
  }
  const pull = container.imagePullPolicy;
  if (pull !== undefined && !PULL_POLICIES.includes(String(pull))) {
    errors.push(fieldErrors.notSupported(`${path}.imagePullPolicy`, pull, PULL_POLICIES));
  }
  const portNames = new Set<string>();
  for (const [i, port] of asArray(container.ports).entries()) {
    const at = `${path}.ports[${i}]`;
    if (!isRecord(port)) continue;
    if (!isValidPort(port.containerPort)) {
      errors.push(
        port.containerPort === undefined
          ? fieldErrors.required(`${at}.containerPort`)
          : fieldErrors.invalid(`${at}.containerPort`, port.containerPort, PORT_RANGE_DETAIL),
      );
    }
    if (port.hostPort !== undefined && port.hostPort !== 0 && !isValidPort(port.hostPort)) {
      errors.push(fieldErrors.invalid(`${at}.hostPort`, port.hostPort, PORT_RANGE_DETAIL));
    }
    if (port.protocol !== undefined && !PROTOCOLS.includes(String(port.protocol))) {
      errors.push(fieldErrors.notSupported(`${at}.protocol`, port.protocol, PROTOCOLS));
    }
    if (typeof port.name === "string" && port.name !== "") {
      if (portNames.has(port.name)) errors.push(fieldErrors.duplicate(`${at}.name`, port.name));
      portNames.add(port.name);
      for (const detail of portName(port.name)) {
        errors.push(fieldErrors.invalid(`${at}.name`, port.name, detail));
      }
    }
  }
  for (const [i, env] of asArray(container.env).entries()) {
    const at = `${path}.env[${i}].name`;
    const envName = isRecord(env) ? env.name : undefined;
    if (typeof envName !== "string" || envName === "") {
      errors.push(fieldErrors.required(at));
      continue;
    }
    for (const detail of envVarName(envName)) {
      errors.push(fieldErrors.invalid(at, envName, detail));
    }
  }
  for (const [i, mount] of asArray(container.volumeMounts).entries()) {
    const at = `${path}.volumeMounts[${i}]`;
    if (!isRecord(mount)) continue;
    if (typeof mount.name !== "string" || mount.name === "") {
      errors.push(fieldErrors.required(`${at}.name`));
    } else if (!volumeNames.has(mount.name)) {
      errors.push(fieldErrors.notFound(`${at}.name`, mount.name));
    }
    if (typeof mount.mountPath !== "string" || mount.mountPath === "") {
      errors.push(fieldErrors.required(`${at}.mountPath`));
    }
  }
  return errors;
}

/**
 * The spec fields a pod update may change (upstream's `ValidatePodUpdate`): container images,
 * `activeDeadlineSeconds`, added tolerations and removed scheduling gates. Returns `old`'s spec
 * with those fields taken from `spec`, so anything else that differs is a forbidden change.
 */
export function withMutablePodFields(spec: Dict, old: Dict): Dict {
  const merged: Dict = structuredClone(old);
  for (const list of CONTAINER_LISTS) {
    const updated = asArray(spec[list]);
    for (const [i, container] of asArray(merged[list]).entries()) {
      if (isRecord(container) && isRecord(updated[i])) container.image = updated[i].image;
    }
  }
  for (const key of ["activeDeadlineSeconds", "tolerations", "schedulingGates"]) {
    if (spec[key] === undefined) delete merged[key];
    else merged[key] = spec[key];
  }
  return merged;
}

/** The detail upstream gives for a forbidden pod spec change. */
export const POD_UPDATE_FORBIDDEN =
  "pod updates may not change fields other than `spec.containers[*].image`," +
  "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only " +
  "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set " +
  "to 1 if it was previously negative)";
