/**
 * K3s's node password rule: the first agent to claim a node name leaves a scrypt hash of its
 * random password in an immutable Secret `<node>.node-password.k3s` in `kube-system`; later
 * bootstrap requests for that name must present the same password, so one agent cannot get
 * kubelet certificates for another node. Once the Node object is gone the name is free again.
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import {
  createPasswordHash,
  PasswordHashFormatError,
  type PasswordHashOptions,
  verifyPasswordHash,
} from "./password_hash.ts";

/** The Secret type K3s gives node-password Secrets (`<program>.cattle.io/node-password`). */
export const NODE_PASSWORD_SECRET_TYPE = "k3s.cattle.io/node-password";

/** Where node-password Secrets live. */
export const NODE_PASSWORD_NAMESPACE = "kube-system";

/** The agent's message for a rejected password (K3s wording), sent as the 403 message. */
export const NODE_PASSWORD_REJECTED =
  "Node password rejected, duplicate hostname or contents of '/etc/rancher/node/password' may " +
  "not match server node-passwd entry, try enabling a unique node name with the --with-node-id " +
  "flag";

/** Field manager recorded on the Secrets this module writes. */
const FIELD_MANAGER = "k3ts-supervisor";

/** Concurrent joins under one name race on create/delete; a few rounds settle every race. */
const MAX_ATTEMPTS = 5;

/** A node name is a lowercase RFC 1123 subdomain (the Secret name embeds it). */
const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The Secret that holds a node's password hash.
 *
 * @param nodeName The node name (any case; K3s lowercases it).
 * @returns `<node>.node-password.k3s`.
 */
export function nodePasswordSecretName(nodeName: string): string {
  return `${nodeName.toLowerCase()}.node-password.k3s`;
}

/**
 * Checks that both node headers are present and the name is usable, before anything else
 * (K3s answers 400 for these ahead of every other check).
 *
 * @param nodeName The `K3s-Node-Name` header.
 * @param password The `K3s-Node-Password` header.
 * @returns The lowercased name and the password.
 * @throws {ApiError} 400 naming what is missing or invalid.
 */
export function requireNodeCredentials(
  nodeName: string | null | undefined,
  password: string | null | undefined,
): { name: string; password: string } {
  if (!nodeName) throw ApiError.badRequest("node name not set (header K3s-Node-Name)");
  if (!password) throw ApiError.badRequest("node password not set (header K3s-Node-Password)");
  const name = nodeName.toLowerCase();
  if (name.length > 253 - ".node-password.k3s".length || !NODE_NAME.test(name)) {
    throw ApiError.badRequest(
      `invalid node name "${nodeName}": must be a lowercase RFC 1123 subdomain`,
    );
  }
  return { name, password };
}

/** What {@link verifyNodePassword} found. */
export type NodePasswordOutcome =
  /** No Secret existed: this request claimed the name. */
  | "created"
  /** The Secret's hash matched. */
  | "verified"
  /** The hash did not match but the Node is gone, so the Secret was replaced. */
  | "replaced";

/** The result of {@link verifyNodePassword}. */
export interface NodePasswordResult {
  /** The node name, lowercased as K3s does. */
  nodeName: string;
  /** How the password was accepted. */
  outcome: NodePasswordOutcome;
}

/** Options of {@link verifyNodePassword}. */
export interface NodePasswordOptions {
  /** scrypt parameters for new hashes; K3s's when omitted (tests pass cheaper ones). */
  hash?: PasswordHashOptions;
}

/**
 * Checks a node's password, claiming the name on first use.
 *
 * - no name or no password -> 400 (K3s: "node name not set" / "node password not set");
 * - no Secret -> one is created (immutable, type {@link NODE_PASSWORD_SECRET_TYPE}, `data.hash`);
 * - Secret whose hash matches -> accepted;
 * - hash differs (or is unreadable) while the Node exists -> 403 {@link NODE_PASSWORD_REJECTED};
 * - hash differs and no Node of that name exists -> the Secret is replaced, because a deleted
 *   Node frees its name (K3s gets there by garbage-collecting the Secret with its Node).
 *
 * Creation is one write; replacement deletes with a UID precondition and creates, so two agents
 * racing for a name cannot both win: the loser re-reads and is checked against the winner.
 *
 * @param stores The in-process stores (Secrets and Nodes).
 * @param nodeName The `K3s-Node-Name` header.
 * @param password The `K3s-Node-Password` header.
 * @param options Hash parameters.
 * @returns The lowercased node name and how the password was accepted.
 * @throws {ApiError} 400 for missing headers or an invalid node name, 403 on mismatch.
 */
export async function verifyNodePassword(
  stores: StoreSet,
  nodeName: string | null | undefined,
  password: string | null | undefined,
  options: NodePasswordOptions = {},
): Promise<NodePasswordResult> {
  const { name, password: secret } = requireNodeCredentials(nodeName, password);
  const secrets = stores.forKind("", "Secret");
  const nodes = stores.forKind("", "Node");
  const secretName = nodePasswordSecretName(name);
  let newHash: Promise<string> | undefined;
  const secretWithHash = async (): Promise<KubeObject> => {
    newHash ??= createPasswordHash(secret, options.hash);
    return nodePasswordSecret(secretName, await newHash);
  };

  let replacing = false;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const existing = await secrets.find(NODE_PASSWORD_NAMESPACE, secretName);
    if (!existing) {
      try {
        await secrets.create(NODE_PASSWORD_NAMESPACE, await secretWithHash(), {
          fieldManager: FIELD_MANAGER,
        });
        return { nodeName: name, outcome: replacing ? "replaced" : "created" };
      } catch (error) {
        // Another request claimed the name first: check against its hash.
        if (isReason(error, "AlreadyExists")) continue;
        throw error;
      }
    }
    if (await hashMatches(existing, secret)) return { nodeName: name, outcome: "verified" };
    if (await nodes.find(undefined, name)) {
      throw new ApiError(403, "Forbidden", NODE_PASSWORD_REJECTED);
    }
    replacing = true;
    try {
      await secrets.delete(NODE_PASSWORD_NAMESPACE, secretName, {
        preconditions: { uid: existing.metadata.uid },
      });
    } catch (error) {
      // Someone else replaced or removed it meanwhile: look again.
      if (isReason(error, "NotFound") || isReason(error, "Conflict")) continue;
      throw error;
    }
  }
  throw ApiError.conflict(
    { resource: "secrets", group: "" },
    secretName,
    "too many concurrent joins under this node name; please try again",
  );
}

function nodePasswordSecret(name: string, hash: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: NODE_PASSWORD_NAMESPACE },
    immutable: true,
    type: NODE_PASSWORD_SECRET_TYPE,
    data: { hash: new TextEncoder().encode(hash).toBase64() },
  };
}

/** Whether the Secret's `data.hash` accepts the password; an unreadable hash never does. */
async function hashMatches(secret: KubeObject, password: string): Promise<boolean> {
  const encoded = secret.data?.hash;
  if (typeof encoded !== "string") return false;
  try {
    const hash = new TextDecoder().decode(Uint8Array.fromBase64(encoded));
    return await verifyPasswordHash(hash, password);
  } catch (error) {
    if (error instanceof PasswordHashFormatError || error instanceof SyntaxError) return false;
    throw error;
  }
}

function isReason(error: unknown, reason: string): boolean {
  return error instanceof ApiError && error.reason === reason;
}
