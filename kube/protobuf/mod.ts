/**
 * Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), as kubectl 1.32
 * sends them for imperative `create` commands, `create token`, `auth can-i` and `auth whoami`.
 *
 * @example
 * ```ts
 * import { decodeKubeProtobuf, isKubeProtobuf } from "./mod.ts";
 *
 * async function readBody(request: Request) {
 *   if (isKubeProtobuf(request.headers.get("content-type"))) {
 *     return decodeKubeProtobuf(new Uint8Array(await request.arrayBuffer()));
 *   }
 *   return await request.json();
 * }
 * ```
 *
 * @module
 */
export { decodeKubeProtobuf, type DecodeOptions } from "./decode.ts";
export { isKubeProtobuf, KUBE_PROTOBUF } from "./media_type.ts";
export { supportedKinds } from "./kinds.ts";
