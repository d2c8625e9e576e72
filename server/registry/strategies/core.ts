/**
 * The smaller core/v1 resources: ConfigMap, Secret, ServiceAccount, Endpoints, Event,
 * PersistentVolume and PersistentVolumeClaim -- their defaults, the checks upstream makes most
 * often, and their kubectl columns.
 *
 * @module
 */
import { deepEqual } from "../../../kube/deep_equal.ts";
import { fieldErrors } from "../../../kube/errors.ts";
import { parseQuantity, QUANTITY_DETAIL } from "../../../kube/quantity.ts";
import type { FieldError, KubeObject } from "../../../kube/types.ts";
import { configMapKey } from "../../../kube/validation/names.ts";
import {
  AGE_COLUMN,
  ageOf,
  asArray,
  column,
  isRecord,
  NAME_COLUMN,
  numberOr,
  shortAge,
} from "../printing.ts";
import { stringProperty } from "../field_getters.ts";
import type { ResourceStrategy } from "../types.ts";

type Dict = Record<string, unknown>;

/** Upstream's cap on a ConfigMap's or Secret's total data. */
const DATA_MAX_BYTES = 1024 * 1024;

function validateDataKeys(obj: KubeObject, fields: string[]): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  let size = 0;
  for (const field of fields) {
    const data = obj[field];
    if (data === undefined) continue;
    if (!isRecord(data)) {
      errors.push(fieldErrors.invalid(field, data, "must be a map of strings"));
      continue;
    }
    for (const [key, value] of Object.entries(data)) {
      for (const detail of configMapKey(key)) {
        errors.push(fieldErrors.invalid(`${field}[${key}]`, key, detail));
      }
      if (seen.has(key)) {
        errors.push(
          fieldErrors.invalid(`${field}[${key}]`, key, "duplicate of key present in data"),
        );
      }
      seen.add(key);
      size += typeof value === "string" ? value.length : 0;
    }
  }
  if (size > DATA_MAX_BYTES) errors.push(fieldErrors.tooLong("", DATA_MAX_BYTES));
  return errors;
}

/** Data of an `immutable: true` ConfigMap or Secret may not change. */
function validateImmutableData(obj: KubeObject, old: KubeObject, fields: string[]): FieldError[] {
  const errors: FieldError[] = [];
  if (old.immutable === true) {
    if (obj.immutable !== true) {
      errors.push(
        fieldErrors.forbidden("immutable", "field is immutable when `immutable` is set"),
      );
    }
    for (const field of fields) {
      if (!deepEqual(obj[field] ?? {}, old[field] ?? {})) {
        errors.push(fieldErrors.forbidden(field, "field is immutable when `immutable` is set"));
      }
    }
  }
  return errors;
}

function dataCount(obj: KubeObject, fields: string[]): number {
  return fields.reduce((n, f) => n + (isRecord(obj[f]) ? Object.keys(obj[f]).length : 0), 0);
}

const CONFIG_MAP_DATA = ["data", "binaryData"];

/** The ConfigMap strategy. */
export const CONFIG_MAP: ResourceStrategy = {
  validate: (cm) => validateDataKeys(cm, CONFIG_MAP_DATA),
  validateUpdate: (cm, old) => validateImmutableData(cm, old, CONFIG_MAP_DATA),
  columns: [
    NAME_COLUMN,
    column("Data", "string", "Data contains the configuration data."),
    AGE_COLUMN,
  ],
  row: (cm, now) => [cm.metadata.name, dataCount(cm, CONFIG_MAP_DATA), ageOf(cm, now)],
};

/** Keys each well-known Secret type must carry. */
const SECRET_REQUIRED_KEYS: Record<string, string[]> = {
  "kubernetes.io/tls": ["tls.crt", "tls.key"],
  "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
  "kubernetes.io/dockercfg": [".dockercfg"],
  "kubernetes.io/basic-auth": [],
  "kubernetes.io/ssh-auth": ["ssh-privatekey"],
};

function validateSecret(secret: KubeObject): FieldError[] {
  const errors = validateDataKeys(secret, ["data", "stringData"]);
  for (const [field, map] of [["data", secret.data], ["stringData", secret.stringData]]) {
    if (!isRecord(map)) continue;
    for (const [key, value] of Object.entries(map)) {
      if (typeof value !== "string") {
        errors.push(fieldErrors.invalid(`${field}[${key}]`, value, "must be a string"));
      } else if (field === "data" && !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
        errors.push(
          fieldErrors.invalid(`${field}[${key}]`, "<secret contents redacted>", "illegal base64"),
        );
      }
    }
  }
  const type = String(secret.type);
  const keys = new Set([
    ...Object.keys(isRecord(secret.data) ? secret.data : {}),
    ...Object.keys(isRecord(secret.stringData) ? secret.stringData : {}),
  ]);
  for (const key of SECRET_REQUIRED_KEYS[type] ?? []) {
    if (!keys.has(key)) errors.push(fieldErrors.required(`data[${key}]`));
  }
  if (type === "kubernetes.io/service-account-token") {
    const name = secret.metadata.annotations?.["kubernetes.io/service-account.name"];
    if (!name) {
      errors.push(
        fieldErrors.required("metadata.annotations[kubernetes.io/service-account.name]"),
      );
    }
  }
  return errors;
}

