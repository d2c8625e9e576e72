/**
 * Bearer-token authentication: the service-account signing key, bound service-account tokens
 * and the TokenRequest API, bootstrap tokens, and the request authenticator that tries them.
 * The `k3ts token` command is `token_cli.ts`, imported by the CLI alone: it brings an API client
 * and the YAML library a running server never needs.
 *
 * @example
 * ```ts
 * const key = await ensureServiceAccountKey(config.dataDir);
 * const authenticate = createBearerAuthenticator({ stores, key });
 * ```
 *
 * @module
 */
export {
  type EnsuredServiceAccountKey,
  ensureServiceAccountKey,
  generateServiceAccountKey,
  importServiceAccountKey,
  type ServiceAccountKey,
  type ServiceAccountKeyAlgorithm,
  serviceAccountKeyPath,
} from "./signing_key.ts";
export {
  type BoundObjectKind,
  DEFAULT_API_AUDIENCES,
  EXTRA_KEYS,
  type IssuedToken,
  type LiveObject,
  type ObjectRef,
  SERVICE_ACCOUNT_ISSUER,
  type ServiceAccountTokenClaims,
  ServiceAccountTokens,
  type ServiceAccountTokensOptions,
  serviceAccountUsername,
  type TokenVerification,
  type VerifyOptions,
} from "./service_account_tokens.ts";
export {
  type BoundObjectReference,
  createTokenRequest,
  DEFAULT_EXPIRATION_SECONDS,
  MAX_EXPIRATION_SECONDS,
  MIN_EXPIRATION_SECONDS,
  type ObjectFinder,
  type TokenRequest,
  type TokenRequestDeps,
} from "./token_request.ts";
export {
  authenticateBootstrapToken,
  BOOTSTRAP_DEFAULT_GROUP,
  BOOTSTRAP_TOKEN_NAMESPACE,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  BOOTSTRAP_TOKEN_USAGES,
  type BootstrapToken,
  BootstrapTokenError,
  bootstrapTokenFromSecret,
  bootstrapTokenSecretName,
  type BootstrapTokenString,
  bootstrapTokenToSecret,
  formatBootstrapToken,
  generateBootstrapToken,
  isBootstrapTokenId,
  K3S_NODE_TOKEN_GROUP,
  parseBootstrapToken,
  type SecretLookup,
  validateBootstrapGroups,
  validateBootstrapUsages,
} from "./bootstrap_tokens.ts";
export {
  type AuthResult,
  type BearerAuthenticator,
  type BearerAuthenticatorOptions,
  bearerTokenOf,
  createBearerAuthenticator,
} from "./bearer_authenticator.ts";
