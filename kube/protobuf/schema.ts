/**
 * How message descriptors are written: each message maps a field number to its JSON name, its
 * type and one optional flag. The flags carry what the wire cannot say but Kubernetes' JSON
 * encoding depends on:
 *
 * - gogo-protobuf writes every non-pointer scalar, even `""`, `0` and `false`; Go's JSON encoder
 *   then drops the zero ones tagged `omitempty`. A plain scalar is therefore left out of the JSON
 *   when zero.
 * - `ptr`: a pointer field (`*int32`, `*bool`, `*Quantity`, ...). It is on the wire only when set,
 *   and then it is kept even when zero (`replicas: 0`, `automountServiceAccountToken: false`).
 * - `keep`: a non-pointer scalar without `omitempty` (`containerPort`, `status.allowed`): always in
 *   the JSON, zero when missing from the wire.
 * - `rep`: a repeated field (a JSON array, left out when empty).
 * - `inline`: an embedded struct whose fields are flattened into the parent (`Volume`'s
 *   `VolumeSource`, `Probe`'s `ProbeHandler`).
 *
 * Non-pointer messages are always on the wire (gogo writes them even when empty) and always in the
 * JSON, matching `encoding/json`, which ignores `omitempty` on structs: `"status": {}`.
 *
 * @module
 */

/** Scalar protobuf types. */
export type ScalarType = "string" | "int32" | "int64" | "bool" | "bytes" | "double" | "float";

/**
 * apimachinery messages whose JSON form is not an object: `time` and `microtime` (RFC 3339
 * strings), `quantity` (a string), `intstr` (a number or a string), `raw` (embedded JSON),
 * `duration` (a Go duration string), `fieldsv1` (embedded JSON), `extravalue` (a string array).
 */
export type WellKnownType =
  | "time"
  | "microtime"
  | "quantity"
  | "intstr"
  | "raw"
  | "duration"
  | "fieldsv1"
  | "extravalue";

/** How a field is encoded in JSON beyond its type; see the module documentation. */
export type FieldFlag = "ptr" | "keep" | "rep" | "inline";

/**
 * One field: `[jsonName, type, flag?]`. `type` is a {@link ScalarType}, a {@link WellKnownType},
 * `map<V>` with V one of those or a message name, or a message name such as `core.Container`.
 */
export type FieldSpec = readonly [json: string, type: string, flag?: FieldFlag];

/** A message: field number -> field. */
export type MessageSpec = Readonly<Record<number, FieldSpec>>;

/** Messages by name (`<group>.<Message>`, e.g. `core.PodSpec`, `meta.ObjectMeta`). */
export type MessageTable = Readonly<Record<string, MessageSpec>>;

const SCALARS: ReadonlySet<string> = new Set<ScalarType>([
  "string",
  "int32",
  "int64",
  "bool",
  "bytes",
  "double",
  "float",
]);

const WELL_KNOWN: ReadonlySet<string> = new Set<WellKnownType>([
  "time",
  "microtime",
  "quantity",
  "intstr",
  "raw",
  "duration",
  "fieldsv1",
  "extravalue",
]);

/** Whether `type` names a scalar protobuf type. */
export function isScalarType(type: string): type is ScalarType {
  return SCALARS.has(type);
}

/** Whether `type` names one of the apimachinery messages with a special JSON form. */
export function isWellKnownType(type: string): type is WellKnownType {
  return WELL_KNOWN.has(type);
}

/** The value type of a `map<V>` type, or undefined when `type` is not a map. */
export function mapValueType(type: string): string | undefined {
  return type.startsWith("map<") && type.endsWith(">") ? type.slice(4, -1) : undefined;
}
