/**
 * The API server's own check of a client certificate, beside the TLS layer's: issued and
 * signed by the client CA, within validity, usable for client auth. Yields the Kubernetes
 * identity: user = CN, groups = every O.
 *
 * @module
 */
import { X509Certificate } from "node:crypto";
import { decodePem } from "./pem.ts";
import { extendedKeyUsages, isCertificateAuthority, Oid, parseCertificate } from "./der.ts";

/** The identity a client certificate proves. */
export interface CertificateIdentity {
  /** The subject CN. */
  user: string;
  /** Every subject O, in order. */
  groups: string[];
}

interface TrustedCa {
  certificate: X509Certificate;
  notBefore: number;
  notAfter: number;
}

const trusted = new Map<string, TrustedCa>();

/** Parses the CA once per PEM: it is checked on every request. */
function trustedCa(pem: string): TrustedCa {
  let ca = trusted.get(pem);
  if (!ca) {
    const der = decodePem(pem, "CERTIFICATE");
    const fields = parseCertificate(der);
    ca = {
      certificate: new X509Certificate(der),
      notBefore: fields.notBefore.getTime(),
      notAfter: fields.notAfter.getTime(),
    };
    if (trusted.size >= 16) trusted.clear();
    trusted.set(pem, ca);
  }
  return ca;
}

/**
 * Checks a client certificate against the client CA and returns who it names.
 *
 * Subject attributes are read from the DER, not from a printed subject string, so a CN
 * containing `\nO=system:masters` cannot smuggle in a group.
 *
 * @param certDer The peer certificate DER (`getPeerCertificate(true).raw`).
 * @param clientCaPem The client CA PEM.
 * @param now The time to check validity at; now when omitted.
 * @returns The identity, or null when the certificate is not acceptable.
 */
export function verifyClientCertificate(
  certDer: Uint8Array,
  clientCaPem: string,
  now: Date = new Date(),
): CertificateIdentity | null {
  try {
    const ca = trustedCa(clientCaPem);
    const time = now.getTime();
    if (time < ca.notBefore || time > ca.notAfter) return null;
    const fields = parseCertificate(certDer);
    if (time < fields.notBefore.getTime() || time > fields.notAfter.getTime()) return null;
    // A CA certificate is not a client identity, even the client CA itself.
    if (isCertificateAuthority(fields)) return null;
    const usages = extendedKeyUsages(fields);
    if (usages && !usages.includes(Oid.clientAuth)) return null;
    const certificate = new X509Certificate(certDer);
    if (!certificate.checkIssued(ca.certificate)) return null;
    if (!certificate.verify(ca.certificate.publicKey)) return null;
    const user = fields.subject.find((attribute) => attribute.oid === Oid.commonName)?.value;
    if (!user) return null;
    const groups = fields.subject
      .filter((attribute) => attribute.oid === Oid.organization)
      .map((attribute) => attribute.value);
    return { user, groups };
  } catch {
    // Malformed input is an authentication failure, not a server error.
    return null;
  }
}
