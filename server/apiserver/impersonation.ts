/**
 * Impersonation (`kubectl --as`, `--as-group`, `--as-uid`): the `Impersonate-*` headers replace
 * the caller's identity when the caller may `impersonate` each part of the requested one, as
 * upstream's impersonation filter decides it.
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";
import type { Authorizer, RequestAttributes } from "./authz.ts";
import type { RequestUser } from "./store_types.ts";
import type { HeaderRecord } from "./api_request.ts";

const USER_HEADER = "impersonate-user";
const GROUP_HEADER = "impersonate-group";
const UID_HEADER = "impersonate-uid";
const EXTRA_PREFIX = "impersonate-extra-";
const SERVICE_ACCOUNT = /^system:serviceaccount:([^:]+):([^:]+)$/;

/** True when the request asks to act as someone else. */
export function wantsImpersonation(headers: HeaderRecord): boolean {
  for (const name in headers) {
    if (name === USER_HEADER || name === GROUP_HEADER || name === UID_HEADER) return true;
    if (name.startsWith(EXTRA_PREFIX)) return true;
  }
  return false;
}

function impersonateAttributes(
  resource: string,
  name: string,
  group = "",
  namespace?: string,
  subresource?: string,
): RequestAttributes {
  return {
    verb: "impersonate",
    isResourceRequest: true,
    path: "",
    group,
    version: "",
    resource,
    subresource,
    name,
    namespace,
  };
}

/**
 * The identity to serve the request as. Throws 403 (upstream's wording) when the caller may not
 * impersonate a part, 400 when groups, uid or extras come without a user.
 */
export function impersonate(
  headers: HeaderRecord,
  caller: RequestUser,
  authorizer: Authorizer,
): RequestUser {
  const userName = headers[USER_HEADER] ?? "";
  // Repeated headers arrive joined with ", ".
  const groups = (headers[GROUP_HEADER] ?? "").split(",").map((g) => g.trim())
    .filter(Boolean);
  const uid = headers[UID_HEADER] || undefined;
  const extraEntries: [string, string[]][] = [];
  for (const name in headers) {
    if (!name.startsWith(EXTRA_PREFIX)) continue;
    const value = headers[name];
    let key: string;
    try {
      key = decodeURIComponent(name.slice(EXTRA_PREFIX.length));
    } catch {
      throw ApiError.badRequest(`the header ${name} is not valid percent-encoding`);
    }
    extraEntries.push([key, value.split(",").map((v) => v.trim())]);
  }
  // Own properties whatever the key: assigning `extra["__proto__"]` would set the prototype
  // instead, and that extra would skip its authorisation check below.
  const extra: Record<string, string[]> = Object.fromEntries(extraEntries);
  if (!userName) {
    throw ApiError.badRequest(
      "impersonation requires a user: Impersonate-Group, Impersonate-Uid and " +
        "Impersonate-Extra-* need Impersonate-User",
    );
  }

  const checks: RequestAttributes[] = [];
  const serviceAccount = SERVICE_ACCOUNT.exec(userName);
  checks.push(
    serviceAccount
      ? impersonateAttributes("serviceaccounts", serviceAccount[2], "", serviceAccount[1])
      : impersonateAttributes("users", userName),
  );
  for (const group of groups) checks.push(impersonateAttributes("groups", group));
  if (uid) checks.push(impersonateAttributes("uids", uid, "authentication.k8s.io"));
  for (const [key, values] of Object.entries(extra)) {
    for (const value of values) {
      checks.push(
        impersonateAttributes("userextras", value, "authentication.k8s.io", undefined, key),
      );
    }
  }
  for (const attributes of checks) {
    const decision = authorizer.authorize(caller, attributes);
    if (!decision.allowed) {
      const resource = attributes.subresource
        ? `${attributes.resource}/${attributes.subresource}`
        : attributes.resource!;
      throw ApiError.forbidden(
        caller.name,
        "impersonate",
        { resource, group: attributes.group },
        attributes.name,
        attributes.namespace,
        decision.reason,
      );
    }
  }

  const impersonatedGroups = [...groups];
  if (serviceAccount) {
    impersonatedGroups.push(
      "system:serviceaccounts",
      `system:serviceaccounts:${serviceAccount[1]}`,
    );
  }
  if (userName !== "system:anonymous" && !impersonatedGroups.includes("system:authenticated")) {
    impersonatedGroups.push("system:authenticated");
  }
  return {
    name: userName,
    groups: impersonatedGroups,
    ...(uid ? { uid } : {}),
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
}
