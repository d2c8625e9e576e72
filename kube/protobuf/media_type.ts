/**
 * The Kubernetes protobuf media type, apart from the decoder: telling a protobuf body from JSON
 * is on every request's path, while decoding one (and loading the message descriptors) is only
 * on the path of the few kubectl commands that send it.
 *
 * @module
 */

/** The protobuf media type, without parameters. */
export const KUBE_PROTOBUF = "application/vnd.kubernetes.protobuf";

/**
 * Whether a `Content-Type` header names Kubernetes protobuf (parameters ignored, case-insensitive).
 *
 * @example
 * ```ts
 * isKubeProtobuf("application/vnd.kubernetes.protobuf"); // true
 * isKubeProtobuf("application/json"); // false
 * ```
 */
export function isKubeProtobuf(contentType: string | null | undefined): boolean {
  if (!contentType) return false;
  return contentType.split(";")[0].trim().toLowerCase() === KUBE_PROTOBUF;
}
