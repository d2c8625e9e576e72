/**
 * Turns one gogo-protobuf message into the JSON Kubernetes would have written for it, driven by
 * the descriptor tables (see `schema.ts` for the rules).
 *
 * @module
 */
import type { JsonObject, JsonValue } from "../types.ts";
import {
  type FieldSpec,
  isScalarType,
  isWellKnownType,
  mapValueType,
  type MessageSpec,
  type MessageTable,
  type WellKnownType,
} from "./schema.ts";
import { WireFormatError, WireReader, WireType } from "./wire.ts";
import { durationToJson, intOrStringToJson, microTimeToJson, timeToJson } from "./well_known.ts";

/** What {@link decodeMessage} needs besides the bytes. */
export interface MessageContext {
  /** Descriptors to resolve message names against. */
  messages: MessageTable;
  /** Decodes a `k8s\0`-prefixed object found inside a RawExtension. */
  decodeEmbedded: (bytes: Uint8Array, depth: number) => JsonObject;
  /** Nesting depth so far; bounded so hostile input cannot exhaust the stack. */
  depth: number;
}

const MAX_DEPTH = 100;
const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder();

/** The fields of the well-known messages, read with the same machinery as any other message. */
const WELL_KNOWN_FIELDS: Record<WellKnownType, MessageSpec> = {
  time: { 1: ["seconds", "int64", "keep"], 2: ["nanos", "int32", "keep"] },
  microtime: { 1: ["seconds", "int64", "keep"], 2: ["nanos", "int32", "keep"] },
  quantity: { 1: ["string", "string", "keep"] },
  intstr: {
    1: ["type", "int64", "keep"],
    2: ["intVal", "int32", "keep"],
    3: ["strVal", "string", "keep"],
  },
  duration: { 1: ["duration", "int64", "keep"] },
  extravalue: { 1: ["items", "string", "rep"] },
  raw: {},
  fieldsv1: {},
};

type Collected = JsonValue | JsonValue[] | JsonObject;

/**
 * Decodes `bytes` as the message `name`. Unknown fields are skipped.
 *
 * @throws {WireFormatError} on malformed bytes or a wire type that does not fit the descriptor.
 */
export function decodeMessage(bytes: Uint8Array, name: string, ctx: MessageContext): JsonObject {
  const spec = ctx.messages[name];
  if (!spec) throw new Error(`protobuf: no descriptor for message ${name}`);
  return decodeWithSpec(bytes, spec, name, ctx);
}

function decodeWithSpec(
  bytes: Uint8Array,
  spec: MessageSpec,
  name: string,
  ctx: MessageContext,
): JsonObject {
  if (ctx.depth > MAX_DEPTH) throw new WireFormatError(`${name} nested too deeply`, 0);
  const inner = { ...ctx, depth: ctx.depth + 1 };
  const values = new Map<number, Collected>();
  const reader = new WireReader(bytes);
  while (!reader.done) {
    const tag = reader.readTag();
    const field = spec[tag.field];
    if (!field) {
      reader.skip(tag.wireType, tag.field);
      continue;
    }
    const [json, type, flag] = field;
    const mapValue = mapValueType(type);
    if (mapValue !== undefined) {
      expectWireType(reader, tag.wireType, WireType.LEN, name, json);
      const map = (values.get(tag.field) ?? {}) as JsonObject;
      const [key, value] = readMapEntry(reader.readBytes(), mapValue, `${name}.${json}`, inner);
      map[key] = value;
      values.set(tag.field, map);
    } else if (flag === "rep") {
      const list = (values.get(tag.field) ?? []) as JsonValue[];
      if (tag.wireType === WireType.LEN && isPackable(type)) {
        const packed = new WireReader(reader.readBytes());
        while (!packed.done) list.push(readValue(packed, packedWireType(type), type, json, inner));
      } else {
        list.push(readValue(reader, tag.wireType, type, `${name}.${json}`, inner));
      }
      values.set(tag.field, list);
    } else {
      values.set(tag.field, readValue(reader, tag.wireType, type, `${name}.${json}`, inner));
    }
  }
  return assemble(spec, values, inner);
}

/** Applies the omit/keep rules in field-number order. */
function assemble(spec: MessageSpec, values: Map<number, Collected>, ctx: MessageContext) {
  const out: JsonObject = {};
  for (const [number, field] of Object.entries(spec) as [string, FieldSpec][]) {
    const [json, type, flag] = field;
    const value = values.get(Number(number));
    if (flag === "inline") {
      Object.assign(out, (value ?? decodeMessage(EMPTY, type, ctx)) as JsonObject);
    } else if (value === undefined) {
      const fallback = absentValue(type, flag, ctx);
      if (fallback !== undefined) out[json] = fallback;
    } else if (value === null || (flag === undefined && isScalarType(type) && isZero(value))) {
      continue;
    } else {
      out[json] = value as JsonValue;
    }
  }
  return out;
}

