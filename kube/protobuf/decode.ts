/**
 * Decodes the `application/vnd.kubernetes.protobuf` request bodies kubectl 1.32 sends into the
 * JSON object it would otherwise have sent.
 *
 * The body is the 4-byte magic `k8s\0` followed by a `runtime.Unknown`:
 * `{1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType}`, where `raw`
 * is the gogo-protobuf encoding of the k8s.io/api type.
 *
 * @module
 */
import { ApiError } from "../errors.ts";
import type { JsonObject, KubeObject } from "../types.ts";
import { messageForKind, MESSAGES } from "./kinds.ts";
import { decodeMessage } from "./message.ts";
import { KUBE_PROTOBUF } from "./media_type.ts";
import { WireFormatError, WireReader, WireType } from "./wire.ts";

const MAGIC = [0x6b, 0x38, 0x73, 0x00];
const utf8 = new TextDecoder();

/** Options for {@link decodeKubeProtobuf}. */
export interface DecodeOptions {
  /**
   * The type the request path implies, used when the envelope leaves `typeMeta` empty (the
   * apiserver falls back to it the same way).
   */
  defaultType?: { apiVersion: string; kind: string };
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

/**
 * Decodes a Kubernetes protobuf body into the object's JSON form (`apiVersion`, `kind`,
 * `metadata`, `spec`, ...), following Kubernetes' JSON rules for omitted fields. A zero
 * `creationTimestamp` (JSON `null`) is left out, as is every other JSON `null`.
 *
 * @param body The request body, starting with `k8s\0`.
 * @param options See {@link DecodeOptions}.
 * @returns The object as kubectl would have sent it in JSON.
 * @throws {ApiError} 400 BadRequest when the bytes are malformed; 415 UnsupportedMediaType when
 * the kind has no descriptor here (the client should send JSON).
 *
 * @example
 * ```ts
 * const obj = decodeKubeProtobuf(new Uint8Array(await request.arrayBuffer()));
 * obj.kind; // "Deployment"
 * ```
 */
export function decodeKubeProtobuf(body: Uint8Array, options: DecodeOptions = {}): KubeObject {
  try {
    return decodeObject(body, 0, options);
  } catch (error) {
    if (error instanceof WireFormatError) {
      throw ApiError.badRequest(`invalid protobuf body: ${error.message}`);
    }
    throw error;
  }
}

function decodeObject(body: Uint8Array, depth: number, options: DecodeOptions): KubeObject {
  if (body.length < MAGIC.length || !MAGIC.every((b, i) => body[i] === b)) {
    throw ApiError.badRequest("invalid protobuf body: missing the k8s\\x00 prefix");
  }
  const envelope = readEnvelope(body.subarray(MAGIC.length));
  const apiVersion = envelope.apiVersion || options.defaultType?.apiVersion || "";
  const kind = envelope.kind || options.defaultType?.kind || "";
  if (!apiVersion || !kind) {
    throw ApiError.badRequest("invalid protobuf body: the object names no apiVersion and kind");
  }
  if (envelope.contentEncoding !== "") {
    throw ApiError.badRequest(
      `invalid protobuf body: unsupported contentEncoding "${envelope.contentEncoding}"`,
    );
  }
  if (envelope.contentType !== "" && envelope.contentType !== KUBE_PROTOBUF) {
    throw ApiError.unsupportedMediaType(envelope.contentType, ["application/json"]);
  }
  const message = messageForKind(apiVersion, kind);
  if (!message) throw ApiError.unsupportedMediaType(KUBE_PROTOBUF, ["application/json"]);
  const fields = decodeMessage(envelope.raw, message, {
    messages: MESSAGES,
    depth,
    decodeEmbedded: (bytes: Uint8Array, nested: number): JsonObject =>
      decodeObject(bytes, nested, {}) as JsonObject,
  });
  const { metadata, ...rest } = fields;
  return { kind, apiVersion, metadata: (metadata ?? {}) as KubeObject["metadata"], ...rest };
}

function readEnvelope(bytes: Uint8Array): Envelope {
  const envelope: Envelope = {
    apiVersion: "",
    kind: "",
    raw: new Uint8Array(0),
    contentEncoding: "",
    contentType: "",
  };
  const reader = new WireReader(bytes);
  while (!reader.done) {
    const { field, wireType } = reader.readTag();
    if (wireType !== WireType.LEN) {
      reader.skip(wireType, field);
      continue;
    }
    const value = reader.readBytes();
    if (field === 1) readTypeMeta(value, envelope);
    else if (field === 2) envelope.raw = value;
    else if (field === 3) envelope.contentEncoding = utf8.decode(value);
    else if (field === 4) envelope.contentType = utf8.decode(value);
  }
  return envelope;
}

function readTypeMeta(bytes: Uint8Array, envelope: Envelope): void {
  const reader = new WireReader(bytes);
  while (!reader.done) {
    const { field, wireType } = reader.readTag();
    if (wireType !== WireType.LEN) {
      reader.skip(wireType, field);
      continue;
    }
    const value = utf8.decode(reader.readBytes());
    if (field === 1) envelope.apiVersion = value;
    else if (field === 2) envelope.kind = value;
  }
}
