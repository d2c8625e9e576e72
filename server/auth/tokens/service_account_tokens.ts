/**
 * Bound service-account tokens: JWTs with upstream's claim layout, issued by the TokenRequest
 * API and checked on every request. A token names its ServiceAccount by name *and* uid, so it
 * stops working when the account is deleted (or deleted and re-created); a token bound to a Pod,
 * Secret or Node stops working when that object goes.
 *
 * @module
 */
import type { RequestUser } from "../../apiserver/store_types.ts";
import { decodeJws, signJws, verifyJws } from "./_jws.ts";
import type { ServiceAccountKey } from "./signing_key.ts";

/** The issuer K3s configures (`--service-account-issuer`), also the default API audience. */
export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

/** The API server's audiences: tokens must name one of them (K3s: the issuer). */
export const DEFAULT_API_AUDIENCES: readonly string[] = [SERVICE_ACCOUNT_ISSUER];

/** Clock skew tolerated on `exp`, `nbf` and `iat`, as go-jose's default leeway. */
const LEEWAY_SECONDS = 60;

/** `extra` keys upstream puts on a service-account user. */
export const EXTRA_KEYS = {
  credentialId: "authentication.kubernetes.io/credential-id",
  podName: "authentication.kubernetes.io/pod-name",
  podUid: "authentication.kubernetes.io/pod-uid",
  nodeName: "authentication.kubernetes.io/node-name",
  nodeUid: "authentication.kubernetes.io/node-uid",
} as const;

/** An object a token refers to. */
export interface ObjectRef {
  /** `metadata.name`. */
  name: string;
  /** `metadata.uid`: a re-created object of the same name has another. */
  uid: string;
}

/** What a token asserts. */
export interface ServiceAccountTokenClaims {
  /** The ServiceAccount's namespace. */
  namespace: string;
  /** The ServiceAccount. */
  serviceAccount: ObjectRef;
  /** The `aud` claim; at least one. */
  audiences: readonly string[];
  /** Lifetime from now. */
  expirationSeconds: number;
  /** Bound pod (a token binds to a pod or a secret, not both). */
  pod?: ObjectRef;
  /** Bound secret. */
  secret?: ObjectRef;
  /** The pod's node, or the node a token is bound to directly. */
  node?: ObjectRef;
}

/** A freshly issued token. */
export interface IssuedToken {
  /** The compact JWS. */
  token: string;
  /** RFC 3339, seconds precision: the `exp` claim. */
  expirationTimestamp: string;
  /** The `jti` claim (a UUID), for audit and `extra`. */
  jti: string;
}

/** The parts of a live object a token check needs. */
export interface LiveObject {
  /** `metadata.uid`. */
  uid?: string;
  /** `metadata.deletionTimestamp`, set while finalizers hold the object. */
  deletionTimestamp?: string;
}

/** Kinds a token can be bound to. */
export type BoundObjectKind = "Pod" | "Secret" | "Node";

/** What {@link ServiceAccountTokens.verify} needs besides the token. */
export interface VerifyOptions {
  /** Audiences this server answers to; the token must name one. */
  audiences: readonly string[];
  /** The current ServiceAccount, or undefined when it does not exist. */
  lookupServiceAccount(namespace: string, name: string): Promise<LiveObject | undefined>;
  /** The current bound object (Node: namespace undefined); without it bindings are not checked. */
  lookupBoundObject?(
    kind: BoundObjectKind,
    namespace: string | undefined,
    name: string,
  ): Promise<LiveObject | undefined>;
}

/** The outcome of a check: the user, or why the token is refused. */
export type TokenVerification = { user: RequestUser } | { error: string };

/** Options of {@link ServiceAccountTokens}. */
export interface ServiceAccountTokensOptions {
  /** The `iss` claim written and required; {@link SERVICE_ACCOUNT_ISSUER} when omitted. */
  issuer?: string;
  /** Milliseconds since the epoch; tests pass a fixed clock. */
  now?: () => number;
}

/** The private `kubernetes.io` claim, as upstream's JSON. */
interface KubernetesClaim {
  namespace: string;
  node?: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  serviceaccount: ObjectRef;
}