/** The Secret strategy. */
export const SECRET: ResourceStrategy = {
  applyDefaults(secret) {
    secret.type ??= "Opaque";
  },
  prepareForCreate: foldStringData,
  prepareForUpdate: foldStringData,
  validate: validateSecret,
  validateUpdate(secret, old) {
    const errors = validateImmutableData(secret, old, ["data"]);
    if (secret.type !== old.type) errors.push(fieldErrors.immutable("type", secret.type));
    return errors;
  },
  columns: [
    NAME_COLUMN,
    column("Type", "string", "The type of the secret"),
    column("Data", "string", "The number of entries in the data field"),
    AGE_COLUMN,
  ],
  row: (s, now) => [s.metadata.name, String(s.type ?? ""), dataCount(s, ["data"]), ageOf(s, now)],
  fieldSelectors: { type: stringProperty("type") },
};

/** `stringData` is write-only: its entries move into `data`, base64-encoded, as upstream. */
function foldStringData(secret: KubeObject): void {
  if (!isRecord(secret.stringData)) return;
  const data: Dict = isRecord(secret.data) ? secret.data : {};
  for (const [key, value] of Object.entries(secret.stringData)) {
    if (typeof value === "string") data[key] = base64Utf8(value);
  }
  secret.data = data;
  delete secret.stringData;
}

/** The ServiceAccount strategy. */
export const SERVICE_ACCOUNT: ResourceStrategy = {
  columns: [
    NAME_COLUMN,
    column(
      "Secrets",
      "string",
      "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
    ),
    AGE_COLUMN,
  ],
  row: (sa, now) => [sa.metadata.name, asArray(sa.secrets).length, ageOf(sa, now)],
};

/** `ip:port` pairs, at most three then `+ N more...`, as kubectl's endpoints printer. */
function endpointsCell(endpoints: KubeObject): string {
  const pairs: string[] = [];
  let total = 0;
  for (const subset of asArray(endpoints.subsets).filter(isRecord)) {
    const ports = asArray(subset.ports).filter(isRecord);
    for (const address of asArray(subset.addresses).filter(isRecord)) {
      const targets = ports.length > 0 ? ports.map((p) => `${address.ip}:${p.port}`) : [
        String(address.ip),
      ];
      for (const target of targets) {
        total++;
        if (pairs.length < 3) pairs.push(target);
      }
    }
  }
  if (total === 0) return "<none>";
  return total > 3 ? `${pairs.join(",")} + ${total - 3} more...` : pairs.join(",");
}

/** The Endpoints strategy. */
export const ENDPOINTS: ResourceStrategy = {
  validate(endpoints) {
    const errors: FieldError[] = [];
    for (const [i, subset] of asArray(endpoints.subsets).entries()) {
      if (!isRecord(subset)) continue;
      for (const [j, address] of asArray(subset.addresses).entries()) {
        if (!isRecord(address) || typeof address.ip !== "string" || address.ip === "") {
          errors.push(fieldErrors.required(`subsets[${i}].addresses[${j}].ip`));
        }
      }
    }
    return errors;
  },
  columns: [
    NAME_COLUMN,
    column("Endpoints", "string", "Endpoints of the service"),
    AGE_COLUMN,
  ],
  row: (ep, now) => [ep.metadata.name, endpointsCell(ep), ageOf(ep, now)],
};

function eventObjectCell(ref: unknown): string {
  if (!isRecord(ref)) return "";
  return `${String(ref.kind ?? "").toLowerCase()}/${ref.name ?? ""}`;
}

function eventTime(event: KubeObject, now: number, field: "lastTimestamp" | "firstTimestamp") {
  const time = event[field] ?? event.eventTime ?? event.metadata.creationTimestamp;
  return shortAge(typeof time === "string" ? time : undefined, now);
}

function eventSource(event: KubeObject): string {
  const source: Dict = isRecord(event.source) ? event.source : {};
  const component = String(source.component ?? event.reportingComponent ?? "");
  return source.host ? `${component}, ${source.host}` : component;
}

