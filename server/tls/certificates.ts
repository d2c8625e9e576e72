/**
 * Leaf certificate issuance for every K3s-style role: serving, admin, kubelet, kube-proxy.
 *
 * @module
 */
import { exportPrivateKeyPem, generateKeyPair } from "./keys.ts";
import { signLeaf } from "./_sign.ts";
import { signCsr } from "./csr.ts";
import type { CertKeyPair, IssuedCertificate, IssueOptions } from "./types.ts";

/**
 * Issues a leaf certificate signed by `ca`.
 *
 * The key comes from `options.publicKey`: a CryptoKey, a PEM CSR (verified, see
 * {@link signCsr}), or nothing, in which case a new ECDSA P-256 key pair is made and its
 * private key returned as `keyPem`.
 *
 * @param ca The issuing CA (certificate and key PEM).
 * @param options Subject, SANs, usage, validity and key source.
 * @returns The certificate PEM, and the key PEM when generated here.
 * @throws {CertificateRequestError} When a CSR is given and does not verify.
 * @example
 * ```ts
 * const admin = await issueCertificate(clientCa, {
 *   commonName: "system:admin",
 *   organizations: ["system:masters"],
 *   usage: "client",
 * });
 * ```
 */
export async function issueCertificate(
  ca: CertKeyPair,
  options: IssueOptions,
): Promise<IssuedCertificate> {
  const { publicKey, ...profile } = options;
  if (typeof publicKey === "string") return { certPem: await signCsr(ca, publicKey, profile) };
  if (publicKey) return { certPem: await signLeaf(ca, profile, publicKey) };
  const keys = await generateKeyPair();
  const [certPem, keyPem] = await Promise.all([
    signLeaf(ca, profile, keys.publicKey),
    exportPrivateKeyPem(keys.privateKey),
  ]);
  return { certPem, keyPem };
}
