/**
 * Several authorisers as one, in order: the first that allows decides; when none does, the
 * denial carries the last reason any of them gave (a node's "no relationship found", RBAC's
 * "role not found"). Rules for SelfSubjectRulesReview are the concatenation of what each
 * authoriser that can enumerate its rules reports; one that cannot makes the answer incomplete.
 *
 * @module
 */
import type { Authorizer, Decision } from "../../apiserver/authz.ts";
import { emptyRules, isRuleResolver, type RuleAuthorizer, type SubjectRules } from "./types.ts";

/**
 * Chains authorisers.
 *
 * @example
 * ```ts ignore
 * const authorizer = unionAuthorizer(privilegedGroupsAuthorizer(), nodeAuthorizer, rbac);
 * ```
 */
export function unionAuthorizer(...authorizers: Authorizer[]): RuleAuthorizer {
  return {
    authorize(user, attributes): Decision {
      let reason: string | undefined;
      for (const authorizer of authorizers) {
        const decision = authorizer.authorize(user, attributes);
        if (decision.allowed) return decision;
        if (decision.reason) reason = decision.reason;
      }
      return reason ? { allowed: false, reason } : { allowed: false };
    },
    rulesFor(user, namespace): SubjectRules {
      const rules = emptyRules();
      const errors: string[] = [];
      for (const authorizer of authorizers) {
        if (!isRuleResolver(authorizer)) {
          rules.incomplete = true;
          continue;
        }
        const part = authorizer.rulesFor(user, namespace);
        rules.resourceRules.push(...part.resourceRules);
        rules.nonResourceRules.push(...part.nonResourceRules);
        if (part.incomplete) rules.incomplete = true;
        if (part.evaluationError) errors.push(part.evaluationError);
      }
      if (errors.length) {
        rules.evaluationError = errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`;
      }
      return rules;
    },
  };
}
