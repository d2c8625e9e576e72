/**
 * K3s join tokens: `K10<sha256 of the CA PEM>::<user>:<password>`, and the server's token files.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { joinPath } from "./_path.ts";
import { readTextIfExists, writeFileAtomic } from "./files.ts";

const PREFIX = "K10";

/** A parsed join token. */
export interface JoinToken {
  /** Lowercase hex SHA-256 of the server CA PEM, when the token pins the CA. */
  caHash?: string;
  /** `server` or `node`. */
  username: string;
  /** The shared secret. */
  password: string;
}

/** A join token that cannot be parsed, or one that conflicts with the stored token. */
export class JoinTokenError extends Error {
  /** @param message What is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "JoinTokenError";
  }
}

/**
 * The CA hash a token carries: SHA-256 of the exact bytes `/cacerts` serves.
 *
 * @param caPem The server CA PEM, byte for byte as served.
 * @returns Lowercase hex.
 */
export function caHashOf(caPem: string | Uint8Array): string {
  return createHash("sha256").update(caPem).digest("hex");
}

/**
 * Parses a join token. A string without the `K10` prefix is a bare password for user `server`
 * with no CA pinning (as K3s accepts for `--token`).
 *
 * @param token The token; surrounding whitespace (a file's newline) is ignored.
 * @returns Its parts.
 * @throws {JoinTokenError} When the token is empty, has a malformed hash, or no password.
 */
export function parseJoinToken(token: string): JoinToken {
  const text = token.trim();
  if (text === "") throw new JoinTokenError("token must not be empty");
  if (!text.startsWith(PREFIX)) return { username: "server", password: text };
  const separator = text.indexOf("::", PREFIX.length);
  if (separator < 0) throw new JoinTokenError("token has the K10 prefix but no '::' separator");
  const hash = text.slice(PREFIX.length, separator).toLowerCase();
  if (hash !== "" && !/^[0-9a-f]{64}$/.test(hash)) {
    throw new JoinTokenError("token CA hash must be 64 hex characters");
  }
  const credentials = text.slice(separator + 2);
  const colon = credentials.indexOf(":");
  const username = colon < 0 ? "server" : credentials.slice(0, colon) || "server";
  const password = colon < 0 ? credentials : credentials.slice(colon + 1);
  if (password === "") throw new JoinTokenError("token has no password");
  return { ...(hash ? { caHash: hash } : {}), username, password };
}

/**
 * Formats a join token; {@link parseJoinToken} reverses it.
 *
 * @param token Hash (optional), user and password.
 * @returns `K10<hash>::<user>:<password>`.
 */
export function formatJoinToken(token: JoinToken): string {
  return `${PREFIX}${token.caHash ?? ""}::${token.username}:${token.password}`;
}

/** Options for {@link ensureJoinTokens}. */
export interface JoinTokenOptions {
  /** The server data dir; files go to `<dataDir>/server/`. */
  dataDir: string;
  /**
   * `--token`: a password or a full K10 token. Random 32 hex characters on first start when
   * omitted; the stored secret is reused on restart.
   */
  secret?: string;
  /** The server CA PEM exactly as `/cacerts` serves it. */
  caPem: string;
}

/** The server's tokens. */
export interface JoinTokens {
  /** The secret agents and servers present. */
  secret: string;
  /** SHA-256 hex of the CA PEM. */
  caHash: string;
  /** `K10<hash>::server:<secret>`, the content of both token files. */
  token: string;
  /** File locations. */
  paths: { token: string; nodeToken: string };
}

/**
 * Ensures `<dataDir>/server/token` and `<dataDir>/server/node-token` (same content, as K3s)
 * exist with mode 0600 and name the current CA hash and the cluster secret.
 *
 * @param options Data dir, optional secret, CA PEM.
 * @returns The secret, hash, token text and paths.
 * @throws {JoinTokenError} When `secret` differs from the stored one (K3s refuses to start:
 * the datastore's bootstrap data is bound to the original token), or when a full token's CA
 * hash does not match this server's CA.
 */
export async function ensureJoinTokens(options: JoinTokenOptions): Promise<JoinTokens> {
  const dir = joinPath(options.dataDir, "server");
  const paths = { token: joinPath(dir, "token"), nodeToken: joinPath(dir, "node-token") };
  const caHash = caHashOf(options.caPem);
  const [storedToken, storedNodeToken] = await Promise.all([
    readTextIfExists(paths.token),
    readTextIfExists(paths.nodeToken),
  ]);
  const stored = storedToken === undefined ? undefined : parseJoinToken(storedToken).password;
  let given: string | undefined;
  if (options.secret !== undefined) {
    const parsed = parseJoinToken(options.secret);
    if (parsed.caHash && parsed.caHash !== caHash) {
      throw new JoinTokenError(
        `token CA hash ${parsed.caHash} does not match this server's CA (${caHash})`,
      );
    }
    given = parsed.password;
  }
  if (given !== undefined && stored !== undefined && given !== stored) {
    throw new JoinTokenError(
      `--token does not match the token this server was started with (${paths.token}); ` +
        "start with the original token, or remove the data dir to create a new cluster",
    );
  }
  const secret = given ?? stored ?? randomSecret();
  const token = formatJoinToken({ caHash, username: "server", password: secret });
  const content = `${token}\n`;
  await Promise.all([
    storedToken === content ? undefined : writeFileAtomic(paths.token, content, { mode: 0o600 }),
    storedNodeToken === content
      ? undefined
      : writeFileAtomic(paths.nodeToken, content, { mode: 0o600 }),
  ]);
  return { secret, caHash, token, paths };
}

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
