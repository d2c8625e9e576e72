/**
 * Protobuf descriptors for authorization.k8s.io/v1 access and rules reviews and authentication.k8s.io/v1 TokenRequest, TokenReview, SelfSubjectReview.
 *
 * Field numbers are those of the k8s.io/api and apimachinery `generated.proto` files as built into
 * kubectl 1.32; JSON names and flags follow the Go types' `json` tags (see `schema.ts`).
 *
 * @module
 */
import type { MessageTable } from "../schema.ts";

/** Authorization.k8s.io/v1 access reviews and authentication.k8s.io/v1 TokenRequest, TokenReview, SelfSubjectReview. */
export const AUTH: MessageTable = {
  "authorization.SelfSubjectAccessReview": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "authorization.SelfSubjectAccessReviewSpec"],
    3: ["status", "authorization.SubjectAccessReviewStatus"],
  },
  "authorization.SelfSubjectAccessReviewSpec": {
    1: ["resourceAttributes", "authorization.ResourceAttributes", "ptr"],
    2: ["nonResourceAttributes", "authorization.NonResourceAttributes", "ptr"],
  },
  "authorization.ResourceAttributes": {
    1: ["namespace", "string"],
    2: ["verb", "string"],
    3: ["group", "string"],
    4: ["version", "string"],
    5: ["resource", "string"],
    6: ["subresource", "string"],
    7: ["name", "string"],
    8: ["fieldSelector", "authorization.FieldSelectorAttributes", "ptr"],
    9: ["labelSelector", "authorization.LabelSelectorAttributes", "ptr"],
  },
  "authorization.FieldSelectorAttributes": {
    1: ["rawSelector", "string"],
    2: ["requirements", "meta.FieldSelectorRequirement", "rep"],
  },
  "authorization.LabelSelectorAttributes": {
    1: ["rawSelector", "string"],
    2: ["requirements", "meta.LabelSelectorRequirement", "rep"],
  },
  "authorization.NonResourceAttributes": {
    1: ["path", "string"],
    2: ["verb", "string"],
  },
  "authorization.SubjectAccessReviewStatus": {
    1: ["allowed", "bool", "keep"],
    4: ["denied", "bool"],
    2: ["reason", "string"],
    3: ["evaluationError", "string"],
  },
  "authorization.SubjectAccessReview": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "authorization.SubjectAccessReviewSpec"],
    3: ["status", "authorization.SubjectAccessReviewStatus"],
  },
  "authorization.SubjectAccessReviewSpec": {
    1: ["resourceAttributes", "authorization.ResourceAttributes", "ptr"],
    2: ["nonResourceAttributes", "authorization.NonResourceAttributes", "ptr"],
    3: ["user", "string"],
    4: ["groups", "string", "rep"],
    5: ["extra", "map<extravalue>"],
    6: ["uid", "string"],
  },
  "authorization.LocalSubjectAccessReview": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "authorization.SubjectAccessReviewSpec"],
    3: ["status", "authorization.SubjectAccessReviewStatus"],
  },
  "authorization.SelfSubjectRulesReview": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "authorization.SelfSubjectRulesReviewSpec"],
    3: ["status", "authorization.SubjectRulesReviewStatus"],
  },
  "authorization.SelfSubjectRulesReviewSpec": {
    1: ["namespace", "string"],
  },
  "authorization.SubjectRulesReviewStatus": {
    1: ["resourceRules", "authorization.ResourceRule", "rep"],
    2: ["nonResourceRules", "authorization.NonResourceRule", "rep"],
    3: ["incomplete", "bool", "keep"],
    4: ["evaluationError", "string"],
  },
  "authorization.ResourceRule": {
    1: ["verbs", "string", "rep"],
    2: ["apiGroups", "string", "rep"],
    3: ["resources", "string", "rep"],
    4: ["resourceNames", "string", "rep"],
  },
  "authorization.NonResourceRule": {
    1: ["verbs", "string", "rep"],
    2: ["nonResourceURLs", "string", "rep"],
  },
  "authentication.TokenRequest": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "authentication.TokenRequestSpec"],
    3: ["status", "authentication.TokenRequestStatus"],
  },
  "authentication.TokenRequestSpec": {
    1: ["audiences", "string", "rep"],
    4: ["expirationSeconds", "int64", "ptr"],
    3: ["boundObjectRef", "authentication.BoundObjectReference", "ptr"],
  },
  "authentication.BoundObjectReference": {
    1: ["kind", "string"],
    2: ["apiVersion", "string"],
    3: ["name", "string"],
    4: ["uid", "string"],
  },
  "authentication.TokenRequestStatus": {
    1: ["token", "string", "keep"],
    2: ["expirationTimestamp", "time"],
  },
  "authentication.SelfSubjectReview": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["status", "authentication.SelfSubjectReviewStatus"],
  },
  "authentication.SelfSubjectReviewStatus": {
    1: ["userInfo", "authentication.UserInfo"],
  },
  "authentication.UserInfo": {
    1: ["username", "string"],
    2: ["uid", "string"],
    3: ["groups", "string", "rep"],
    4: ["extra", "map<extravalue>"],
  },
  "authentication.TokenReview": {
    1: ["metadata", "meta.ObjectMeta"],
    2: ["spec", "authentication.TokenReviewSpec"],
    3: ["status", "authentication.TokenReviewStatus"],
  },
  "authentication.TokenReviewSpec": {
    1: ["token", "string"],
    2: ["audiences", "string", "rep"],
  },
  "authentication.TokenReviewStatus": {
    1: ["authenticated", "bool"],
    2: ["user", "authentication.UserInfo"],
    4: ["audiences", "string", "rep"],
    3: ["error", "string"],
  },
};