/** What Go's JSON encoder writes for a field gogo left off the wire. */
function absentValue(type: string, flag: FieldSpec[2], ctx: MessageContext): JsonValue | undefined {
  if (flag === "keep") return zeroOf(type);
  // A non-pointer struct is never nil in Go, so it is in the JSON even when nothing was sent.
  if (flag === undefined && !isScalarType(type) && mapValueType(type) === undefined) {
    return decodeEmbeddedMessage(EMPTY, type, "", ctx) ?? undefined;
  }
  return undefined;
}

function readMapEntry(
  bytes: Uint8Array,
  valueType: string,
  where: string,
  ctx: MessageContext,
): [string, JsonValue] {
  const reader = new WireReader(bytes);
  let key = "";
  let value: JsonValue | undefined;
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.field === 1) {
      expectWireType(reader, tag.wireType, WireType.LEN, where, "key");
      key = utf8.decode(reader.readBytes());
    } else if (tag.field === 2) {
      value = readValue(reader, tag.wireType, valueType, where, ctx);
    } else {
      reader.skip(tag.wireType, tag.field);
    }
  }
  if (value === undefined) {
    value = isScalarType(valueType)
      ? zeroOf(valueType)
      : decodeEmbeddedMessage(EMPTY, valueType, where, ctx);
  }
  return [key, value];
}

function readValue(
  reader: WireReader,
  wireType: number,
  type: string,
  where: string,
  ctx: MessageContext,
): JsonValue {
  switch (type) {
    case "string":
      expectWireType(reader, wireType, WireType.LEN, where);
      return utf8.decode(reader.readBytes());
    case "bytes":
      expectWireType(reader, wireType, WireType.LEN, where);
      return toBase64(reader.readBytes());
    case "int32":
      expectWireType(reader, wireType, WireType.VARINT, where);
      return reader.readInt32();
    case "int64":
      expectWireType(reader, wireType, WireType.VARINT, where);
      return reader.readInt64();
    case "bool":
      expectWireType(reader, wireType, WireType.VARINT, where);
      return reader.readBool();
    case "double":
      expectWireType(reader, wireType, WireType.FIXED64, where);
      return reader.readFixed64().getFloat64(0, true);
    case "float":
      expectWireType(reader, wireType, WireType.FIXED32, where);
      return reader.readFixed32().getFloat32(0, true);
    default:
      expectWireType(reader, wireType, WireType.LEN, where);
      return decodeEmbeddedMessage(reader.readBytes(), type, where, ctx);
  }
}

/** A nested message or well-known type; null stands for Go's JSON `null` (left out). */
function decodeEmbeddedMessage(
  bytes: Uint8Array,
  type: string,
  where: string,
  ctx: MessageContext,
): JsonValue {
  if (!isWellKnownType(type)) return decodeMessage(bytes, type, ctx);
  if (type === "raw" || type === "fieldsv1") return rawToJson(bytes, where, ctx);
  const fields = decodeWithSpec(bytes, WELL_KNOWN_FIELDS[type], type, ctx);
  switch (type) {
    case "time":
      return timeToJson(fields.seconds as number, fields.nanos as number) ?? null;
    case "microtime":
      return microTimeToJson(fields.seconds as number, fields.nanos as number) ?? null;
    case "quantity":
      // A zero resource.Quantity marshals as "0" in JSON.
      return (fields.string as string) || "0";
    case "intstr":
      return intOrStringToJson(
        fields.type as number,
        fields.intVal as number,
        fields.strVal as string,
      );
    case "duration":
      return durationToJson(fields.duration as number);
    case "extravalue":
      return (fields.items as JsonValue[] | undefined) ?? [];
  }
}

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/** RawExtension / FieldsV1: embedded JSON, or a nested `k8s\0` protobuf object. */
function rawToJson(bytes: Uint8Array, where: string, ctx: MessageContext): JsonValue {
  let raw: Uint8Array = EMPTY;
  const reader = new WireReader(bytes);
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.field === 1 && tag.wireType === WireType.LEN) raw = reader.readBytes();
    else reader.skip(tag.wireType, tag.field);
  }
  if (raw.length === 0) return null;
  if (raw.length >= 4 && MAGIC.every((b, i) => raw[i] === b)) {
    return ctx.decodeEmbedded(raw, ctx.depth + 1);
  }
  try {
    return JSON.parse(utf8.decode(raw)) as JsonValue;
  } catch {
    throw new WireFormatError(`${where} holds neither JSON nor a protobuf object`, 0);
  }
}

function expectWireType(
  reader: WireReader,
  got: number,
  want: number,
  where: string,
  field?: string,
): void {
  if (got !== want) {
    const name = field ? `${where}.${field}` : where;
    throw new WireFormatError(`${name} has wire type ${got}, expected ${want}`, reader.offset);
  }
}

function isPackable(type: string): boolean {
  return type === "int32" || type === "int64" || type === "bool" || type === "double" ||
    type === "float";
}

function packedWireType(type: string): number {
  if (type === "double") return WireType.FIXED64;
  if (type === "float") return WireType.FIXED32;
  return WireType.VARINT;
}

function isZero(value: Collected): boolean {
  return value === "" || value === 0 || value === false;
}

function zeroOf(type: string): JsonValue {
  if (type === "string" || type === "bytes") return "";
  if (type === "bool") return false;
  return 0;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
