/**
 * Bootstrap tokens (kubeadm's, which K3s reuses for `k3s token create`): `<id>.<secret>`, stored
 * as Secret `bootstrap-token-<id>` in `kube-system` with type `bootstrap.kubernetes.io/token`.
 * Presented as a bearer token, one authenticates as `system:bootstrap:<id>` in
 * `system:bootstrappers` plus the groups listed in the Secret.
 *
 * @module
 */
import type { RequestUser } from "../../apiserver/store_types.ts";
import type { KubeObject } from "../../../kube/types.ts";
import { rfc3339 } from "./service_account_tokens.ts";

/** The Secret type of a bootstrap token. */
export const BOOTSTRAP_TOKEN_SECRET_TYPE = "bootstrap.kubernetes.io/token";
/** Where bootstrap token Secrets live. */
export const BOOTSTRAP_TOKEN_NAMESPACE = "kube-system";
/** Every bootstrap token's group. */
export const BOOTSTRAP_DEFAULT_GROUP = "system:bootstrappers";
/** The extra group K3s gives the tokens it creates, which it lets join nodes. */
export const K3S_NODE_TOKEN_GROUP = "system:bootstrappers:k3s:default-node-token";
/** The usages a token may carry (`usage-bootstrap-<usage>: "true"`). */
export const BOOTSTRAP_TOKEN_USAGES: readonly string[] = ["signing", "authentication"];

/** The token pattern, as upstream prints it in errors. */
export const BOOTSTRAP_TOKEN_PATTERN = String.raw`\A([a-z0-9]{6})\.([a-z0-9]{16})\z`;
/** The token id pattern, as upstream prints it in errors. */
export const BOOTSTRAP_TOKEN_ID_PATTERN = String.raw`\A([a-z0-9]{6})\z`;
/** What extra groups must look like, as upstream prints it in errors. */
export const BOOTSTRAP_GROUP_PATTERN = String
  .raw`\Asystem:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]\z`;

const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const ID_RE = /^[a-z0-9]{6}$/;
const GROUP_RE = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The two halves of a bootstrap token. */
export interface BootstrapTokenString {
  /** Six characters, public: it names the Secret. */
  id: string;
  /** Sixteen characters, the credential. */
  secret: string;
}

/** A bootstrap token as its Secret describes it. */
export interface BootstrapToken {
  /** Id and secret. */
  token: BootstrapTokenString;
  /** Free text shown by `token list`. */
  description?: string;
  /** Absent: never expires. */
  expires?: Date;
  /** Sorted usages whose key is `"true"`. */
  usages: string[];
  /** Extra groups, in stored order. */
  groups: string[];
}

/** A bootstrap token or option that breaks the rules; the message says which. */
export class BootstrapTokenError extends Error {
  /**
   * Creates the error.
   *
   * @param message What is wrong.
   */
  constructor(message: string) {
    super(message);
    this.name = "BootstrapTokenError";
  }
}

/**
 * Splits `<id>.<secret>`.
 *
 * @returns The parts, or undefined when `text` is not a bootstrap token.
 */
export function parseBootstrapToken(text: string): BootstrapTokenString | undefined {
  const match = TOKEN_RE.exec(text);
  return match ? { id: match[1], secret: match[2] } : undefined;
}

/** True when `id` is a valid token id. */
export function isBootstrapTokenId(id: string): boolean {
  return ID_RE.test(id);
}

/** `<id>.<secret>`. */
export function formatBootstrapToken(token: BootstrapTokenString): string {
  return `${token.id}.${token.secret}`;
}

/** `bootstrap-token-<id>`. */
export function bootstrapTokenSecretName(id: string): string {
  return `bootstrap-token-${id}`;
}

function randomString(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      // 252 = 7 × 36: dropping the rest keeps every character equally likely.
      if (byte < 252 && out.length < length) out += ALPHABET[byte % ALPHABET.length];
    }
  }
  return out;
}

/** A new random token from the `[a-z0-9]` alphabet. */
export function generateBootstrapToken(): BootstrapTokenString {
  return { id: randomString(6), secret: randomString(16) };
}

