/**
 * Shapes shared by the TLS modules.
 *
 * @module
 */

/** A certificate and its private key, both PEM. */
export interface CertKeyPair {
  /** The certificate, PEM. */
  certPem: string;
  /** The private key, PEM (PKCS#8 `PRIVATE KEY`). */
  keyPem: string;
}

/** Which extended key usages a leaf certificate gets. */
export type CertificateUsage = "server" | "client" | "both";

/** What a leaf certificate says about its holder; the key comes from elsewhere. */
export interface CertificateProfile {
  /** Subject CN; the Kubernetes user name for client certificates. */
  commonName: string;
  /** Subject O values; the Kubernetes groups for client certificates. */
  organizations?: string[];
  /** dNSName SANs. */
  dnsNames?: string[];
  /** iPAddress SANs (IPv4 or IPv6 text). */
  ips?: string[];
  /** serverAuth, clientAuth, or both. */
  usage: CertificateUsage;
  /** Validity in days; 365 when omitted. */
  days?: number;
  /** The issuing time; the current time when omitted (tests pass a fixed one). */
  now?: Date;
}

/** Options for {@link issueCertificate}: a profile plus where the public key comes from. */
export interface IssueOptions extends CertificateProfile {
  /**
   * The holder's public key, or a PEM CSR whose signature is verified and whose key is used.
   * When omitted a new ECDSA P-256 key pair is generated and its private key returned.
   */
  publicKey?: CryptoKey | string;
}

/** A newly issued certificate. */
export interface IssuedCertificate {
  /** The certificate, PEM. */
  certPem: string;
  /** The private key, PEM, only when the key pair was generated here. */
  keyPem?: string;
}
