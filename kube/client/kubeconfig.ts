/**
 * Reads the credentials of one context from a kubeconfig: server URL, CA, and a client
 * certificate or a bearer token, inline (`*-data`) or in files relative to the kubeconfig.
 *
 * @module
 */
import { parse } from "yaml";

/** What a client needs to reach and authenticate to one API server. */
export interface ClientCredentials {
  /** `https://host:port`, without a trailing slash. */
  server: string;
  /** The CA that signed the server's certificate; the system roots when absent. */
  caPem?: string;
  /** Client certificate (always with {@link ClientCredentials.keyPem}). */
  certPem?: string;
  /** Client key (always with {@link ClientCredentials.certPem}). */
  keyPem?: string;
  /** Bearer token. */
  token?: string;
}

/** Options of {@link loadKubeconfig}. */
export interface LoadKubeconfigOptions {
  /** Context to use instead of `current-context`. */
  context?: string;
}

/** A kubeconfig that cannot be used; the message names the file and what is wrong. */
export class KubeconfigError extends Error {
  /**
   * Creates the error.
   *
   * @param message What is wrong.
   */
  constructor(message: string) {
    super(message);
    this.name = "KubeconfigError";
  }
}

interface NamedEntry {
  name?: unknown;
  [field: string]: unknown;
}

function entry(list: unknown, field: string, name: string): Record<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const found = (list as NamedEntry[]).find((item) => item?.name === name);
  const value = found?.[field];
  return typeof value === "object" && value !== null ? value as Record<string, unknown> : undefined;
}

function directoryOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
}

function decodeData(value: unknown, what: string, fail: (m: string) => never): string {
  if (typeof value !== "string") return fail(`${what} must be a base64 string`);
  try {
    return new TextDecoder().decode(Uint8Array.fromBase64(value.replace(/\s+/g, "")));
  } catch {
    return fail(`${what} is not valid base64`);
  }
}

/**
 * Loads the credentials of the current (or a named) context.
 *
 * @param path The kubeconfig file.
 * @param options Context override.
 * @returns Server, CA and client credentials.
 * @throws {KubeconfigError} When the file is unreadable, the context, cluster or user is missing,
 * or it asks for something this client cannot do (exec plugins, skipping TLS verification).
 * @example
 * ```ts
 * const credentials = await loadKubeconfig("/etc/rancher/k3s/k3s.yaml");
 * ```
 */
export async function loadKubeconfig(
  path: string,
  options: LoadKubeconfigOptions = {},
): Promise<ClientCredentials> {
  // Annotated so control-flow analysis knows a call never returns.
  const fail: (message: string) => never = (message) => {
    throw new KubeconfigError(`kubeconfig ${path}: ${message}`);
  };
  let config: Record<string, unknown>;
  try {
    const parsed = parse(await Deno.readTextFile(path));
    config = typeof parsed === "object" && parsed !== null ? parsed : {};
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) fail("file does not exist");
    fail(`cannot be read: ${(error as Error).message}`);
  }
  const contextName = options.context ?? config["current-context"];
  if (typeof contextName !== "string" || contextName === "") fail("no current-context is set");
  const context = entry(config.contexts, "context", contextName) ??
    fail(`context "${contextName}" not found`);
  const clusterName = String(context.cluster ?? "");
  const userName = String(context.user ?? "");
  const cluster = entry(config.clusters, "cluster", clusterName) ??
    fail(`cluster "${clusterName}" not found`);
  const user = entry(config.users, "user", userName) ?? {};

  const base = directoryOf(path);
  const readRef = async (file: unknown, what: string): Promise<string> => {
    if (typeof file !== "string" || file === "") return fail(`${what} must be a file path`);
    const full = file.startsWith("/") ? file : `${base}/${file}`;
    try {
      return await Deno.readTextFile(full);
    } catch (error) {
      return fail(`${what} ${full} cannot be read: ${(error as Error).message}`);
    }
  };
  const material = async (dataKey: string, fileKey: string, from: Record<string, unknown>) => {
    if (from[dataKey] !== undefined) return decodeData(from[dataKey], dataKey, fail);
    if (from[fileKey] !== undefined) return await readRef(from[fileKey], fileKey);
    return undefined;
  };

  const server = cluster.server;
  if (typeof server !== "string" || !/^https:\/\//.test(server)) {
    fail(`cluster "${clusterName}" needs an https:// server URL`);
  }
  if (cluster["insecure-skip-tls-verify"] === true) {
    fail(`cluster "${clusterName}": insecure-skip-tls-verify is not supported`);
  }
  if (user.exec !== undefined || user["auth-provider"] !== undefined) {
    fail(`user "${userName}": exec and auth-provider credentials are not supported`);
  }
  const caPem = await material("certificate-authority-data", "certificate-authority", cluster);
  const certPem = await material("client-certificate-data", "client-certificate", user);
  const keyPem = await material("client-key-data", "client-key", user);
  if ((certPem === undefined) !== (keyPem === undefined)) {
    fail(`user "${userName}" needs both a client certificate and a client key`);
  }
  let token = typeof user.token === "string" && user.token !== "" ? user.token : undefined;
  if (token === undefined && user.tokenFile !== undefined) {
    token = (await readRef(user.tokenFile, "tokenFile")).trim();
  }
  return {
    server: server.replace(/\/+$/, ""),
    ...(caPem !== undefined ? { caPem } : {}),
    ...(certPem !== undefined ? { certPem, keyPem } : {}),
    ...(token !== undefined ? { token } : {}),
  };
}