/** `system:serviceaccount:<namespace>:<name>`. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** RFC 3339 in UTC without fractional seconds, as Kubernetes timestamps are written. */
export function rfc3339(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function isRef(value: unknown): value is ObjectRef {
  const ref = value as ObjectRef | undefined;
  return typeof ref === "object" && ref !== null && typeof ref.name === "string" &&
    typeof ref.uid === "string";
}

function parseKubernetesClaim(value: unknown): KubernetesClaim | undefined {
  const claim = value as KubernetesClaim | undefined;
  if (typeof claim !== "object" || claim === null) return undefined;
  if (typeof claim.namespace !== "string" || !isRef(claim.serviceaccount)) return undefined;
  for (const optional of [claim.pod, claim.secret, claim.node]) {
    if (optional !== undefined && !isRef(optional)) return undefined;
  }
  return claim;
}

function isDeletedBefore(object: LiveObject, limitMs: number): boolean {
  return object.deletionTimestamp !== undefined && Date.parse(object.deletionTimestamp) < limitMs;
}

/**
 * How many verified signatures are remembered. An ECDSA verify costs ~1-2 ms here while a
 * pod presents the same token on every call for up to an hour; only the signature check is
 * cached, so expiry and deletion still take effect on the next request.
 */
const VERIFIED_CACHE_SIZE = 2048;

/** Issues and verifies service-account tokens with one key. */
export class ServiceAccountTokens {
  readonly #key: ServiceAccountKey;
  readonly #now: () => number;
  /** Token text -> its claims, for tokens whose signature verified; oldest first. */
  readonly #verified = new Map<string, Record<string, unknown>>();
  /** The `iss` claim. */
  readonly issuer: string;

  /**
   * Binds the issuer to one key.
   *
   * @param key The cluster's service-account key.
   * @param options Issuer and clock.
   */
  constructor(key: ServiceAccountKey, options: ServiceAccountTokensOptions = {}) {
    this.#key = key;
    this.#now = options.now ?? Date.now;
    this.issuer = options.issuer ?? SERVICE_ACCOUNT_ISSUER;
  }

  /**
   * Signs a token. Claims are laid out as upstream's (alphabetical, as go-jose writes them):
   * `aud`, `exp`, `iat`, `iss`, `jti`, `kubernetes.io`, `nbf`, `sub`.
   *
   * @param claims Who the token is for, for how long, and what it is bound to.
   * @param nowMs Issuing time in ms since the epoch; the instance's clock when omitted.
   * @returns The token, its expiry and its id.
   * @throws {RangeError} When the audiences are empty or the lifetime is not positive.
   */
  async issue(claims: ServiceAccountTokenClaims, nowMs = this.#now()): Promise<IssuedToken> {
    if (claims.audiences.length === 0) throw new RangeError("a token needs at least one audience");
    if (!(claims.expirationSeconds > 0)) throw new RangeError("token lifetime must be positive");
    const now = Math.floor(nowMs / 1000);
    const exp = now + Math.floor(claims.expirationSeconds);
    const jti = crypto.randomUUID();
    const kubernetes: KubernetesClaim = {
      namespace: claims.namespace,
      ...(claims.node ? { node: claims.node } : {}),
      ...(claims.pod ? { pod: claims.pod } : claims.secret ? { secret: claims.secret } : {}),
      serviceaccount: claims.serviceAccount,
    };
    const token = await signJws(this.#key, {
      aud: [...claims.audiences],
      exp,
      iat: now,
      iss: this.issuer,
      jti,
      "kubernetes.io": kubernetes,
      nbf: now,
      sub: serviceAccountUsername(claims.namespace, claims.serviceAccount.name),
    });
    return { token, expirationTimestamp: rfc3339(exp), jti };
  }

  /**
   * Checks a token: signature, issuer, audience, time window, then that the ServiceAccount (and
   * any bound object) still exists with the uid the token names.
   *
   * @param token The bearer token.
   * @param options Accepted audiences and object lookups.
   * @returns The user the token authenticates, or the reason it does not.
   */
  async verify(token: string, options: VerifyOptions): Promise<TokenVerification> {
    const claims = await this.#verifiedClaims(token);
    if (typeof claims === "string") return { error: claims };
    if (claims.iss !== this.issuer) {
      return { error: `token issuer ${JSON.stringify(claims.iss)} is not ${this.issuer}` };
    }
    const audienceError = checkAudiences(claims.aud, options.audiences);
    if (audienceError) return { error: audienceError };
    const timeError = checkTimes(claims, Math.floor(this.#now() / 1000));
    if (timeError) return { error: timeError };
    const k8s = parseKubernetesClaim(claims["kubernetes.io"]);
    const sa = k8s?.serviceaccount;
    if (!k8s || !sa || claims.sub !== serviceAccountUsername(k8s.namespace, sa.name)) {
      return { error: "service account token claims are malformed" };
    }
    // Objects deleted within the leeway still count, as upstream: a token used a moment after
    // a graceful delete began is not yet refused.
    const deletedBefore = this.#now() - LEEWAY_SECONDS * 1000;
    const account = await options.lookupServiceAccount(k8s.namespace, sa.name);
    if (!account) return { error: `serviceaccounts "${sa.name}" not found` };
    if (isDeletedBefore(account, deletedBefore)) {
      return { error: `service account ${k8s.namespace}/${sa.name} has been deleted` };
    }
    if (account.uid !== sa.uid) {
      return { error: `service account UID (${account.uid}) does not match claim (${sa.uid})` };
    }
    const bindingError = await checkBinding(k8s, options, deletedBefore);
    if (bindingError) return { error: bindingError };
    return { user: userOf(k8s, typeof claims.jti === "string" ? claims.jti : undefined) };
  }

  async #verifiedClaims(token: string): Promise<Record<string, unknown> | string> {
    const cached = this.#verified.get(token);
    if (cached) {
      // Re-inserting keeps recently used tokens at the young end of the map.
      this.#verified.delete(token);
      this.#verified.set(token, cached);
      return cached;
    }
    const jws = decodeJws(token);
    if (typeof jws === "string") return jws;
    const signatureError = await verifyJws(this.#key, jws);
    if (signatureError) return signatureError;
    if (this.#verified.size >= VERIFIED_CACHE_SIZE) {
      this.#verified.delete(this.#verified.keys().next().value!);
    }
    this.#verified.set(token, jws.payload);
    return jws.payload;
  }
}

function checkAudiences(aud: unknown, accepted: readonly string[]): string | undefined {
  const list = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : undefined;
  if (!list || list.some((a) => typeof a !== "string")) return "token aud claim is malformed";
  // As upstream: a token without audiences is taken to be for this server.
  if (list.length === 0) return undefined;
  if (list.some((a) => accepted.includes(a))) return undefined;
  return `token audiences ${JSON.stringify(list)} is invalid for the target audiences ${
    JSON.stringify(accepted)
  }`;
}

function checkTimes(claims: Record<string, unknown>, now: number): string | undefined {
  const { exp, nbf, iat } = claims;
  if (typeof exp !== "number") return "token has no exp claim";
  if (now - LEEWAY_SECONDS > exp) return "service account token has expired";
  for (const start of [nbf, iat]) {
    if (start !== undefined && typeof start !== "number") return "token time claims are malformed";
    if (typeof start === "number" && now + LEEWAY_SECONDS < start) {
      return "service account token is not valid yet";
    }
  }
  return undefined;
}

async function checkBinding(
  k8s: KubernetesClaim,
  options: VerifyOptions,
  deletedBefore: number,
): Promise<string | undefined> {
  const lookup = options.lookupBoundObject;
  if (!lookup) return undefined;
  // A pod-bound token names the pod's node for information only; a token bound to the node
  // itself is checked against it (upstream's ServiceAccountTokenNodeBindingValidation).
  const bindings: [BoundObjectKind, ObjectRef | undefined, string | undefined][] = [
    ["Secret", k8s.secret, k8s.namespace],
    ["Pod", k8s.pod, k8s.namespace],
    ["Node", k8s.pod || k8s.secret ? undefined : k8s.node, undefined],
  ];
  for (const [kind, ref, namespace] of bindings) {
    if (!ref) continue;
    const current = await lookup(kind, namespace, ref.name);
    if (!current || isDeletedBefore(current, deletedBefore)) {
      return "service account token has been invalidated";
    }
    if (current.uid !== ref.uid) {
      return `${kind.toLowerCase()} UID (${current.uid}) does not match service account ${kind.toLowerCase()} ref claim (${ref.uid})`;
    }
  }
  return undefined;
}

function userOf(k8s: KubernetesClaim, jti: string | undefined): RequestUser {
  const extra: Record<string, string[]> = {};
  if (jti) extra[EXTRA_KEYS.credentialId] = [`JTI=${jti}`];
  if (k8s.pod) {
    extra[EXTRA_KEYS.podName] = [k8s.pod.name];
    extra[EXTRA_KEYS.podUid] = [k8s.pod.uid];
  }
  if (k8s.node) {
    extra[EXTRA_KEYS.nodeName] = [k8s.node.name];
    extra[EXTRA_KEYS.nodeUid] = [k8s.node.uid];
  }
  return {
    name: serviceAccountUsername(k8s.namespace, k8s.serviceaccount.name),
    uid: k8s.serviceaccount.uid,
    groups: [
      "system:serviceaccounts",
      `system:serviceaccounts:${k8s.namespace}`,
      "system:authenticated",
    ],
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
}