/**
 * Checks usages against the known ones.
 *
 * @throws {BootstrapTokenError} With kubeadm's message for unknown usages.
 */
export function validateBootstrapUsages(usages: readonly string[]): void {
  const invalid = [...new Set(usages.filter((u) => !BOOTSTRAP_TOKEN_USAGES.includes(u)))].sort();
  if (invalid.length > 0) {
    throw new BootstrapTokenError(
      `invalid bootstrap token usage string: ${invalid.join(",")}, valid usage options: ${
        BOOTSTRAP_TOKEN_USAGES.join(",")
      }`,
    );
  }
}

/**
 * Checks extra group names.
 *
 * @throws {BootstrapTokenError} With upstream's message for the first invalid group.
 */
export function validateBootstrapGroups(groups: readonly string[]): void {
  for (const group of groups) {
    if (!GROUP_RE.test(group)) {
      throw new BootstrapTokenError(
        `bootstrap group "${group}" is invalid (must match ${BOOTSTRAP_GROUP_PATTERN})`,
      );
    }
  }
}

/**
 * The Secret that stores a token (values base64 in `data`, as the API stores them).
 *
 * @param token The token and its options; `expires` as an absolute time.
 * @returns A Secret to create in {@link BOOTSTRAP_TOKEN_NAMESPACE}.
 */
export function bootstrapTokenToSecret(token: BootstrapToken): KubeObject {
  const data: Record<string, string> = {
    "token-id": token.token.id,
    "token-secret": token.token.secret,
  };
  if (token.description) data.description = token.description;
  if (token.expires) data.expiration = rfc3339(Math.floor(token.expires.getTime() / 1000));
  for (const usage of token.usages) data[`usage-bootstrap-${usage}`] = "true";
  if (token.groups.length > 0) data["auth-extra-groups"] = token.groups.join(",");
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: bootstrapTokenSecretName(token.token.id),
      namespace: BOOTSTRAP_TOKEN_NAMESPACE,
    },
    type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    data: Object.fromEntries(
      Object.entries(data).map(([key, value]) => [key, encoder.encode(value).toBase64()]),
    ),
  };
}

/**
 * One decoded `data` value of a Secret, or "" when absent or not base64 (as upstream's GetData).
 */
export function secretValue(secret: KubeObject, key: string): string {
  const value = secret.data?.[key];
  if (typeof value !== "string") return "";
  try {
    return decoder.decode(Uint8Array.fromBase64(value));
  } catch {
    return "";
  }
}

/**
 * Reads a token back from its Secret.
 *
 * @throws {BootstrapTokenError} When the Secret lacks the id or secret, is misnamed, or has an
 * unparseable expiration (kubeadm's checks).
 */
export function bootstrapTokenFromSecret(secret: KubeObject): BootstrapToken {
  const name = secret.metadata.name ?? "";
  const id = secretValue(secret, "token-id");
  if (id === "") {
    throw new BootstrapTokenError(`bootstrap Token Secret has no token-id data: ${name}`);
  }
  if (name !== bootstrapTokenSecretName(id)) {
    throw new BootstrapTokenError(
      `bootstrap token name is not of the form 'bootstrap-token-(token-id)'. Actual: "${name}". Expected: "${
        bootstrapTokenSecretName(id)
      }"`,
    );
  }
  const secretPart = secretValue(secret, "token-secret");
  if (secretPart === "") {
    throw new BootstrapTokenError(`bootstrap Token Secret has no token-secret data: ${name}`);
  }
  const token = parseBootstrapToken(`${id}.${secretPart}`);
  if (!token) {
    throw new BootstrapTokenError(
      `bootstrap Token Secret is invalid and couldn't be parsed: the bootstrap token "${id}.${secretPart}" was not of the form "${BOOTSTRAP_TOKEN_PATTERN}"`,
    );
  }
  const expiration = secretValue(secret, "expiration");
  let expires: Date | undefined;
  if (expiration !== "") {
    expires = parseRfc3339(expiration);
    if (!expires) {
      throw new BootstrapTokenError(
        `can't parse expiration time of bootstrap token "${name}": ${JSON.stringify(expiration)}`,
      );
    }
  }
  const usages = Object.keys(secret.data ?? {})
    .filter((key) => key.startsWith("usage-bootstrap-") && secretValue(secret, key) === "true")
    .map((key) => key.slice("usage-bootstrap-".length))
    .sort();
  const groupsText = secretValue(secret, "auth-extra-groups");
  const description = secretValue(secret, "description");
  return {
    token,
    ...(description ? { description } : {}),
    ...(expires ? { expires } : {}),
    usages,
    groups: groupsText === "" ? [] : groupsText.split(","),
  };
}

