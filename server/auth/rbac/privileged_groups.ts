/**
 * Upstream's superuser authoriser: members of `system:masters` may do anything, whatever RBAC
 * holds. It comes first in the chain, so the admin is never locked out, not even before the RBAC
 * index has synced or after someone deleted the `cluster-admin` binding.
 *
 * @module
 */
import { emptyRules, type RuleAuthorizer } from "./types.ts";

/** The group whose members bypass every other authoriser. */
export const SYSTEM_MASTERS = "system:masters";

/** Allows every request of the given groups' members; no opinion on anyone else. */
export function privilegedGroupsAuthorizer(groups: string[] = [SYSTEM_MASTERS]): RuleAuthorizer {
  const privileged = (userGroups: string[]) => userGroups.some((g) => groups.includes(g));
  return {
    authorize: (user) => (privileged(user.groups) ? { allowed: true } : { allowed: false }),
    // As upstream, the superuser adds no rules to SelfSubjectRulesReview: masters see what the
    // cluster-admin binding grants them, not the same wildcard twice.
    rulesFor: emptyRules,
  };
}
