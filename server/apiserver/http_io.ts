/**
 * Reading request bodies and writing JSON responses: size limits, content types, and the one
 * place an error becomes a `Status` response.
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";
import { KUBE_PROTOBUF } from "../../kube/protobuf/media_type.ts";
import { type ApiRequest, ListenerRequest, MAX_BODY_BYTES } from "./api_request.ts";

export { MAX_BODY_BYTES } from "./api_request.ts";

const JSON_HEADERS = { "content-type": "application/json" };

/**
 * The text each {@link jsonResponse} was made from. The listener writes it directly instead of
 * reading the body back through a stream (the Response stays whole for every other reader).
 */
const responseTexts = new WeakMap<Response, string>();

/** A JSON response; `body` may be pre-serialised. */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const response = new Response(text, { status, headers: { ...JSON_HEADERS, ...headers } });
  responseTexts.set(response, text);
  return response;
}

/** The body text of a response made by {@link jsonResponse} whose body is still unread. */
export function responseText(response: Response): string | undefined {
  return response.bodyUsed ? undefined : responseTexts.get(response);
}

/** The response for any thrown value: ApiErrors as their Status, anything else as a 500. */
export function errorResponse(error: unknown): Response {
  const apiError = asApiError(error);
  return jsonResponse(apiError.code, apiError.toStatus());
}

/** `error` as the ApiError it meant, or a 500 InternalError carrying its message. */
export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError
    ? error
    : ApiError.internal(error instanceof Error ? error.message : String(error));
}

/**
 * Reads the body as bytes, refusing more than {@link MAX_BODY_BYTES}. The listener's requests
 * read theirs bounded, in one piece; any other request's body is streamed.
 */
export async function readBody(request: ApiRequest): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw ApiError.tooLarge(MAX_BODY_BYTES);
  if (request instanceof ListenerRequest && !request.bodyUsed) return await request.bytes();
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_BODY_BYTES) {
      await reader.cancel();
      throw ApiError.tooLarge(MAX_BODY_BYTES);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function bodyText(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw ApiError.badRequest("the request body is not valid UTF-8");
  }
}

/** Parses JSON with upstream-like wording on failure. */
export function parseJsonBody(bytes: Uint8Array): unknown {
  const text = bodyText(bytes);
  if (text.trim() === "") throw ApiError.badRequest("the request body is empty");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw ApiError.badRequest(`the request body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Parses a single YAML document. JSON is YAML, and what kubectl sends as YAML (server-side apply)
 * is JSON, so a body that parses as JSON is taken as it is: the YAML parser, slower and about
 * 5 MB of resident memory once loaded, is imported only for a body that needs it.
 */
export async function parseYamlBody(bytes: Uint8Array): Promise<unknown> {
  const text = bodyText(bytes);
  if (text.trimStart().startsWith("{")) {
    try {
      return JSON.parse(text);
    } catch {
      // Not JSON after all (YAML flow mapping, or broken): the YAML parser words the verdict.
    }
  }
  const { parse: parseYaml, parseAllDocuments } = await import("yaml");
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length !== 1) {
    throw ApiError.badRequest("the request body must hold exactly one YAML document");
  }
  const doc = list[0];
  if (doc.errors.length > 0) {
    throw ApiError.badRequest(`the request body is not valid YAML: ${doc.errors[0].message}`);
  }
  try {
    return parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    throw ApiError.badRequest(`the request body is not valid YAML: ${(error as Error).message}`);
  }
}

/** Decodes an object body by Content-Type: JSON (default), YAML, or Kubernetes protobuf. */
export async function decodeObjectBody(
  bytes: Uint8Array,
  contentType: string | null,
): Promise<unknown> {
  const type = (contentType ?? "application/json").split(";")[0].trim().toLowerCase();
  let value: unknown;
  if (type === "" || type === "application/json" || type === "*/*") value = parseJsonBody(bytes);
  else if (type === "application/yaml" || type === "application/x-yaml") {
    value = await parseYamlBody(bytes);
  } else if (type === KUBE_PROTOBUF) {
    // Loaded on first use: only a few imperative kubectl commands send protobuf.
    const { decodeKubeProtobuf } = await import("../../kube/protobuf/decode.ts");
    value = decodeKubeProtobuf(bytes);
  } else {
    throw ApiError.unsupportedMediaType(type, [
      "application/json",
      "application/yaml",
      "application/vnd.kubernetes.protobuf",
    ]);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw ApiError.badRequest("the request body must be a JSON object");
  }
  return value;
}

const streaming = new WeakSet<Response>();

/** A response whose body is written as it is produced (watch, logs): headers go out at once. */
export function streamingResponse(
  body: ReadableStream<Uint8Array>,
  headers: Record<string, string>,
): Response {
  const response = new Response(body, { status: 200, headers });
  streaming.add(response);
  return response;
}

/** True for responses made by {@link streamingResponse}. */
export function isStreamingResponse(response: Response): boolean {
  return streaming.has(response);
}
