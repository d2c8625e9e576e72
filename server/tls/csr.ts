/**
 * Certificate signing requests: agents keep their private key and send only a CSR.
 *
 * @module
 */
import { exportPrivateKeyPem, generateKeyPair, signingAlgorithm } from "./keys.ts";
import { loadX509 } from "./_x509.ts";
import { signLeaf } from "./_sign.ts";
import type { CertificateProfile, CertKeyPair } from "./types.ts";

/** A CSR that cannot be parsed or whose signature does not verify. */
export class CertificateRequestError extends Error {
  /**
   * @param message What is wrong with the request.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CertificateRequestError";
  }
}

/**
 * Signs a PEM CSR after verifying its self-signature (proof the requester holds the key).
 * The subject and SANs come from `profile`, never from the CSR: the server decides who the
 * holder is (K3s names kubelet certificates after the node, whatever the CSR says).
 *
 * @param ca The issuing CA.
 * @param csrPem The PKCS#10 request, PEM.
 * @param profile Subject, SANs, usage and validity of the certificate.
 * @returns The certificate PEM.
 * @throws {CertificateRequestError} When the CSR is malformed or its signature is invalid.
 */
export async function signCsr(
  ca: CertKeyPair,
  csrPem: string,
  profile: CertificateProfile,
): Promise<string> {
  const x509 = await loadX509();
  let request: InstanceType<typeof x509.Pkcs10CertificateRequest>;
  try {
    request = new x509.Pkcs10CertificateRequest(csrPem);
  } catch (cause) {
    throw new CertificateRequestError("certificate request is not a valid PEM CSR", { cause });
  }
  let valid = false;
  try {
    valid = await request.verify();
  } catch (cause) {
    throw new CertificateRequestError("certificate request signature cannot be checked", {
      cause,
    });
  }
  if (!valid) throw new CertificateRequestError("certificate request signature is invalid");
  return await signLeaf(ca, profile, new Uint8Array(request.publicKey.rawData));
}

/** A CSR and the private key it was made with. */
export interface CreatedCsr {
  /** The PKCS#10 request, PEM. */
  csrPem: string;
  /** The private key to keep, PKCS#8 PEM. */
  keyPem: string;
}

/**
 * Makes a new ECDSA P-256 key and a CSR for it (what an agent sends to the supervisor).
 *
 * @param options The CN to request (the server may override it).
 * @returns The CSR and the private key.
 */
export async function createCsr(options: { commonName: string }): Promise<CreatedCsr> {
  const [x509, keys] = await Promise.all([loadX509(), generateKeyPair()]);
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ "2.5.4.3": [options.commonName] }],
    keys,
    signingAlgorithm: signingAlgorithm(keys.privateKey),
  });
  return {
    csrPem: request.toString("pem") + "\n",
    keyPem: await exportPrivateKeyPem(keys.privateKey),
  };
}
