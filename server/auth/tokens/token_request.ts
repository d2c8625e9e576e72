/**
 * `POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token`: turns a TokenRequest into a
 * signed token (what `kubectl create token` and the kubelet's projected volumes call). Nothing
 * is stored; the answer is the request with `status.token` filled in.
 *
 * @module
 */
import { ApiError, fieldErrors } from "../../../kube/errors.ts";
import { type KubeObject, parseApiVersion } from "../../../kube/types.ts";
import {
  DEFAULT_API_AUDIENCES,
  type ObjectRef,
  type ServiceAccountTokens,
} from "./service_account_tokens.ts";

/** Upstream's default lifetime of a requested token (one hour). */
export const DEFAULT_EXPIRATION_SECONDS = 3600;
/** Shortest lifetime a client may ask for (ten minutes). */
export const MIN_EXPIRATION_SECONDS = 600;
/** Longest lifetime a client may ask for (2^32 seconds). */
export const MAX_EXPIRATION_SECONDS = 2 ** 32;

const GROUP = "authentication.k8s.io";

/** Finds objects by kind; `StoreSet` satisfies it. */
export interface ObjectFinder {
  /** The store of a core kind (`group` ""), with a `find` that answers undefined when absent. */
  forKind(group: string, kind: string): {
    find(namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  };
}

/** What {@link createTokenRequest} needs. */
export interface TokenRequestDeps {
  /** The cluster's objects (ServiceAccounts, Pods, Secrets, Nodes). */
  objects: ObjectFinder;
  /** Signs the token. */
  tokens: ServiceAccountTokens;
  /** Audiences used when the request names none; {@link DEFAULT_API_AUDIENCES} when omitted. */
  audiences?: readonly string[];
  /** `--service-account-max-token-expiration`: longer requests are shortened to it. */
  maxExpirationSeconds?: number;
}

/** authentication.k8s.io/v1 BoundObjectReference. */
export interface BoundObjectReference {
  /** `Pod`, `Secret` or `Node`. */
  kind?: string;
  /** `v1`. */
  apiVersion?: string;
  /** The object's name, in the request's namespace (Nodes: cluster-wide). */
  name?: string;
  /** When set, must equal the object's current uid. */
  uid?: string;
}

/** authentication.k8s.io/v1 TokenRequest as answered. */
export interface TokenRequest {
  /** Always `TokenRequest`. */
  kind: "TokenRequest";
  /** Always `authentication.k8s.io/v1`. */
  apiVersion: "authentication.k8s.io/v1";
  /** The ServiceAccount's name and namespace. */
  metadata: { name: string; namespace: string; creationTimestamp: null };
  /** The request as granted (defaults filled in, lifetime possibly capped). */
  spec: {
    audiences: string[];
    expirationSeconds: number;
    boundObjectRef: BoundObjectReference | null;
  };
  /** The token and when it expires (RFC 3339). */
  status: { token: string; expirationTimestamp: string };
}

interface ParsedSpec {
  audiences: string[] | undefined;
  expirationSeconds: number;
  boundObjectRef: BoundObjectReference | undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseSpec(body: unknown): ParsedSpec {
  if (!isObject(body)) throw ApiError.badRequest("the request body must be a JSON object");
  const spec = body.spec ?? {};
  if (!isObject(spec)) throw ApiError.badRequest("spec: must be an object");
  const { audiences, expirationSeconds, boundObjectRef } = spec;
  if (
    audiences !== undefined && audiences !== null &&
    !(Array.isArray(audiences) && audiences.every((a) => typeof a === "string"))
  ) {
    throw ApiError.badRequest("spec.audiences: must be a list of strings");
  }
  if (
    expirationSeconds !== undefined && expirationSeconds !== null &&
    !Number.isInteger(expirationSeconds)
  ) {
    throw ApiError.badRequest("spec.expirationSeconds: must be an integer");
  }
  if (boundObjectRef !== undefined && boundObjectRef !== null && !isObject(boundObjectRef)) {
    throw ApiError.badRequest("spec.boundObjectRef: must be an object");
  }
  return {
    audiences: audiences as string[] | undefined ?? undefined,
    expirationSeconds: (expirationSeconds as number | null | undefined) ??
      DEFAULT_EXPIRATION_SECONDS,
    boundObjectRef: (boundObjectRef as BoundObjectReference | null | undefined) ?? undefined,
  };
}

/** Upstream's `ValidateTokenRequest`, reported as `TokenRequest.authentication.k8s.io "" is invalid`. */
function validate(spec: ParsedSpec): void {
  const exp = spec.expirationSeconds;
  const causes = [];
  if (exp < MIN_EXPIRATION_SECONDS) {
    causes.push(
      fieldErrors.invalid(
        "spec.expirationSeconds",
        exp,
        "may not specify a duration less than 10 minutes",
      ),
    );
  }
  if (exp > MAX_EXPIRATION_SECONDS) {
    causes.push(
      fieldErrors.invalid(
        "spec.expirationSeconds",
        exp,
        "may not specify a duration larger than 2^32 seconds",
      ),
    );
  }
  if (causes.length === 0) return;
  const parts = causes.map((c) => `${c.field}: ${c.message}`);
  const list = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  throw new ApiError(422, "Invalid", `TokenRequest.${GROUP} "" is invalid: ${list}`, {
    name: "",
    group: GROUP,
    kind: "TokenRequest",
    causes,
  });
}

/** What a token is bound to, with the refs its claims carry. */
interface Binding {
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
}

async function resolveBinding(
  objects: ObjectFinder,
  namespace: string,
  saName: string,
  ref: BoundObjectReference,
): Promise<Binding> {
  const apiVersion = ref.apiVersion ?? "";
  const { group, version } = parseApiVersion(apiVersion);
  const kind = ref.kind ?? "";
  if (group !== "" || !["Pod", "Secret", "Node"].includes(kind)) {
    throw ApiError.badRequest(
      `cannot bind token to object of type ${group}/${version}, Kind=${kind}`,
    );
  }
  const name = ref.name ?? "";
  if (name === "") throw ApiError.badRequest("Name parameter required.");
  const scope = kind === "Node" ? undefined : namespace;
  const object = await objects.forKind("", kind).find(scope, name);
  if (!object) throw ApiError.notFound({ resource: `${kind.toLowerCase()}s`, group: "" }, name);
  const uid = object.metadata.uid ?? "";
  if (ref.uid && ref.uid !== uid) {
    throw ApiError.conflict(
      { resource: kind, group: "" },
      name,
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  }
  const self = { name, uid };
  if (kind === "Secret") return { secret: self };
  if (kind === "Node") return { node: self };
  if ((object.spec?.serviceAccountName ?? "default") !== saName) {
    throw ApiError.badRequest(
      `cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`,
    );
  }
  // A pod-bound token also names the pod's node (upstream's ServiceAccountTokenPodNodeInfo).
  const nodeName = object.spec?.nodeName;
  const node = typeof nodeName === "string" && nodeName !== ""
    ? await objects.forKind("", "Node").find(undefined, nodeName)
    : undefined;
  return {
    pod: self,
    ...(node ? { node: { name: nodeName, uid: node.metadata.uid ?? "" } } : {}),
  };
}

/**
 * Answers a TokenRequest for ServiceAccount `saName` in `namespace`.
 *
 * @param deps Object lookups, the signer, the API audiences.
 * @param namespace The request's namespace.
 * @param saName The ServiceAccount named in the path.
 * @param body The decoded TokenRequest (JSON or protobuf).
 * @param now The current time (ms since the epoch or a Date); only used to stamp the answer.
 * @returns The TokenRequest with `status.token` and `status.expirationTimestamp`; answer 201.
 * @throws {ApiError} 400 for malformed bodies and bad bindings, 404 for a missing ServiceAccount
 * or bound object, 409 when the bound object's uid differs, 422 for a lifetime out of range.
 * @example
 * ```ts
 * const answer = await createTokenRequest({ objects: stores, tokens }, "default", "builder", {
 *   spec: { expirationSeconds: 600 },
 * });
 * return jsonResponse(201, answer);
 * ```
 */
export async function createTokenRequest(
  deps: TokenRequestDeps,
  namespace: string,
  saName: string,
  body: unknown,
  now: Date | number = Date.now(),
): Promise<TokenRequest> {
  const spec = parseSpec(body);
  const bodyNamespace = isObject(body) && isObject(body.metadata)
    ? body.metadata.namespace
    : undefined;
  if (typeof bodyNamespace === "string" && bodyNamespace !== "" && bodyNamespace !== namespace) {
    throw ApiError.badRequest(
      "the namespace of the provided object does not match the namespace sent on the request",
    );
  }
  validate(spec);
  const account = await deps.objects.forKind("", "ServiceAccount").find(namespace, saName);
  if (!account) throw ApiError.notFound({ resource: "serviceaccounts", group: "" }, saName);
  const binding = spec.boundObjectRef
    ? await resolveBinding(deps.objects, namespace, saName, spec.boundObjectRef)
    : {};
  const audiences = spec.audiences && spec.audiences.length > 0
    ? spec.audiences
    : [...(deps.audiences ?? DEFAULT_API_AUDIENCES)];
  const max = deps.maxExpirationSeconds;
  const expirationSeconds = max && max > 0 && spec.expirationSeconds > max
    ? max
    : spec.expirationSeconds;
  const issued = await deps.tokens.issue({
    namespace,
    serviceAccount: { name: saName, uid: account.metadata.uid ?? "" },
    audiences,
    expirationSeconds,
    ...binding,
  }, typeof now === "number" ? now : now.getTime());
  return {
    kind: "TokenRequest",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { name: saName, namespace, creationTimestamp: null },
    spec: { audiences, expirationSeconds, boundObjectRef: spec.boundObjectRef ?? null },
    status: { token: issued.token, expirationTimestamp: issued.expirationTimestamp },
  };
}
