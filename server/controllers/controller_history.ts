/**
 * ControllerRevisions as upstream's `controller/history` package keeps them for DaemonSets and
 * StatefulSets: each pod template a controller has had is one revision, named
 * `<owner>-<hash>`, labelled `controller-revision-hash`, numbered in the order templates became
 * current, and holding the patch that puts that template back (what `kubectl rollout undo`
 * applies; `kubectl rollout history` lists them with the owner's annotations, copied here).
 *
 * What is hashed differs on purpose, as upstream: the DaemonSet controller hashes the template,
 * the StatefulSet controller the revision data. Each controller also keeps its own rules for
 * matching and trimming revisions; this module holds what they share.
 *
 * @module
 */
import { clone } from "../../kube/deep_equal.ts";
import type { KubeObject } from "../../kube/types.ts";
import { newControllerRef } from "./controller_ref.ts";
import { byCreation } from "./deployment_rollout.ts";

/**
 * The label naming a revision by its hash, on revisions and on the pods made from them (upstream's
 * `ControllerRevisionHashLabel`).
 */
export const REVISION_HASH_LABEL = "controller-revision-hash";

/** The strategic-merge directive that makes a patch replace the template whole. */
const PATCH_DIRECTIVE = "$patch";

/** The data of an owner's revision: a patch that replaces `spec.template` with its own. */
export function revisionData(owner: KubeObject): Record<string, unknown> {
  return {
    spec: { template: { ...clone(owner.spec?.template ?? {}), [PATCH_DIRECTIVE]: "replace" } },
  };
}

/** The pod template a revision holds (undefined when it holds none). */
export function revisionTemplate(revision: KubeObject): KubeObject["spec"] {
  const template = revision.data?.spec?.template;
  if (template === null || typeof template !== "object") return undefined;
  const { [PATCH_DIRECTIVE]: _, ...stored } = clone(template);
  return stored;
}

/** A revision's `revision` number (0 when unset). */
export function revisionNumber(revision: KubeObject): number {
  return typeof revision.revision === "number" ? revision.revision : 0;
}

/**
 * Oldest first: by revision number, then creation time, then name (upstream's
 * `SortControllerRevisions`).
 */
export function sortRevisions(revisions: readonly KubeObject[]): KubeObject[] {
  return [...revisions].sort((a, b) => revisionNumber(a) - revisionNumber(b) || byCreation(a, b));
}

/** A revision's name: the owner's, then the hash of the template it holds (upstream's rule). */
export function controllerRevisionName(owner: KubeObject, hash: string): string {
  return `${owner.metadata.name}-${hash}`;
}

/**
 * A new revision of the owner's current template, named by `hash` (upstream's
 * `NewControllerRevision`, with the owner's annotations as both controllers copy them).
 *
 * @param data The owner's {@link revisionData}, when the caller already made it for the hash.
 */
export function newControllerRevision(
  owner: KubeObject,
  ownerType: { apiVersion: string; kind: string },
  hash: string,
  revision: number,
  data: Record<string, unknown> = revisionData(owner),
): KubeObject {
  const metadata: KubeObject["metadata"] = {
    name: controllerRevisionName(owner, hash),
    namespace: owner.metadata.namespace,
    labels: { ...owner.spec?.template?.metadata?.labels, [REVISION_HASH_LABEL]: hash },
    ownerReferences: [newControllerRef(owner, ownerType)],
  };
  // `kubectl rollout history` shows the owner's change-cause from here.
  if (owner.metadata.annotations) metadata.annotations = { ...owner.metadata.annotations };
  return {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata,
    data,
    revision,
  };
}
