/**
 * The contracts of RBAC authorisation: the rbac.authorization.k8s.io/v1 shapes the authorisers
 * read (PolicyRule, Subject, RoleRef), the rules a user holds as SelfSubjectRulesReview reports
 * them, and {@link RuleResolver}, which authorisers that can enumerate their rules implement.
 *
 * @module
 */
import type { Authorizer, RulesReviewStatus } from "../../apiserver/authz.ts";
import type { RequestUser } from "../../apiserver/store_types.ts";

/** The API group of Role, ClusterRole, RoleBinding and ClusterRoleBinding. */
export const RBAC_GROUP = "rbac.authorization.k8s.io";

/** The four RBAC kinds. */
export type RbacKind = "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding";

/** rbac/v1 PolicyRule: what a role allows. Empty or missing lists match nothing. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** rbac/v1 Subject: who a binding grants its role to. */
export interface Subject {
  /** `User`, `Group` or `ServiceAccount`. */
  kind: string;
  name: string;
  /** For service accounts; a RoleBinding defaults it to its own namespace. */
  namespace?: string;
  apiGroup?: string;
}

/** rbac/v1 RoleRef: the role a binding grants. */
export interface RoleRef {
  apiGroup: string;
  /** `Role` or `ClusterRole`. */
  kind: string;
  name: string;
}

/** authorization/v1 ResourceRule, one entry of `SelfSubjectRulesReview.status.resourceRules`. */
export type ResourceRule = RulesReviewStatus["resourceRules"][number];

/** authorization/v1 NonResourceRule. */
export type NonResourceRule = RulesReviewStatus["nonResourceRules"][number];

/** What a user may do in one namespace: `SelfSubjectRulesReview.status`. */
export type SubjectRules = RulesReviewStatus;

/** An authoriser that can list the rules it applies to a user (upstream's `RuleResolver`). */
export interface RuleResolver {
  rulesFor(user: RequestUser, namespace: string): SubjectRules;
}

/** An authoriser that also answers SelfSubjectRulesReview. */
export type RuleAuthorizer = Authorizer & RuleResolver;

/** True when an authoriser can enumerate its rules. */
export function isRuleResolver(value: Authorizer): value is RuleAuthorizer {
  return typeof (value as Partial<RuleResolver>).rulesFor === "function";
}

/** Nothing allowed, nothing unknown. */
export function emptyRules(): SubjectRules {
  return { resourceRules: [], nonResourceRules: [], incomplete: false };
}
