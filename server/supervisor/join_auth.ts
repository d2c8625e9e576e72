/**
 * Who may call the agent bootstrap routes: a holder of the join token (HTTP basic auth,
 * `node:<secret>` or `server:<secret>`, as K3s agents send it) or a node with a client
 * certificate from this cluster (`system:node:<name>` in `system:nodes`).
 *
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { join } from "node:path";
import { ApiError } from "../../kube/errors.ts";
import type { RequestUser } from "../apiserver/store_types.ts";
import { parseJoinToken } from "../tls/mod.ts";
import { type ApiRequest, requestUrl } from "../apiserver/api_request.ts";

/** Groups that may use the agent routes (K3s: `k3s:agent`, nodes, bootstrap tokens). */
export const AGENT_GROUPS: readonly string[] = [
  "k3s:agent",
  "system:nodes",
  "system:bootstrappers",
];

/** The group kubelet client certificates carry; the only one allowed on `/v1-k3s/connect`. */
export const NODES_GROUP = "system:nodes";

/** The secrets basic-auth passwords are checked against. */
export interface JoinSecrets {
  /** The server token secret: user `server`. */
  server: string;
  /** The agent token secret: user `node` (the server secret when no agent token is set). */
  agent: string;
}

/**
 * Reads the secrets the server keeps in `<dataDir>/server/token` (and `node-token`, the same
 * content) and, when present, `<dataDir>/server/agent-token`.
 *
 * @param dataDir The server data dir.
 * @returns The server and agent secrets.
 * @throws {Error} When neither token file exists or a token cannot be parsed.
 */
export async function readJoinSecrets(dataDir: string): Promise<JoinSecrets> {
  const dir = join(dataDir, "server");
  const read = (name: string) =>
    Deno.readTextFile(join(dir, name)).catch((error) => {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    });
  const [token, nodeToken, agentToken] = await Promise.all([
    read("token"),
    read("node-token"),
    read("agent-token"),
  ]);
  const serverToken = token ?? nodeToken;
  if (serverToken === undefined) {
    throw new Error(`no join token in ${dir} (expected "token" or "node-token")`);
  }
  const server = parseJoinToken(serverToken).password;
  const agent = agentToken === undefined ? server : parseJoinToken(agentToken).password;
  return { server, agent };
}

/** What a valid basic-auth username maps to (K3s's passwd entries `server` and `node`). */
const TOKEN_USERS: Record<string, { secret: keyof JoinSecrets; groups: string[] }> = {
  server: { secret: "server", groups: ["k3s:server", "k3s:agent", "system:authenticated"] },
  node: { secret: "agent", groups: ["k3s:agent", "system:authenticated"] },
};

/** Equal-length digests make the comparison constant-time whatever the inputs' lengths. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b) && expected !== "";
}

/**
 * Checks an `Authorization: Basic` header against the join secrets.
 *
 * @param header The `Authorization` header value, or null.
 * @param secrets The join secrets.
 * @returns The token user; undefined when there is no basic-auth header; `"invalid"` when there
 * is one and it does not match.
 */
export function authenticateJoinToken(
  header: string | null,
  secrets: JoinSecrets,
): RequestUser | "invalid" | undefined {
  const match = header ? /^basic\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) return undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.fromBase64(match[1]));
  } catch {
    return "invalid";
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return "invalid";
  const username = decoded.slice(0, colon);
  const user = Object.hasOwn(TOKEN_USERS, username) ? TOKEN_USERS[username] : undefined;
  if (!user || !sameSecret(decoded.slice(colon + 1), secrets[user.secret])) return "invalid";
  return { name: username, groups: [...user.groups] };
}

/** Messages for the two ways authentication fails. */
const MISSING_CREDENTIALS = "Unauthorized: this endpoint needs the join token " +
  "(HTTP basic auth node:<token> or server:<token>) or a node client certificate";
const INVALID_TOKEN = "Unauthorized: invalid token: the basic-auth username must be node or " +
  "server and the password this cluster's join token secret";

/**
 * Authenticates and authorises an agent request, K3s's `HasRole` middleware.
 *
 * A client certificate user in one of `groups` is accepted; otherwise a basic-auth join token
 * is checked. A token user outside `groups` (e.g. on `/v1-k3s/connect`) and a certificate user
 * with neither the groups nor a token get 403; no or a wrong token gets 401.
 *
 * @param request The request (its `Authorization` header is read).
 * @param certificateUser The user a verified client certificate names, if any.
 * @param secrets The join secrets.
 * @param groups The groups that may call this route.
 * @returns The authenticated user.
 * @throws {ApiError} 401 for missing or invalid credentials, 403 for a user without the groups.
 */
export function authenticateAgent(
  request: ApiRequest,
  certificateUser: RequestUser | undefined,
  secrets: JoinSecrets,
  groups: readonly string[] = AGENT_GROUPS,
): RequestUser {
  const allowed = (user: RequestUser) => user.groups.some((group) => groups.includes(group));
  if (certificateUser && allowed(certificateUser)) return certificateUser;
  const tokenUser = authenticateJoinToken(request.headers.get("authorization"), secrets);
  if (tokenUser === "invalid") throw ApiError.unauthorized(INVALID_TOKEN);
  const user = tokenUser ?? certificateUser;
  if (!user) throw ApiError.unauthorized(MISSING_CREDENTIALS);
  if (!allowed(user)) {
    const path = requestUrl(request).pathname;
    throw ApiError.forbiddenPath(user.name, request.method.toLowerCase(), path);
  }
  return user;
}

/**
 * The node a user is, when it is a node identity (`system:node:<name>` in `system:nodes`).
 *
 * @param user The authenticated user.
 * @returns The node name, or undefined.
 */
export function nodeNameOf(user: RequestUser): string | undefined {
  if (!user.name.startsWith("system:node:") || !user.groups.includes(NODES_GROUP)) return undefined;
  const name = user.name.slice("system:node:".length);
  return name === "" ? undefined : name;
}
