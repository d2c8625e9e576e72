/**
 * The review endpoints: `kubectl auth whoami` (SelfSubjectReview), `kubectl auth can-i`
 * (SelfSubjectAccessReview), SubjectAccessReview, SelfSubjectRulesReview (`auth can-i --list`)
 * and TokenReview. Nothing is stored: each answers from the caller's identity, the authoriser
 * and the token authenticator.
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { Authorizer, RequestAttributes } from "./authz.ts";
import type { VirtualResource } from "./discovery.ts";
import { decodeObjectBody, jsonResponse, readBody } from "./http_io.ts";
import type { Authentication } from "./https_server.ts";
import type { RequestUser } from "./store_types.ts";
import type { ApiRequest } from "./api_request.ts";

interface ResourceAttributesSpec {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

/** Answers a POST to a review resource. */
export async function handleReview(
  request: ApiRequest,
  resource: VirtualResource,
  user: RequestUser,
  authorizer: Authorizer,
  authenticateToken?: (request: ApiRequest) => Promise<Authentication | undefined>,
): Promise<Response> {
  if (request.method !== "POST") {
    throw ApiError.methodNotAllowed(
      `the server does not allow this method on the requested resource`,
    );
  }
  const review = await decodeObjectBody(
    await readBody(request),
    request.headers.get("content-type"),
  ) as KubeObject;
  const apiVersion = `${resource.group}/${resource.version}`;
  const base = {
    apiVersion,
    kind: resource.kind,
    metadata: { ...(review.metadata ?? {}), creationTimestamp: null },
  };
  switch (resource.plural) {
    case "selfsubjectreviews":
      return jsonResponse(201, { ...base, status: { userInfo: userInfo(user) } });
    case "selfsubjectaccessreviews":
      return jsonResponse(201, {
        ...base,
        spec: review.spec ?? {},
        status: decide(authorizer, user, review.spec),
      });
    case "subjectaccessreviews": {
      const spec = review.spec ?? {};
      if (!spec.user && !(spec.groups?.length)) {
        throw ApiError.invalid(
          { resource: resource.plural, group: resource.group, kind: resource.kind },
          "",
          [{
            reason: "FieldValueRequired",
            message: "Required value: at least one of user or group must be specified",
            field: "spec.user",
          }],
        );
      }
      const subject: RequestUser = {
        name: spec.user ?? "",
        groups: spec.groups ?? [],
        uid: spec.uid,
        extra: spec.extra,
      };
      return jsonResponse(201, { ...base, spec, status: decide(authorizer, subject, spec) });
    }
    case "selfsubjectrulesreviews": {
      const namespace = review.spec?.namespace ?? "default";
      const status = authorizer.rulesFor?.(user, namespace) ??
        { resourceRules: [], nonResourceRules: [], incomplete: true };
      return jsonResponse(201, { ...base, spec: review.spec ?? {}, status });
    }
    case "tokenreviews": {
      const token = typeof review.spec?.token === "string" ? review.spec.token : "";
      const result = token && authenticateToken
        ? await authenticateToken(
          new Request("https://tokenreview.invalid/", {
            headers: { authorization: `Bearer ${token}` },
          }),
        )
        : undefined;
      const status = result && "user" in result
        ? {
          authenticated: true,
          user: userInfo(result.user),
          audiences: review.spec?.audiences ?? [],
        }
        : { authenticated: false, user: {}, error: result?.error ?? "invalid bearer token" };
      return jsonResponse(201, { ...base, spec: review.spec ?? {}, status });
    }
  }
  throw ApiError.pathNotFound();
}

function userInfo(user: RequestUser): Record<string, unknown> {
  const info: Record<string, unknown> = { username: user.name, groups: user.groups };
  if (user.uid) info.uid = user.uid;
  if (user.extra && Object.keys(user.extra).length) info.extra = user.extra;
  return info;
}

function decide(
  authorizer: Authorizer,
  user: RequestUser,
  spec: Record<string, unknown> | undefined,
) {
  const resourceAttributes = spec?.resourceAttributes as ResourceAttributesSpec | undefined;
  const nonResource = spec?.nonResourceAttributes as { path?: string; verb?: string } | undefined;
  let attributes: RequestAttributes;
  if (resourceAttributes) {
    attributes = {
      verb: resourceAttributes.verb ?? "",
      isResourceRequest: true,
      path: "",
      group: resourceAttributes.group ?? "",
      version: resourceAttributes.version ?? "",
      resource: resourceAttributes.resource,
      subresource: resourceAttributes.subresource || undefined,
      namespace: resourceAttributes.namespace || undefined,
      name: resourceAttributes.name || undefined,
    };
  } else if (nonResource) {
    attributes = {
      verb: nonResource.verb ?? "",
      isResourceRequest: false,
      path: nonResource.path ?? "",
      group: "",
      version: "",
    };
  } else {
    throw ApiError.badRequest("spec.resourceAttributes or spec.nonResourceAttributes is required");
  }
  const decision = authorizer.authorize(user, attributes);
  const status: Record<string, unknown> = { allowed: decision.allowed };
  if (decision.reason) status.reason = decision.reason;
  return status;
}
