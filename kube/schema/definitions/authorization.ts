/**
 * authorization.k8s.io/v1: access reviews (`kubectl auth can-i`).
 *
 * @module
 */
import { arr, bool, kind, map, META, obj, ref, str, strs } from "../dsl.ts";
import type { Schema, SchemaSet } from "../types.ts";

const PKG = "io.k8s.api.authorization.v1";
const AUTHZ = `${PKG}.`;
const v1 = { group: "authorization.k8s.io", version: "v1" };

function authz(name: string, description?: string): Schema {
  return ref(AUTHZ + name, description);
}

function attributes(): Record<string, Schema> {
  return {
    nonResourceAttributes: authz("NonResourceAttributes", "A non-resource request to check."),
    resourceAttributes: authz("ResourceAttributes", "A resource request to check."),
  };
}

const reviewStatus = () => authz("SubjectAccessReviewStatus", "Whether the request is allowed.");

/** The authorization.k8s.io/v1 schemas k3ts serves. */
export const AUTHORIZATION_SCHEMAS: SchemaSet = {
  [`${AUTHZ}SelfSubjectAccessReview`]: kind(
    { ...v1, kind: "SelfSubjectAccessReview" },
    "Asks whether the caller may perform an action.",
    {
      spec: authz("SelfSubjectAccessReviewSpec", "The action to check."),
      status: reviewStatus(),
    },
    { required: ["spec"] },
  ),
  [`${AUTHZ}SelfSubjectAccessReviewSpec`]: obj(attributes(), {
    description: "The action to check; exactly one attribute set is given.",
  }),
  [`${AUTHZ}SubjectAccessReview`]: kind(
    { ...v1, kind: "SubjectAccessReview" },
    "Asks whether a user may perform an action.",
    {
      spec: authz("SubjectAccessReviewSpec", "The user and action to check."),
      status: reviewStatus(),
    },
    { required: ["spec"] },
  ),
  [`${AUTHZ}LocalSubjectAccessReview`]: kind(
    { ...v1, kind: "LocalSubjectAccessReview" },
    "Asks whether a user may perform an action in one namespace.",
    {
      spec: authz("SubjectAccessReviewSpec", "The user and action to check."),
      status: reviewStatus(),
    },
    { required: ["spec"] },
  ),
  [`${AUTHZ}SubjectAccessReviewSpec`]: obj({
    ...attributes(),
    extra: map(strs(), "Extra attributes of the user."),
    groups: strs("Groups of the user."),
    uid: str("UID of the user."),
    user: str("Name of the user."),
  }, { description: "A user and the action to check." }),
  [`${AUTHZ}ResourceAttributes`]: obj({
    fieldSelector: authz("FieldSelectorAttributes", "Field selector of a list or watch."),
    group: str("API group; * for all."),
    labelSelector: authz("LabelSelectorAttributes", "Label selector of a list or watch."),
    name: str("Object name; all when empty."),
    namespace: str("Namespace; all when empty."),
    resource: str("Resource; * for all."),
    subresource: str("Subresource; * for all."),
    verb: str("Verb, such as get or list; * for all."),
    version: str("API version; * for all."),
  }, { description: "A resource request." }),
  [`${AUTHZ}FieldSelectorAttributes`]: obj({
    rawSelector: str("The selector as sent in a query."),
    requirements: arr(ref(`${META}FieldSelectorRequirement`), {
      description: "Parsed requirements.",
      listType: "atomic",
    }),
  }, { description: "A field selector of a request." }),
  [`${AUTHZ}LabelSelectorAttributes`]: obj({
    rawSelector: str("The selector as sent in a query."),
    requirements: arr(ref(`${META}LabelSelectorRequirement`), {
      description: "Parsed requirements.",
      listType: "atomic",
    }),
  }, { description: "A label selector of a request." }),
  [`${AUTHZ}NonResourceAttributes`]: obj({
    path: str("URL path."),
    verb: str("HTTP verb, lower case."),
  }, { description: "A non-resource request." }),
  [`${AUTHZ}SubjectAccessReviewStatus`]: obj({
    allowed: bool("Whether the action is allowed."),
    denied: bool("Whether the action is explicitly denied."),
    evaluationError: str("Problem evaluating the request, if any."),
    reason: str("Why it was allowed or denied."),
  }, { description: "The answer of an access review.", required: ["allowed"] }),
  [`${AUTHZ}SelfSubjectRulesReview`]: kind(
    { ...v1, kind: "SelfSubjectRulesReview" },
    "Lists what the caller may do in a namespace.",
    {
      spec: authz("SelfSubjectRulesReviewSpec", "The namespace to list rules for."),
      status: authz("SubjectRulesReviewStatus", "The rules."),
    },
    { required: ["spec"] },
  ),
  [`${AUTHZ}SelfSubjectRulesReviewSpec`]: obj({
    namespace: str("Namespace to evaluate."),
  }, { description: "What to review." }),
  [`${AUTHZ}SubjectRulesReviewStatus`]: obj({
    evaluationError: str("Problem evaluating the rules, if any."),
    incomplete: bool("Whether the list may be missing rules."),
    nonResourceRules: arr(authz("NonResourceRule"), {
      description: "Non-resource rules.",
      listType: "atomic",
    }),
    resourceRules: arr(authz("ResourceRule"), {
      description: "Resource rules.",
      listType: "atomic",
    }),
  }, {
    description: "The rules of a subject.",
    required: ["resourceRules", "nonResourceRules", "incomplete"],
  }),
  [`${AUTHZ}ResourceRule`]: obj({
    apiGroups: strs("API groups."),
    resourceNames: strs("Object names."),
    resources: strs("Resources."),
    verbs: strs("Verbs."),
  }, { description: "Allowed actions on resources.", required: ["verbs"] }),
  [`${AUTHZ}NonResourceRule`]: obj({
    nonResourceURLs: strs("URL paths."),
    verbs: strs("Verbs."),
  }, { description: "Allowed actions on URLs.", required: ["verbs"] }),
};
