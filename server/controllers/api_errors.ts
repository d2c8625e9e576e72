/**
 * The API errors controllers tell apart beyond 404 and 409 (`isNotFound`, `isConflict` in
 * kube/errors.ts): writing into a namespace that is being deleted (403, which the namespace's
 * own deletion makes moot).
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";

/** A create refused because its namespace is terminating. */
export function isNamespaceTerminating(error: unknown): boolean {
  return error instanceof ApiError && error.code === 403 &&
    /because it is being terminated/.test(error.message);
}

/** The message of an error, for events and conditions. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