/** Columns shared by core/v1 and events.k8s.io/v1 events. */
export const EVENT_COLUMNS = [
  column("Last Seen", "string", "Time when last event occurred"),
  column(
    "Type",
    "string",
    "Type of this event (Normal, Warning), new types could be added in the future.",
  ),
  column(
    "Reason",
    "string",
    "Reason is why the action was taken. It is human-readable. This field can have at most 128 characters.",
  ),
  column("Object", "string", "The object this Event is about."),
  column("Subobject", "string", "The subobject this Event is about.", true),
  column("Source", "string", "Source of this event.", true),
  column("Message", "string", "A human-readable description of the status of this operation."),
  column("First Seen", "string", "Time when first event occurred", true),
  column("Count", "string", "Number of times this event has occurred", true),
  column("Name", "string", "Name of this event.", true),
];

function involved(event: KubeObject, key: string): string {
  const ref = event.involvedObject;
  return isRecord(ref) && ref[key] !== undefined ? String(ref[key]) : "";
}

/** The core/v1 Event strategy. */
export const EVENT: ResourceStrategy = {
  validate(event) {
    const errors: FieldError[] = [];
    const ref = event.involvedObject;
    const ns = isRecord(ref) ? ref.namespace : undefined;
    if (typeof ns === "string" && ns !== "" && ns !== event.metadata.namespace) {
      errors.push(
        fieldErrors.invalid("involvedObject.namespace", ns, "does not match event.namespace"),
      );
    }
    return errors;
  },
  columns: EVENT_COLUMNS,
  row: (event, now) => [
    eventTime(event, now, "lastTimestamp"),
    String(event.type ?? ""),
    String(event.reason ?? ""),
    eventObjectCell(event.involvedObject),
    involved(event, "fieldPath"),
    eventSource(event),
    String(event.message ?? "").trim(),
    eventTime(event, now, "firstTimestamp"),
    numberOr(event.count, 1),
    event.metadata.name,
  ],
  fieldSelectors: {
    "involvedObject.kind": stringProperty("involvedObject", "kind"),
    "involvedObject.namespace": stringProperty("involvedObject", "namespace"),
    "involvedObject.name": stringProperty("involvedObject", "name"),
    "involvedObject.uid": stringProperty("involvedObject", "uid"),
    "involvedObject.apiVersion": stringProperty("involvedObject", "apiVersion"),
    "involvedObject.resourceVersion": stringProperty("involvedObject", "resourceVersion"),
    "involvedObject.fieldPath": stringProperty("involvedObject", "fieldPath"),
    reason: stringProperty("reason"),
    reportingComponent: stringProperty("reportingComponent"),
    source: (e) => String(isRecord(e.source) ? e.source.component ?? "" : ""),
    type: stringProperty("type"),
  },
};

const ACCESS_MODES: Record<string, string> = {
  ReadWriteOnce: "RWO",
  ReadOnlyMany: "ROX",
  ReadWriteMany: "RWX",
  ReadWriteOncePod: "RWOP",
};

function accessModesCell(spec: Dict): string {
  return asArray(spec.accessModes).map((m) => ACCESS_MODES[String(m)] ?? String(m)).join(",");
}

function validateAccessModes(spec: Dict): FieldError[] {
  const modes = asArray(spec.accessModes);
  if (modes.length === 0) return [fieldErrors.required("spec.accessModes")];
  const supported = Object.keys(ACCESS_MODES);
  return modes.filter((m) => !supported.includes(String(m))).map((m) =>
    fieldErrors.notSupported("spec.accessModes", m, supported)
  );
}

function validateStorage(value: unknown, field: string): FieldError[] {
  if (value === undefined) return [fieldErrors.required(field)];
  if (parseQuantity(value) === undefined) {
    return [fieldErrors.invalid(field, value, QUANTITY_DETAIL)];
  }
  return [];
}

/** The volume sources a PersistentVolume may name; one is required. */
const PV_SOURCES = [
  "hostPath",
  "local",
  "nfs",
  "csi",
  "iscsi",
  "fc",
  "cephfs",
  "rbd",
  "glusterfs",
  "azureDisk",
  "azureFile",
  "awsElasticBlockStore",
  "gcePersistentDisk",
];

