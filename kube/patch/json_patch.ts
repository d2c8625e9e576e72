/**
 * JSON Patch (RFC 6902), the body of `application/json-patch+json` requests.
 *
 * Errors follow the apiserver: a body that is not a list of operation objects is a 400
 * BadRequest; an operation that cannot be applied (missing path, failed `test`, unknown op) is a
 * 422 Invalid. Upstream's 422 message is a generic "the server rejected our request due to an
 * error in our request"; we keep the operation's own explanation instead, which is what a user
 * needs.
 *
 * @module
 */
import { ApiError } from "../errors.ts";
import type { JsonObject, JsonValue } from "../types.ts";
import { clone, deepEqual, isObject, show } from "./_json.ts";

/** One RFC 6902 operation. */
export interface JsonPatchOperation {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  value?: JsonValue;
  from?: string;
}

/** Upstream's cap on operations in one JSON patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

function invalid(message: string): ApiError {
  return new ApiError(422, "Invalid", message, {});
}

/**
 * Splits a JSON pointer into unescaped tokens (`~1` -> `/`, `~0` -> `~`).
 *
 * @throws {ApiError} 422 when the pointer is neither empty nor starts with `/`.
 */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) {
    throw invalid(`JSON pointer must be empty or start with a "/": ${JSON.stringify(pointer)}`);
  }
  return pointer.slice(1).split("/").map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function arrayIndex(token: string, length: number, op: string, allowEnd: boolean): number {
  if (allowEnd && token === "-") return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) {
    throw invalid(`${op} operation does not apply: invalid array index: ${JSON.stringify(token)}`);
  }
  const index = Number(token);
  if (index > length || (!allowEnd && index === length)) {
    throw invalid(`Unable to access invalid index: ${index}: invalid index referenced`);
  }
  return index;
}

/** The container holding the pointer's last token, and that token. */
function parentOf(
  doc: JsonValue,
  tokens: string[],
  op: string,
  pointer: string,
): { parent: JsonObject | JsonValue[]; key: string } {
  let node: JsonValue = doc;
  for (const token of tokens.slice(0, -1)) {
    let next: JsonValue | undefined;
    if (Array.isArray(node)) next = node[arrayIndex(token, node.length, op, false)];
    else if (isObject(node)) next = node[token];
    if (next === undefined || next === null || typeof next !== "object") {
      throw invalid(
        `${op} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}`,
      );
    }
    node = next;
  }
  if (!Array.isArray(node) && !isObject(node)) {
    throw invalid(
      `${op} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}`,
    );
  }
  return { parent: node, key: tokens[tokens.length - 1] };
}

function get(doc: JsonValue, pointer: string, op: string): JsonValue {
  let node: JsonValue | undefined = doc;
  for (const token of parseJsonPointer(pointer)) {
    if (Array.isArray(node)) node = node[arrayIndex(token, node.length, op, false)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else node = undefined;
    if (node === undefined) {
      throw invalid(
        `${op} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}`,
      );
    }
  }
  return node as JsonValue;
}

function add(doc: JsonValue, pointer: string, value: JsonValue, op = "add"): JsonValue {
  const tokens = parseJsonPointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, op, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, op, true), 0, value);
  else parent[key] = value;
  return doc;
}

function remove(doc: JsonValue, pointer: string, op = "remove"): JsonValue {
  const tokens = parseJsonPointer(pointer);
  if (tokens.length === 0) throw invalid(`${op} operation does not apply: cannot remove the root`);
  const { parent, key } = parentOf(doc, tokens, op, pointer);
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(key, parent.length, op, false), 1);
  } else if (Object.hasOwn(parent, key)) {
    delete parent[key];
  } else {
    throw invalid(
      `${op} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}`,
    );
  }
  return doc;
}

function replace(doc: JsonValue, pointer: string, value: JsonValue): JsonValue {
  const tokens = parseJsonPointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, "replace", pointer);
  if (Array.isArray(parent)) {
    parent[arrayIndex(key, parent.length, "replace", false)] = value;
  } else if (Object.hasOwn(parent, key)) {
    parent[key] = value;
  } else {
    throw invalid(
      `replace operation does not apply: doc is missing key: ${pointer}: missing value`,
    );
  }
  return doc;
}

function requireString(op: JsonObject, field: "path" | "from", index: number): string {
  const value = op[field];
  if (typeof value !== "string") {
    throw invalid(`operation ${index} (${show(op)}): missing or non-string "${field}"`);
  }
  return value;
}

function requireValue(op: JsonObject, index: number): JsonValue {
  if (!Object.hasOwn(op, "value")) {
    throw invalid(`operation ${index} (${show(op)}): missing "value"`);
  }
  return clone(op.value);
}

/**
 * Checks that a request body is a JSON patch: a list of operation objects within upstream's
 * size limit.
 *
 * @throws {ApiError} 400 when it is not a list of objects, 413 when it has too many operations.
 */
export function decodeJsonPatch(body: unknown): JsonObject[] {
  if (!Array.isArray(body) || !body.every(isObject)) {
    throw ApiError.badRequest(
      "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
    );
  }
  if (body.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new ApiError(
      413,
      "RequestEntityTooLarge",
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${body.length}`,
    );
  }
  return body as JsonObject[];
}

/**
 * Applies an RFC 6902 patch. All or nothing: the input is never modified.
 *
 * @param document The current object.
 * @param patch The decoded request body (a list of operations).
 * @returns The patched copy.
 * @throws {ApiError} 400/413 for a malformed body (see {@link decodeJsonPatch}), 422 when an
 * operation does not apply.
 * @example
 * ```ts
 * applyJsonPatch({ a: [1] }, [{ op: "add", path: "/a/-", value: 2 }]); // { a: [1, 2] }
 * ```
 */
export function applyJsonPatch(document: JsonValue, patch: unknown): JsonValue {
  const ops = decodeJsonPatch(patch);
  let doc = clone(document);
  ops.forEach((op, index) => {
    const path = requireString(op, "path", index);
    switch (op.op) {
      case "add":
        doc = add(doc, path, requireValue(op, index));
        break;
      case "remove":
        doc = remove(doc, path);
        break;
      case "replace":
        doc = replace(doc, path, requireValue(op, index));
        break;
      case "move": {
        const from = requireString(op, "from", index);
        if (path !== from && path.startsWith(`${from}/`)) {
          throw invalid(`move operation does not apply: "from" ${from} is a prefix of "path"`);
        }
        const value = get(doc, from, "move");
        doc = add(remove(doc, from, "move"), path, value, "move");
        break;
      }
      case "copy": {
        const from = requireString(op, "from", index);
        doc = add(doc, path, clone(get(doc, from, "copy")), "copy");
        break;
      }
      case "test": {
        const expected = requireValue(op, index);
        let actual: JsonValue | undefined;
        try {
          actual = get(doc, path, "test");
        } catch {
          actual = undefined;
        }
        if (!deepEqual(actual, expected)) {
          throw invalid(`testing value ${path} failed: test failed`);
        }
        break;
      }
      default:
        throw invalid(`Unexpected kind: ${show(op.op)}`);
    }
  });
  return doc;
}
