/**
 * TLS bootstrap for the k3ts server: CAs, leaf certificates, CSR signing, join tokens, the admin
 * kubeconfig and client certificate checks; and the certificate lifecycle after it: the
 * inventory, expiry warnings and on-demand renewal. The `k3ts certificate` command is
 * `certificate_cli.ts`, imported by the CLI alone, so a running server does not load it.
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
 * for (const warning of expiryWarnings(await listClusterCertificates(dataDir), new Date())) {
 *   log.warn(warning.message, warning.logFields);
 * }
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
export {
  CERTIFICATE_SERVICES,
  type CertificateRecord,
  type CertificateStatus,
  certificateStatus,
  type CertificateUsageKind,
  type ClusterCertificateInventory,
  daysRemaining,
  EXPIRY_WARNING_DAYS,
  type InventoryOptions,
  listClusterCertificates,
  serviceOfFile,
  type UnreadableCertificate,
} from "./inventory.ts";
export {
  CERTIFICATE_EXPIRATION_WARNING,
  type CertificateExpiryEvent,
  type EventObjectReference,
  type ExpiryWarning,
  type ExpiryWarningOptions,
  expiryWarnings,
} from "./expiry_warnings.ts";
export {
  type CertificateExpiryMonitorOptions,
  checkCertificateExpiry,
  DEFAULT_EXPIRY_CHECK_INTERVAL_MS,
  startCertificateExpiryMonitor,
} from "./expiry_monitor.ts";
export {
  backupClusterTls,
  CertificateRenewalError,
  type RenewalResult,
  type RenewedCertificate,
  renewLeafCertificates,
  type RenewLeafCertificatesOptions,
} from "./renewal.ts";
export {
  formatExpiryDate,
  formatResidualTime,
  renderCertificateJson,
  renderCertificateTable,
  renderCertificateText,
  rfc3339,
  usageNames,
} from "./certificate_report.ts";
