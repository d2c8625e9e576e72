/**
 * `Authorization: Bearer <token>` -> a user. Service-account JWTs and bootstrap tokens have
 * disjoint shapes (three base64url parts vs `<6>.<16>` lowercase), so each token goes to the one
 * authenticator that can read it. A presented token that does not authenticate is an error -- the
 * request gets 401, never anonymous access -- as upstream's fail-on-error union does.
 *
 * @module
 */
import type { RequestUser } from "../../apiserver/store_types.ts";
import { looksLikeJws } from "./_jws.ts";
import { authenticateBootstrapToken, parseBootstrapToken } from "./bootstrap_tokens.ts";
import {
  type BoundObjectKind,
  DEFAULT_API_AUDIENCES,
  type LiveObject,
  ServiceAccountTokens,
} from "./service_account_tokens.ts";
import type { ServiceAccountKey } from "./signing_key.ts";
import type { ObjectFinder } from "./token_request.ts";
import type { ApiRequest } from "../../apiserver/api_request.ts";

/** The outcome for a request that carried a bearer token. */
export type AuthResult = { user: RequestUser } | { error: string };

/** Authenticates a request's bearer token; undefined when it carries none. */
export type BearerAuthenticator = (request: ApiRequest) => Promise<AuthResult | undefined>;

/** Options of {@link createBearerAuthenticator}. */
export interface BearerAuthenticatorOptions {
  /** The cluster's objects (`StoreSet` satisfies this). */
  stores: ObjectFinder;
  /** The service-account signing key. */
  key: ServiceAccountKey;
  /** Audiences this server accepts; {@link DEFAULT_API_AUDIENCES} when omitted. */
  audiences?: readonly string[];
  /** The service-account issuer; upstream's default when omitted. */
  issuer?: string;
  /** Milliseconds since the epoch; tests pass a fixed clock. */
  now?: () => number;
}

/**
 * The token in an `Authorization: Bearer` header, parsed as upstream does: the scheme is
 * case-insensitive, the token is the next space-separated word.
 *
 * @returns The token, "" for an empty bearer token, or undefined when there is no bearer header.
 */
export function bearerTokenOf(request: ApiRequest): string | undefined {
  const header = request.headers.get("authorization")?.trim();
  if (!header) return undefined;
  const [scheme, token] = header.split(" ", 2);
  if (scheme.toLowerCase() !== "bearer") return undefined;
  return token ?? "";
}

function live(object: { metadata: { uid?: string; deletionTimestamp?: string } } | undefined) {
  return object
    ? { uid: object.metadata.uid, deletionTimestamp: object.metadata.deletionTimestamp }
    : undefined;
}

/**
 * Builds the bearer-token authenticator of the API server.
 *
 * @param options Stores, key, audiences.
 * @returns A function from request to {@link AuthResult}, or undefined without a bearer token.
 * @example
 * ```ts
 * const authenticate = createBearerAuthenticator({ stores, key });
 * const result = await authenticate(request);
 * if (result && "error" in result) return errorResponse(ApiError.unauthorized());
 * ```
 */
export function createBearerAuthenticator(
  options: BearerAuthenticatorOptions,
): BearerAuthenticator {
  const now = options.now ?? Date.now;
  const tokens = new ServiceAccountTokens(options.key, { issuer: options.issuer, now });
  const audiences = options.audiences ?? DEFAULT_API_AUDIENCES;
  const find = (kind: string, namespace: string | undefined, name: string) =>
    options.stores.forKind("", kind).find(namespace, name);
  const verifyOptions = {
    audiences,
    lookupServiceAccount: async (
      namespace: string,
      name: string,
    ): Promise<LiveObject | undefined> => live(await find("ServiceAccount", namespace, name)),
    lookupBoundObject: async (
      kind: BoundObjectKind,
      namespace: string | undefined,
      name: string,
    ): Promise<LiveObject | undefined> => live(await find(kind, namespace, name)),
  };
  const lookupSecret = (namespace: string, name: string) => find("Secret", namespace, name);

  return async (request) => {
    const token = bearerTokenOf(request);
    if (token === undefined) return undefined;
    if (token === "") return { error: "empty bearer token" };
    if (parseBootstrapToken(token)) {
      return await authenticateBootstrapToken(token, lookupSecret, now());
    }
    if (looksLikeJws(token)) return await tokens.verify(token, verifyOptions);
    return { error: "invalid bearer token" };
  };
}
