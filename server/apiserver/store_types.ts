/**
 * Options and results of the generic REST store. They are the in-process client's vocabulary
 * too: controllers call the store with these, the HTTP handler parses them from query strings.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";

/** How unknown or duplicate fields in a write are treated (`?fieldValidation=`). */
export type FieldValidation = "Strict" | "Warn" | "Ignore";

/** Who is asking; admission and field managers use it. */
export interface RequestUser {
  name: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

/** Options of create, update and patch. */
export interface WriteOptions {
  /** `dryRun=All`: run everything, store nothing. */
  dryRun?: boolean;
  /** `?fieldManager=`, or derived from the User-Agent by the handler. */
  fieldManager?: string;
  fieldValidation?: FieldValidation;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
  /** The caller, for admission. */
  user?: RequestUser;
}

/** The result of a write. */
export interface WriteResult {
  object: KubeObject;
  /** True when the write created the object (201). */
  created: boolean;
  /** `Warning` headers (unknown fields under `fieldValidation=Warn`). */
  warnings: string[];
}

/** Options of list. */
export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

/** Options of watch. */
export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Unset or "0": start with synthetic ADDED events for what exists. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  signal: AbortSignal;
}

/** One event of a watch stream. */
export interface ApiWatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: KubeObject;
}

/** metav1.DeleteOptions. */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
  user?: RequestUser;
}

/** The result of a delete. */
export interface DeleteResult {
  /** The object as deleted, or as it now stands when deletion is pending (finalizers, grace). */
  object: KubeObject;
  /** False when the object still exists with a deletionTimestamp. */
  deleted: boolean;
}

/** The patch content types the API accepts. */
export type PatchType = "json" | "merge" | "strategic" | "apply";

/** Maps a request Content-Type to a {@link PatchType}. */
export function patchTypeOf(contentType: string): PatchType | undefined {
  const base = contentType.split(";")[0].trim().toLowerCase();
  switch (base) {
    case "application/json-patch+json":
      return "json";
    case "application/merge-patch+json":
      return "merge";
    case "application/strategic-merge-patch+json":
      return "strategic";
    case "application/apply-patch+yaml":
    case "application/apply-patch+cbor":
      return "apply";
  }
  return undefined;
}
