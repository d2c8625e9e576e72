/**
 * The agent's side of a K3s join, as far as a kubelet identity goes: fetch `/cacerts` without
 * verification and pin it by the hash in the token, then get a kubelet client certificate for a
 * CSR (the key never leaves this process) by proving the node password. Requests the supervisor
 * turns away for load (429) or readiness (503) are retried with jitter, as K3s agents do.
 *
 * @module
 */
import https from "node:https";
import { Buffer } from "node:buffer";
import { pause } from "../../kube/pause.ts";
import { caHashOf, createCsr, type JoinToken } from "../tls/mod.ts";

/** A join step the server refused, or a server that is not the one the token names. */
export class JoinError extends Error {
  /**
   * @param message What failed.
   * @param status The HTTP status, when the server answered.
   */
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = "JoinError";
  }
}

/** K3s's client timeout for bootstrap requests. */
const REQUEST_TIMEOUT_MS = 10_000;

/** GET without certificate verification: the CA is what is being fetched. */
function fetchUnverified(url: string, signal?: AbortSignal): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { rejectUnauthorized: false, timeout: REQUEST_TIMEOUT_MS }, (
      response,
    ) => {
      const chunks: Uint8Array[] = [];
      response.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      response.on("end", () => {
        if (response.statusCode !== 200) {
          reject(new JoinError(`${url} answered ${response.statusCode}`, response.statusCode));
        } else resolve(new Uint8Array(Buffer.concat(chunks)));
      });
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new JoinError(`${url} timed out`)));
    request.on("error", reject);
    signal?.addEventListener("abort", () => request.destroy(new JoinError("aborted")), {
      once: true,
    });
  });
}

/**
 * Fetches the server CA and checks it against the token's hash.
 *
 * @param serverUrl `https://host:port`.
 * @param token The parsed join token; without a hash the CA is taken on trust (as K3s does for
 *   bare passwords).
 * @returns The CA PEM, byte for byte as served.
 * @throws {JoinError} When the server cannot be reached or its CA does not match the token.
 */
export async function fetchPinnedCa(
  serverUrl: string,
  token: JoinToken,
  signal?: AbortSignal,
): Promise<string> {
  const body = await fetchUnverified(`${serverUrl}/cacerts`, signal);
  const hash = caHashOf(body);
  if (token.caHash !== undefined && hash !== token.caHash) {
    throw new JoinError(
      `token CA hash does not match: the server's CA (/cacerts, sha256 ${hash}) does not ` +
        "match the hash in the token",
    );
  }
  return new TextDecoder().decode(body);
}

/** A kubelet client certificate and its key. */
export interface KubeletClientCertificate {
  /** Leaf and issuing CA, PEM. */
  certPem: string;
  keyPem: string;
}

/** What {@link requestKubeletClientCertificate} needs besides the node. */
export interface CertificateRequestContext {
  serverUrl: string;
  token: JoinToken;
  /** Trusts the pinned CA only. */
  http: Deno.HttpClient;
  signal?: AbortSignal;
  /** Attempts for retryable answers (429, 503, transport errors); 20 when omitted. */
  attempts?: number;
}

/** An HTTP basic `Authorization` header value (the join token's credentials). */
export function basicAuth(username: string, password: string): string {
  return `Basic ${new TextEncoder().encode(`${username}:${password}`).toBase64()}`;
}

/**
 * Gets `client-kubelet.crt` for a new key: CN `system:node:<name>`, O `system:nodes`.
 *
 * @param context Server, token and a client trusting the pinned CA.
 * @param node Name and password (headers `K3s-Node-Name`/`K3s-Node-Password`).
 * @throws {JoinError} When the supervisor refuses (401 token, 403 password, 400 headers).
 */
export async function requestKubeletClientCertificate(
  context: CertificateRequestContext,
  node: { name: string; password: string },
): Promise<KubeletClientCertificate> {
  const csr = await createCsr({ commonName: `system:node:${node.name}` });
  const attempts = context.attempts ?? 20;
  let delay = 250;
  for (let attempt = 1;; attempt++) {
    let retryable: string;
    try {
      const response = await fetch(`${context.serverUrl}/v1-k3s/client-kubelet.crt`, {
        method: "POST",
        client: context.http,
        headers: {
          authorization: basicAuth(context.token.username, context.token.password),
          "K3s-Node-Name": node.name,
          "K3s-Node-Password": node.password,
          "content-type": "application/x-pem-file",
        },
        body: csr.csrPem,
        signal: context.signal
          ? AbortSignal.any([context.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)])
          : AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const body = await response.text();
      if (response.status === 200) return { certPem: body, keyPem: csr.keyPem };
      if (response.status !== 429 && response.status !== 503) {
        throw new JoinError(
          `node ${node.name}: client-kubelet.crt: ${response.status} ${messageOf(body)}`,
          response.status,
        );
      }
      retryable = `${response.status} ${messageOf(body)}`;
    } catch (error) {
      if (
        error instanceof JoinError || error instanceof Deno.errors.NotCapable ||
        context.signal?.aborted
      ) throw error;
      retryable = String(error);
    }
    if (attempt >= attempts) {
      throw new JoinError(`node ${node.name}: client-kubelet.crt: gave up: ${retryable}`);
    }
    // Full jitter, so nodes turned away together do not come back together.
    await pause(delay / 2 + Math.random() * delay, context.signal ?? new AbortController().signal);
    delay = Math.min(delay * 2, 5_000);
  }
}

/** The message of a Status body, or the text as is. */
function messageOf(body: string): string {
  try {
    const status = JSON.parse(body);
    if (typeof status?.message === "string") return status.message;
  } catch {
    // plain text
  }
  return body.trim();
}
