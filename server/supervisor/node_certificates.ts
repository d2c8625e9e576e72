/**
 * The certificates an agent asks the supervisor for, and how a CSR arrives. The subject always
 * comes from the server (node name from the node-password check), never from the CSR: the CSR
 * only proves the agent holds the key. K3s agents POST a DER CSR with an empty subject; PEM is
 * accepted too.
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";
import { canonicalIp } from "../tls/ip.ts";
import { CertificateRequestError, signCsr } from "../tls/mod.ts";
import { decodePem, encodePem, pemLabel } from "../tls/pem.ts";
import type { CertificateProfile, CertKeyPair } from "../tls/mod.ts";

/**
 * The kubelet's serving certificate: CN and DNS SAN the node name, plus `localhost`,
 * `127.0.0.1` and the node's IPs (K3s's `K3s-Node-IP` header).
 *
 * @param nodeName The verified node name.
 * @param nodeIps The node's IPs.
 * @returns The certificate profile.
 */
export function servingKubeletProfile(nodeName: string, nodeIps: string[]): CertificateProfile {
  return {
    commonName: nodeName,
    dnsNames: [nodeName, "localhost"],
    ips: ["127.0.0.1", ...nodeIps],
    usage: "server",
  };
}

/**
 * The kubelet's client certificate: user `system:node:<name>` in group `system:nodes`, which
 * the node authorizer and the supervisor's `/v1-k3s/connect` recognise.
 *
 * @param nodeName The verified node name.
 * @returns The certificate profile.
 */
export function clientKubeletProfile(nodeName: string): CertificateProfile {
  return {
    commonName: `system:node:${nodeName}`,
    organizations: ["system:nodes"],
    usage: "client",
  };
}

/** The service proxy's client certificate: user `system:kube-proxy`, shared by every node. */
export const CLIENT_KUBE_PROXY_PROFILE: CertificateProfile = {
  commonName: "system:kube-proxy",
  usage: "client",
};

/**
 * Parses the `K3s-Node-IP` header: comma-separated IPv4/IPv6 addresses.
 *
 * @param header The header value, or null.
 * @returns Canonical IP texts (empty when the header is absent or empty).
 * @throws {ApiError} 400 naming the first entry that is not an IP address.
 */
export function parseNodeIps(header: string | null): string[] {
  if (!header || header.trim() === "") return [];
  return header.split(",").map((entry) => {
    try {
      return canonicalIp(entry.trim());
    } catch {
      throw ApiError.badRequest(`invalid node IP address "${entry.trim()}" in header K3s-Node-IP`);
    }
  });
}

const CSR_LABELS = ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"];

/**
 * The CSR of a request body as PEM: PEM bodies as sent, DER bodies (what K3s agents send)
 * wrapped.
 *
 * @param body The request body.
 * @returns A `CERTIFICATE REQUEST` PEM.
 * @throws {ApiError} 400 when the body is empty or PEM of another kind.
 */
export function csrPemOf(body: Uint8Array): string {
  if (body.length === 0) {
    throw ApiError.badRequest(
      "POST a certificate signing request (PEM or DER) for the agent's own key: " +
        "k3ts does not hand out private keys",
    );
  }
  // DER starts with a SEQUENCE tag; PEM with text.
  if (body[0] === 0x30) return encodePem("CERTIFICATE REQUEST", body);
  const text = new TextDecoder().decode(body);
  const label = pemLabel(text);
  if (!label || !CSR_LABELS.includes(label)) {
    throw ApiError.badRequest(
      `the request body is not a certificate signing request (found ${
        label ? `a PEM "${label}" block` : "no PEM block"
      })`,
    );
  }
  try {
    return encodePem("CERTIFICATE REQUEST", decodePem(text, label));
  } catch {
    throw ApiError.badRequest("the certificate signing request PEM is not valid base64");
  }
}

/**
 * Signs an agent's CSR and returns the certificate followed by the issuing CA, as K3s does (the
 * agent writes the chain to its `.crt` file).
 *
 * @param ca The issuing CA.
 * @param body The request body (PEM or DER CSR).
 * @param profile Who the certificate names.
 * @returns The chain PEM.
 * @throws {ApiError} 400 when the CSR is malformed or its signature does not verify.
 */
export async function signAgentCsr(
  ca: CertKeyPair,
  body: Uint8Array,
  profile: CertificateProfile,
): Promise<string> {
  const csrPem = csrPemOf(body);
  try {
    const certPem = await signCsr(ca, csrPem, profile);
    return certPem + ca.certPem;
  } catch (error) {
    if (error instanceof CertificateRequestError) throw ApiError.badRequest(error.message);
    throw error;
  }
}
