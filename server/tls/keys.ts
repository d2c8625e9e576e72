/**
 * ECDSA key pairs through WebCrypto, and PEM import/export of private keys.
 *
 * @module
 */
import { decodePem, encodePem, pemLabel } from "./pem.ts";

/** The curves k3ts can sign with, and the hash each one pairs with. */
const curves = { "P-256": "SHA-256", "P-384": "SHA-384" } as const;

/** A named curve k3ts can sign with. */
export type NamedCurve = keyof typeof curves;

/**
 * Generates an extractable ECDSA P-256 key pair (what K3s uses).
 *
 * @returns The key pair.
 */
export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
}

/**
 * Exports a private key as PKCS#8 PEM.
 *
 * @param key An extractable private key.
 * @returns PEM text with label `PRIVATE KEY`.
 */
export async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  return encodePem("PRIVATE KEY", await crypto.subtle.exportKey("pkcs8", key));
}

/**
 * The WebCrypto signing parameters for an EC key.
 *
 * @param key An ECDSA key.
 * @returns `{ name: "ECDSA", namedCurve, hash }`.
 * @throws {TypeError} For keys that are not ECDSA on a supported curve.
 */
export function signingAlgorithm(key: CryptoKey): EcdsaParams & EcKeyImportParams {
  const algorithm = key.algorithm as EcKeyAlgorithm;
  const hash = curves[algorithm.namedCurve as NamedCurve];
  if (algorithm.name !== "ECDSA" || !hash) {
    throw new TypeError(`unsupported signing key: ${algorithm.name} ${algorithm.namedCurve ?? ""}`);
  }
  return { name: "ECDSA", namedCurve: algorithm.namedCurve, hash };
}

async function pkcs8FromPem(pem: string): Promise<Uint8Array<ArrayBuffer>> {
  const label = pemLabel(pem);
  if (label === "PRIVATE KEY") return decodePem(pem, label);
  if (label === "EC PRIVATE KEY") {
    // SEC1 keys come from tools such as openssl; WebCrypto reads only PKCS#8.
    const { createPrivateKey } = await import("node:crypto");
    const der = createPrivateKey(pem).export({ type: "pkcs8", format: "der" });
    return new Uint8Array(der);
  }
  throw new TypeError(`unsupported private key PEM "${label ?? "none"}"`);
}

async function importEcPrivateKey(pem: string, extractable: boolean): Promise<CryptoKey> {
  const der = await pkcs8FromPem(pem);
  for (const namedCurve of Object.keys(curves)) {
    try {
      return await crypto.subtle.importKey(
        "pkcs8",
        der,
        { name: "ECDSA", namedCurve },
        extractable,
        [
          "sign",
        ],
      );
    } catch {
      // try the next curve: the PKCS#8 body names its curve, WebCrypto wants it given too
    }
  }
  throw new TypeError("private key is not an ECDSA P-256 or P-384 key");
}

const signingKeys = new Map<string, Promise<CryptoKey>>();

/**
 * Imports a PEM private key for signing, cached by PEM text (CA keys sign many times).
 *
 * @param pem PKCS#8 `PRIVATE KEY` or SEC1 `EC PRIVATE KEY` PEM.
 * @returns A non-extractable signing key.
 * @throws {TypeError} When the key is not ECDSA P-256/P-384.
 */
export function importSigningKey(pem: string): Promise<CryptoKey> {
  let key = signingKeys.get(pem);
  if (!key) {
    key = importEcPrivateKey(pem, false);
    key.catch(() => signingKeys.delete(pem));
    // A handful of CAs per process; the bound only guards against misuse.
    if (signingKeys.size >= 16) signingKeys.clear();
    signingKeys.set(pem, key);
  }
  return key;
}

/**
 * Derives the public key of a PEM private key, so a renewed certificate can keep its key.
 *
 * @param pem PKCS#8 or SEC1 EC private key PEM.
 * @returns The public key, usable for certificate issuance.
 * @throws {TypeError} When the key is not ECDSA P-256/P-384.
 */
export async function publicKeyOf(pem: string): Promise<CryptoKey> {
  const privateKey = await importEcPrivateKey(pem, true);
  const { d: _d, key_ops: _ops, ...jwk } = await crypto.subtle.exportKey("jwk", privateKey);
  return await crypto.subtle.importKey(
    "jwk",
    jwk,
    { name: "ECDSA", namedCurve: (privateKey.algorithm as EcKeyAlgorithm).namedCurve },
    true,
    ["verify"],
  );
}
