/**
 * Self-signed certificate authorities (server CA, client CA), ECDSA P-256 like K3s.
 *
 * @module
 */
import { exportPrivateKeyPem, generateKeyPair, signingAlgorithm } from "./keys.ts";
import { loadX509 } from "./_x509.ts";
import { randomSerial, validity } from "./_sign.ts";
import type { CertKeyPair } from "./types.ts";

/** Options for {@link createCertificateAuthority}. */
export interface CertificateAuthorityOptions {
  /** Subject CN, e.g. `k3ts-server-ca@1700000000`. */
  commonName: string;
  /** Validity in days; 3650 (ten years, as K3s) when omitted. */
  days?: number;
  /** Issuing time; now when omitted. */
  now?: Date;
}

/**
 * Creates a self-signed CA with a new ECDSA P-256 key.
 *
 * @param options Subject and validity.
 * @returns The CA certificate and key, PEM.
 * @example
 * ```ts
 * const ca = await createCertificateAuthority({ commonName: "k3ts-client-ca@1700000000" });
 * ```
 */
export async function createCertificateAuthority(
  options: CertificateAuthorityOptions,
): Promise<CertKeyPair> {
  const [x509, keys] = await Promise.all([loadX509(), generateKeyPair()]);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ "2.5.4.3": [options.commonName] }],
    ...validity(options.now ?? new Date(), options.days ?? 3650),
    keys,
    signingAlgorithm: signingAlgorithm(keys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign |
          x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    certPem: certificate.toString("pem") + "\n",
    keyPem: await exportPrivateKeyPem(keys.privateKey),
  };
}
