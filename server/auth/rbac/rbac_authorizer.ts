/**
 * The RBAC authoriser of a running server: a {@link PolicyIndex} kept current by list-then-watch
 * of the four RBAC stores. Decisions are synchronous reads of the index, so the request path
 * never waits on the datastore.
 *
 * @module
 */
import type { Decision, RequestAttributes } from "../../apiserver/authz.ts";
import type { StoreSet } from "../../apiserver/handler.ts";
import type { RequestUser } from "../../apiserver/store_types.ts";
import type { Logger } from "../../log.ts";
import { runInformer, untilAborted } from "../../../kube/informers/informer.ts";
import { inProcessListWatch } from "../../apiserver/in_process_list_watch.ts";
import { PolicyIndex } from "./policy_index.ts";
import { RBAC_GROUP, type RbacKind, type RuleAuthorizer, type SubjectRules } from "./types.ts";

/** A running RBAC authoriser. */
export interface RbacAuthorizer extends RuleAuthorizer {
  /** Decides from the index as it stands (synchronous; implements `Authorizer`). */
  authorize(user: RequestUser, attributes: RequestAttributes): Decision;
  /** The rules a user holds in a namespace, for SelfSubjectRulesReview. */
  rulesFor(user: RequestUser, namespace: string): SubjectRules;
  /** Resolves once all four kinds have been listed into the index; rejects if stopped first. */
  synced(): Promise<void>;
  /** Settles when the watches have stopped after the signal aborted. */
  readonly done: Promise<void>;
  /** The index itself (tests and the benchmark read it). */
  readonly index: PolicyIndex;
}

/** Options of {@link startRbacAuthorizer}. */
export interface RbacAuthorizerOptions {
  signal: AbortSignal;
  logger: Logger;
  /** First restart delay of a failed watch (doubles up to 10 s). */
  minBackoffMs?: number;
}

const KINDS: readonly RbacKind[] = ["ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding"];

/**
 * Starts following the RBAC stores. Resolves at once; await {@link RbacAuthorizer.synced}
 * before trusting a denial.
 *
 * @example
 * ```ts ignore
 * const rbac = await startRbacAuthorizer(stores, { signal, logger });
 * await rbac.synced();
 * rbac.authorize(user, attributes);
 * ```
 */
export function startRbacAuthorizer(
  stores: StoreSet,
  options: RbacAuthorizerOptions,
): Promise<RbacAuthorizer> {
  const index = new PolicyIndex();
  const listed = new Set<RbacKind>();
  let markSynced!: () => void;
  const allListed = new Promise<void>((resolve) => markSynced = resolve);
  const loops = KINDS.map((kind) =>
    runInformer(inProcessListWatch(stores.forKind(RBAC_GROUP, kind), stores.deps.backend), {
      replace(items) {
        index.replace(kind, items);
        listed.add(kind);
        if (listed.size === KINDS.length) markSynced();
      },
      apply(type, object) {
        index.apply(type, { ...object, kind });
      },
    }, {
      signal: options.signal,
      logger: options.logger,
      name: `rbac-${kind.toLowerCase()}s`,
      minBackoffMs: options.minBackoffMs,
    })
  );
  const done = Promise.allSettled(loops).then(() => undefined);
  return Promise.resolve({
    index,
    done,
    authorize: (user, attributes) => index.authorize(user, attributes),
    rulesFor: (user, namespace) => index.rulesFor(user, namespace),
    synced: () => untilAborted(allListed, options.signal),
  });
}
