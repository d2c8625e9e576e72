/**
 * Authorisation: the attributes of a request and the decision about them. Until RBAC lands,
 * `system:masters` may do everything and every authenticated user may only discover the API and
 * ask about itself, as upstream's `system:discovery` and `system:basic-user` roles allow.
 *
 * @module
 */
import type { RequestUser } from "./store_types.ts";

/** What a request wants to do, as upstream's `authorizer.Attributes`. */
export interface RequestAttributes {
  verb: string;
  isResourceRequest: boolean;
  path: string;
  group: string;
  version: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** A decision. */
export interface Decision {
  allowed: boolean;
  reason?: string;
}

/** What a user may do in one namespace, as `SelfSubjectRulesReview.status` reports it. */
export interface RulesReviewStatus {
  resourceRules: {
    verbs: string[];
    apiGroups?: string[];
    resources?: string[];
    resourceNames?: string[];
  }[];
  nonResourceRules: { verbs: string[]; nonResourceURLs?: string[] }[];
  /** True when some authoriser cannot enumerate what it would allow. */
  incomplete: boolean;
  evaluationError?: string;
}

/** Decides whether a user may do something. */
export interface Authorizer {
  authorize(user: RequestUser, attributes: RequestAttributes): Decision;
  /** The rules the user holds in a namespace, when this authoriser can list them. */
  rulesFor?(user: RequestUser, namespace: string): RulesReviewStatus;
}

/** Paths any authenticated user may read (upstream's system:discovery + public-info-viewer). */
const DISCOVERY_PATHS = [
  /^\/api\/?$/,
  /^\/api\/v1\/?$/,
  /^\/apis(\/[^/]+){0,2}\/?$/,
  /^\/openapi\/v[23](\/.*)?$/,
  /^\/version\/?$/,
  /^\/(healthz|livez|readyz)(\/.*)?$/,
];

/** Self-review endpoints any authenticated user may create (upstream's system:basic-user). */
const SELF_REVIEWS = new Set([
  "selfsubjectaccessreviews",
  "selfsubjectrulesreviews",
  "selfsubjectreviews",
]);

/** The authoriser of a cluster without RBAC: masters do anything, others only discover. */
export const mastersOnlyAuthorizer: Authorizer = {
  authorize(user, attributes) {
    if (user.groups.includes("system:masters")) return { allowed: true };
    if (!attributes.isResourceRequest) {
      if (attributes.verb === "get" && DISCOVERY_PATHS.some((re) => re.test(attributes.path))) {
        return { allowed: true };
      }
      return { allowed: false };
    }
    if (attributes.verb === "create" && SELF_REVIEWS.has(attributes.resource ?? "")) {
      return { allowed: true };
    }
    return { allowed: false };
  },
};
