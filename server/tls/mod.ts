/**
 * TLS bootstrap for the k3ts server: CAs, leaf certificates, CSR signing, join tokens, the admin
 * kubeconfig and client certificate checks.
 *
 * @example
 * ```ts
 * const tls = await ensureClusterTls({ dataDir, sans: { dns: [], ips: [nodeIp] } });
 * const tokens = await ensureJoinTokens({ dataDir, caPem: tls.serverCa.certPem });
 * await writeAdminKubeconfig({
 *   path: kubeconfigPath,
 *   serverUrl: "https://127.0.0.1:6443",
 *   caPem: tls.serverCa.certPem,
 *   certPem: tls.admin.certPem,
 *   keyPem: tls.admin.keyPem,
 * });
 * ```
 *
 * @module
 */
export * from "./types.ts";
export { type CertificateAuthorityOptions, createCertificateAuthority } from "./ca.ts";
export { issueCertificate } from "./certificates.ts";
export { CertificateRequestError, createCsr, type CreatedCsr, signCsr } from "./csr.ts";
export {
  type CertificateChange,
  type CertificateChangeReason,
  type ClusterTls,
  type ClusterTlsOptions,
  type ClusterTlsPaths,
  clusterTlsPaths,
  ensureClusterTls,
  RENEW_BEFORE_DAYS,
} from "./bootstrap.ts";
export {
  caHashOf,
  ensureJoinTokens,
  formatJoinToken,
  type JoinToken,
  JoinTokenError,
  type JoinTokenOptions,
  type JoinTokens,
  parseJoinToken,
} from "./join_token.ts";
export {
  type AdminKubeconfigOptions,
  renderKubeconfig,
  writeAdminKubeconfig,
} from "./kubeconfig.ts";
export { type CertificateIdentity, verifyClientCertificate } from "./verify.ts";
export { type SubjectAltNames } from "./der.ts";
