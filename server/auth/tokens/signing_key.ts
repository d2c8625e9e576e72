/**
 * The key that signs service-account tokens, kept at `<dataDir>/server/tls/service.key` (the
 * path K3s uses). It is created on first start and reused on every restart: a new key would
 * invalidate every token already handed to pods and controllers.
 *
 * New keys are ECDSA P-256 (JWS `ES256`), like every other key of the cluster: WebCrypto makes one
 * in ~0.1 ms, signatures are 64 bytes, and Kubernetes accepts ES256 service-account keys. An RSA
 * key found in the file (upstream's and older K3s's choice, `RS256`) is used as it is.
 *
 * @module
 */
import { clusterTlsPaths } from "../../tls/bootstrap.ts";
import { readTextIfExists, writeFileAtomic } from "../../tls/files.ts";
import { decodePem, encodePem, pemLabel } from "../../tls/pem.ts";
import { base64Url } from "./_jws.ts";

/** The JWS algorithms a service-account key signs with. */
export type ServiceAccountKeyAlgorithm = "ES256" | "RS256";

/** A loaded service-account signing key. */
export interface ServiceAccountKey {
  /** `ES256` (ECDSA P-256) or `RS256` (RSA PKCS#1 v1.5 with SHA-256). */
  algorithm: ServiceAccountKeyAlgorithm;
  /** Upstream's key id: unpadded base64url of the SHA-256 of the public key's SPKI DER. */
  keyId: string;
  /** Signs tokens; not extractable. */
  privateKey: CryptoKey;
  /** Verifies tokens. */
  publicKey: CryptoKey;
}

/** A key as {@link ensureServiceAccountKey} found or made it. */
export interface EnsuredServiceAccountKey extends ServiceAccountKey {
  /** Where the key lives. */
  path: string;
  /** True when this call generated and wrote the key. */
  created: boolean;
}

type ImportParams = EcKeyImportParams | RsaHashedImportParams;

const IMPORT_PARAMS: Record<ServiceAccountKeyAlgorithm, ImportParams> = {
  ES256: { name: "ECDSA", namedCurve: "P-256" },
  RS256: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
};

/** JWK members that only a private key has; dropping them leaves the public key. */
const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "key_ops"] as const;

/**
 * The path of the service-account key under a data dir.
 *
 * @param dataDir The server data dir.
 * @returns `<dataDir>/server/tls/service.key`.
 */
export function serviceAccountKeyPath(dataDir: string): string {
  return `${clusterTlsPaths(dataDir).dir}/service.key`;
}

async function pkcs8Of(pem: string): Promise<Uint8Array<ArrayBuffer>> {
  const label = pemLabel(pem);
  if (label === "PRIVATE KEY") return decodePem(pem, label);
  if (label === "EC PRIVATE KEY" || label === "RSA PRIVATE KEY") {
    // SEC1 and PKCS#1 keys come from openssl or an older K3s data dir; WebCrypto reads PKCS#8 only.
    const { createPrivateKey } = await import("node:crypto");
    return new Uint8Array(createPrivateKey(pem).export({ type: "pkcs8", format: "der" }));
  }
  throw new TypeError(`unsupported service account key PEM "${label ?? "none"}"`);
}

async function keyIdOf(publicKey: CryptoKey): Promise<string> {
  const spki = await crypto.subtle.exportKey("spki", publicKey);
  return base64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", spki)));
}

async function fromPkcs8(
  der: Uint8Array<ArrayBuffer>,
  algorithm: ServiceAccountKeyAlgorithm,
): Promise<ServiceAccountKey> {
  const params = IMPORT_PARAMS[algorithm];
  // Extractable only long enough to derive the public half; the kept key is not.
  const extractable = await crypto.subtle.importKey("pkcs8", der, params, true, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", extractable);
  for (const member of PRIVATE_JWK_MEMBERS) delete jwk[member];
  const [privateKey, publicKey] = await Promise.all([
    crypto.subtle.importKey("pkcs8", der, params, false, ["sign"]),
    crypto.subtle.importKey("jwk", jwk, params, true, ["verify"]),
  ]);
  return { algorithm, keyId: await keyIdOf(publicKey), privateKey, publicKey };
}

/**
 * Loads a service-account key from PEM: PKCS#8 (`PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`) or
 * PKCS#1 (`RSA PRIVATE KEY`).
 *
 * @param pem The private key.
 * @returns The key with its algorithm and key id.
 * @throws {TypeError} When the key is neither ECDSA P-256 nor RSA.
 */
export async function importServiceAccountKey(pem: string): Promise<ServiceAccountKey> {
  const der = await pkcs8Of(pem);
  for (const algorithm of ["ES256", "RS256"] as const) {
    try {
      return await fromPkcs8(der, algorithm);
    } catch {
      // The PKCS#8 body names its algorithm, but WebCrypto wants it given: try the next one.
    }
  }
  throw new TypeError("service account key must be an ECDSA P-256 or an RSA private key");
}

/**
 * Generates a new ECDSA P-256 service-account key.
 *
 * @returns The key and its PKCS#8 PEM.
 */
export async function generateServiceAccountKey(): Promise<
  { key: ServiceAccountKey; pem: string }
> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const pem = encodePem("PRIVATE KEY", await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  return { key: await importServiceAccountKey(pem), pem };
}

/**
 * Returns the cluster's service-account key, creating `<dataDir>/server/tls/service.key`
 * (mode 0600) on first start and reusing it afterwards. A reused file readable by others is
 * narrowed to 0600.
 *
 * @param dataDir The server data dir.
 * @returns The key, where it lives, and whether it was created now.
 * @throws {TypeError} When the existing file holds no usable key (it is never overwritten).
 * @example
 * ```ts
 * const key = await ensureServiceAccountKey("/var/lib/k3ts");
 * const tokens = new ServiceAccountTokens(key);
 * ```
 */
export async function ensureServiceAccountKey(dataDir: string): Promise<EnsuredServiceAccountKey> {
  const path = serviceAccountKeyPath(dataDir);
  const existing = await readTextIfExists(path);
  if (existing !== undefined) {
    const key = await importServiceAccountKey(existing).catch((error: Error) => {
      throw new TypeError(`${path}: ${error.message}`);
    });
    const { mode } = await Deno.stat(path);
    if (mode !== null && (mode & 0o077) !== 0) await Deno.chmod(path, 0o600);
    return { ...key, path, created: false };
  }
  const { key, pem } = await generateServiceAccountKey();
  await writeFileAtomic(path, pem, { mode: 0o600 });
  return { ...key, path, created: true };
}
