/**
 * authentication.k8s.io/v1: token reviews, token requests and `kubectl auth whoami`.
 *
 * @module
 */
import { bool, int64, kind, map, obj, ref, str, strs, time } from "../dsl.ts";
import type { Schema, SchemaSet } from "../types.ts";

const PKG = "io.k8s.api.authentication.v1";
const AUTHN = `${PKG}.`;
const v1 = { group: "authentication.k8s.io", version: "v1" };

function authn(name: string, description?: string): Schema {
  return ref(AUTHN + name, description);
}

/** The authentication.k8s.io/v1 schemas k3ts serves. */
export const AUTHENTICATION_SCHEMAS: SchemaSet = {
  [`${AUTHN}UserInfo`]: obj({
    extra: map(strs(), "Extra attributes from the authenticator."),
    groups: strs("Groups the user belongs to."),
    uid: str("Unique identifier of the user."),
    username: str("Name of the user."),
  }, { description: "An authenticated user." }),
  [`${AUTHN}SelfSubjectReview`]: kind(
    { ...v1, kind: "SelfSubjectReview" },
    "Tells the caller who the server thinks they are.",
    {
      status: authn("SelfSubjectReviewStatus", "The caller's identity."),
    },
  ),
  [`${AUTHN}SelfSubjectReviewStatus`]: obj({
    userInfo: authn("UserInfo", "The caller's identity."),
  }, { description: "The result of a self subject review." }),
  [`${AUTHN}TokenReview`]: kind(
    { ...v1, kind: "TokenReview" },
    "Asks the server to authenticate a token.",
    {
      spec: authn("TokenReviewSpec", "The token."),
      status: authn("TokenReviewStatus", "The result."),
    },
    { required: ["spec"] },
  ),
  [`${AUTHN}TokenReviewSpec`]: obj({
    audiences: strs("Audiences the token must be valid for."),
    token: str("The bearer token."),
  }, { description: "A token to check." }),
  [`${AUTHN}TokenReviewStatus`]: obj({
    audiences: strs("Audiences the token is valid for."),
    authenticated: bool("Whether the token is valid."),
    error: str("Why the token is not valid."),
    user: authn("UserInfo", "The user the token belongs to."),
  }, { description: "The result of a token review." }),
  [`${AUTHN}TokenRequest`]: kind(
    { ...v1, kind: "TokenRequest" },
    "Asks for a token of a service account.",
    {
      spec: authn("TokenRequestSpec", "Audiences and lifetime of the token."),
      status: authn("TokenRequestStatus", "The issued token."),
    },
    { required: ["spec"] },
  ),
  [`${AUTHN}TokenRequestSpec`]: obj({
    audiences: strs("Audiences of the token; the API server's by default."),
    boundObjectRef: authn("BoundObjectReference", "Object the token is bound to."),
    expirationSeconds: int64("Requested lifetime in seconds."),
  }, { description: "A token request.", required: ["audiences"] }),
  [`${AUTHN}BoundObjectReference`]: obj({
    apiVersion: str("API version of the referent."),
    kind: str("Pod, Secret or Node."),
    name: str("Name of the referent."),
    uid: str("UID of the referent."),
  }, { description: "An object a token is bound to." }),
  [`${AUTHN}TokenRequestStatus`]: obj({
    expirationTimestamp: time("When the token expires."),
    token: str("The token."),
  }, { description: "An issued token.", required: ["token", "expirationTimestamp"] }),
};