/** The PersistentVolume strategy. */
export const PERSISTENT_VOLUME: ResourceStrategy = {
  hasStatus: true,
  applyDefaults(pv) {
    pv.spec ??= {};
    pv.spec.persistentVolumeReclaimPolicy ??= "Retain";
    pv.spec.volumeMode ??= "Filesystem";
  },
  prepareForCreate(pv) {
    pv.status = { phase: "Pending" };
  },
  validate(pv) {
    const spec: Dict = pv.spec ?? {};
    const errors = validateAccessModes(spec);
    const capacity = isRecord(spec.capacity) ? spec.capacity : undefined;
    if (!capacity) errors.push(fieldErrors.required("spec.capacity"));
    else errors.push(...validateStorage(capacity.storage, "spec.capacity[storage]"));
    if (!PV_SOURCES.some((source) => spec[source] !== undefined)) {
      errors.push(fieldErrors.required("spec", "must specify a volume type"));
    }
    return errors;
  },
  columns: [
    NAME_COLUMN,
    column(
      "Capacity",
      "string",
      "capacity is the description of the persistent volume's resources and capacity.",
    ),
    column("Access Modes", "string", "accessModes contains all ways the volume can be mounted."),
    column(
      "Reclaim Policy",
      "string",
      "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.",
    ),
    column(
      "Status",
      "string",
      "phase indicates if a volume is available, bound to a claim, or released by a claim.",
    ),
    column(
      "Claim",
      "string",
      "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.",
    ),
    column(
      "StorageClass",
      "string",
      "storageClassName is the name of StorageClass to which this persistent volume belongs.",
    ),
    column(
      "VolumeAttributesClass",
      "string",
      "volumeAttributesClassName is the name of VolumeAttributesClass to which this persistent volume belongs.",
    ),
    column("Reason", "string", "reason is a brief CamelCase string that describes any failure."),
    AGE_COLUMN,
    column(
      "VolumeMode",
      "string",
      "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.",
      true,
    ),
  ],
  row(pv, now) {
    const spec: Dict = pv.spec ?? {};
    const claim = isRecord(spec.claimRef) ? `${spec.claimRef.namespace}/${spec.claimRef.name}` : "";
    return [
      pv.metadata.name,
      String(isRecord(spec.capacity) ? spec.capacity.storage ?? "" : ""),
      accessModesCell(spec),
      String(spec.persistentVolumeReclaimPolicy ?? ""),
      String(pv.status?.phase ?? ""),
      claim,
      String(spec.storageClassName ?? ""),
      String(spec.volumeAttributesClassName ?? "<unset>"),
      String(pv.status?.reason ?? ""),
      ageOf(pv, now),
      String(spec.volumeMode ?? ""),
    ];
  },
};

/** The PersistentVolumeClaim strategy. */
export const PERSISTENT_VOLUME_CLAIM: ResourceStrategy = {
  hasStatus: true,
  applyDefaults(pvc) {
    pvc.spec ??= {};
    pvc.spec.volumeMode ??= "Filesystem";
  },
  prepareForCreate(pvc) {
    pvc.status = { phase: "Pending" };
  },
  validate(pvc) {
    const spec: Dict = pvc.spec ?? {};
    const errors = validateAccessModes(spec);
    const requests = isRecord(spec.resources) && isRecord(spec.resources.requests)
      ? spec.resources.requests
      : {};
    errors.push(...validateStorage(requests.storage, "spec.resources[storage]"));
    return errors;
  },
  validateUpdate(pvc, old) {
    // Only the requested size and the volume binding may change after creation.
    const mutable = (spec: Dict) => {
      const copy = structuredClone(spec);
      delete copy.resources;
      delete copy.volumeName;
      delete copy.volumeAttributesClassName;
      return copy;
    };
    if (!deepEqual(mutable(pvc.spec ?? {}), mutable(old.spec ?? {}))) {
      return [
        fieldErrors.forbidden(
          "spec",
          "spec is immutable after creation except resources.requests and " +
            "volumeAttributesClassName for bound claims",
        ),
      ];
    }
    return [];
  },
  columns: [
    NAME_COLUMN,
    column("Status", "string", "phase represents the current phase of PersistentVolumeClaim."),
    column(
      "Volume",
      "string",
      "volumeName is the binding reference to the PersistentVolume backing this claim.",
    ),
    column(
      "Capacity",
      "string",
      "capacity represents the actual resources of the underlying volume.",
    ),
    column(
      "Access Modes",
      "string",
      "accessModes contains the desired access modes the volume should have.",
    ),
    column(
      "StorageClass",
      "string",
      "storageClassName is the name of the StorageClass required by the claim.",
    ),
    column(
      "VolumeAttributesClass",
      "string",
      "volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.",
    ),
    AGE_COLUMN,
    column(
      "VolumeMode",
      "string",
      "volumeMode defines what type of volume is required by the claim.",
      true,
    ),
  ],
  row(pvc, now) {
    const spec: Dict = pvc.spec ?? {};
    const status: Dict = pvc.status ?? {};
    const capacity = isRecord(status.capacity) ? String(status.capacity.storage ?? "") : "";
    return [
      pvc.metadata.name,
      String(status.phase ?? ""),
      String(spec.volumeName ?? ""),
      capacity,
      isRecord(status) && asArray(status.accessModes).length > 0 ? accessModesCell(status) : "",
      String(spec.storageClassName ?? ""),
      String(spec.volumeAttributesClassName ?? "<unset>"),
      ageOf(pvc, now),
      String(spec.volumeMode ?? ""),
    ];
  },
};

/** Base64 of a string's UTF-8 bytes, in chunks so large values do not overflow the stack. */
function base64Utf8(value: string): string {
  const bytes = new TextEncoder().encode(value);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