function parseRfc3339(text: string): Date | undefined {
  if (!RFC3339_RE.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/**
 * Compares two strings without an early exit on the first difference. The length may leak:
 * every valid secret has sixteen characters.
 */
function constantTimeEquals(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  if (x.length !== y.length) return false;
  let difference = 0;
  for (let i = 0; i < x.length; i++) difference |= x[i] ^ y[i];
  return difference === 0;
}

/** Reads a Secret; undefined when it does not exist. */
export type SecretLookup = (namespace: string, name: string) => Promise<KubeObject | undefined>;

/**
 * Authenticates a bootstrap token against its Secret, with upstream's checks in upstream's order:
 * exists, not being deleted, right type, secret matches, id matches, not expired, marked for
 * authentication, valid extra groups.
 *
 * @param token The bearer token text.
 * @param lookupSecret Reads `kube-system/bootstrap-token-<id>`.
 * @param now The current time in ms since the epoch.
 * @returns The user (`system:bootstrap:<id>`, groups sorted, then `system:authenticated`), or the
 * reason the token is refused. The reason never contains the presented secret.
 */
export async function authenticateBootstrapToken(
  token: string,
  lookupSecret: SecretLookup,
  now: number = Date.now(),
): Promise<{ user: RequestUser } | { error: string }> {
  const parsed = parseBootstrapToken(token);
  if (!parsed) return { error: "token is not a bootstrap token" };
  const name = bootstrapTokenSecretName(parsed.id);
  const where = `bootstrap token secret ${BOOTSTRAP_TOKEN_NAMESPACE}/${name}`;
  const secret = await lookupSecret(BOOTSTRAP_TOKEN_NAMESPACE, name);
  if (!secret) return { error: `no ${where} to match bootstrap bearer token` };
  if (secret.metadata.deletionTimestamp) {
    return { error: `${where} is deleted and awaiting removal` };
  }
  if (secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE || !secret.data) {
    return { error: `${where} has invalid type, expected ${BOOTSTRAP_TOKEN_SECRET_TYPE}` };
  }
  if (!constantTimeEquals(secretValue(secret, "token-secret"), parsed.secret)) {
    return { error: `${where} has a different token-secret` };
  }
  if (secretValue(secret, "token-id") !== parsed.id) {
    return { error: `${where} has invalid value for key token-id` };
  }
  const expiration = secretValue(secret, "expiration");
  if (expiration !== "") {
    const expires = parseRfc3339(expiration);
    // An unparseable expiration counts as expired, as upstream.
    if (!expires || expires.getTime() <= now) {
      return { error: `${where} has expired (expiration ${JSON.stringify(expiration)})` };
    }
  }
  if (secretValue(secret, "usage-bootstrap-authentication") !== "true") {
    return { error: `${where} is not marked usage-bootstrap-authentication=true` };
  }
  const extra = secretValue(secret, "auth-extra-groups");
  const groups = extra === "" ? [] : extra.split(",");
  try {
    validateBootstrapGroups(groups);
  } catch (error) {
    return {
      error: `${where} has invalid value for key auth-extra-groups: ${(error as Error).message}`,
    };
  }
  return {
    user: {
      name: `system:bootstrap:${parsed.id}`,
      groups: [...new Set([BOOTSTRAP_DEFAULT_GROUP, ...groups])].sort().concat(
        "system:authenticated",
      ),
    },
  };
}
