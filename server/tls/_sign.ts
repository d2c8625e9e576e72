/**
 * The one place certificates are signed: CA creation and leaf issuance share serials, validity
 * and extension choices.
 *
 * @module
 */
import { decodePem } from "./pem.ts";
import { Oid, parseCertificate, subjectKeyId } from "./der.ts";
import { importSigningKey, signingAlgorithm } from "./keys.ts";
import { loadX509 } from "./_x509.ts";
import { canonicalIp } from "./ip.ts";
import type { CertificateProfile, CertKeyPair } from "./types.ts";

const DAY_MS = 86_400_000;

/** Clock skew tolerated between nodes: certificates are valid from an hour before issuance. */
const BACKDATE_MS = 3_600_000;

/** A random positive 128-bit serial number as hex (first byte 0x01-0x7f keeps DER minimal). */
export function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Validity window for a certificate issued at `now`, to whole seconds. */
export function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  const issued = Math.floor(now.getTime() / 1000) * 1000;
  return {
    notBefore: new Date(issued - BACKDATE_MS),
    notAfter: new Date(issued + days * DAY_MS),
  };
}

/** De-duplicates names, keeping first-seen order; DNS names compare case-insensitively. */
export function uniqueSans(dns: string[], ips: string[]): { dns: string[]; ips: string[] } {
  return {
    dns: [...new Set(dns.map((name) => name.trim().toLowerCase()).filter((n) => n !== ""))],
    ips: [...new Set(ips.map(canonicalIp))],
  };
}

/**
 * Signs a leaf certificate for `publicKey` with the CA's key.
 *
 * @param ca The issuing CA.
 * @param profile Subject, SANs, usage and validity.
 * @param publicKey The holder's public key, as a CryptoKey or SPKI DER.
 * @returns The certificate PEM.
 */
export async function signLeaf(
  ca: CertKeyPair,
  profile: CertificateProfile,
  publicKey: CryptoKey | Uint8Array<ArrayBuffer>,
): Promise<string> {
  if (profile.commonName === "") throw new TypeError("a certificate needs a common name");
  const [x509, signingKey] = await Promise.all([loadX509(), importSigningKey(ca.keyPem)]);
  const caFields = parseCertificate(decodePem(ca.certPem, "CERTIFICATE"));
  const { dns, ips } = uniqueSans(profile.dnsNames ?? [], profile.ips ?? []);
  const usages = {
    server: [x509.ExtendedKeyUsage.serverAuth],
    client: [x509.ExtendedKeyUsage.clientAuth],
    both: [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
  }[profile.usage];
  if (!usages) throw new TypeError(`unknown certificate usage "${profile.usage}"`);
  const extensions: InstanceType<X509["Extension"]>[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension(usages),
  ];
  const authorityKeyId = subjectKeyId(caFields);
  if (authorityKeyId) extensions.push(new x509.AuthorityKeyIdentifierExtension(authorityKeyId));
  if (dns.length + ips.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...dns.map((value) => ({ type: "dns" as const, value })),
        ...ips.map((value) => ({ type: "ip" as const, value })),
      ]),
    );
  }
  const subject: Record<string, string[]>[] = [{ [Oid.commonName]: [profile.commonName] }];
  for (const organization of profile.organizations ?? []) {
    subject.push({ [Oid.organization]: [organization] });
  }
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: new x509.Name(caFields.subjectDer.slice()),
    ...validity(profile.now ?? new Date(), profile.days ?? 365),
    publicKey,
    signingKey,
    signingAlgorithm: signingAlgorithm(signingKey),
    extensions,
  });
  return certificate.toString("pem") + "\n";
}

type X509 = Awaited<ReturnType<typeof loadX509>>;
