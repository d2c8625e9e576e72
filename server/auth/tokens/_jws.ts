/**
 * JSON Web Signatures in compact form (RFC 7515), just the part service-account tokens need:
 * one signing key, `ES256` or `RS256`, no `none`, no HMAC.
 *
 * @module
 */
import type { ServiceAccountKey, ServiceAccountKeyAlgorithm } from "./signing_key.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** WebCrypto parameters per JWS algorithm. ECDSA signatures are raw `r||s`, as JWS wants. */
const SIGNING_PARAMS: Record<ServiceAccountKeyAlgorithm, AlgorithmIdentifier | EcdsaParams> = {
  ES256: { name: "ECDSA", hash: "SHA-256" },
  RS256: { name: "RSASSA-PKCS1-v1_5" },
};

/** Unpadded base64url of bytes or of a string's UTF-8. */
export function base64Url(data: Uint8Array | string): string {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
}

/** A compact JWS split into its parts; the signature is not checked yet. */
export interface DecodedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `<header>.<payload>`, the bytes the signature covers. */
  signingInput: Uint8Array<ArrayBuffer>;
  signature: Uint8Array<ArrayBuffer>;
}

/** True when `token` has the shape of a compact JWS (three base64url parts). */
export function looksLikeJws(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

function decodeJsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(
      decoder.decode(Uint8Array.fromBase64(part, { alphabet: "base64url" })),
    );
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Splits and decodes a compact JWS.
 *
 * @returns The parts, or a reason when the text is not a well-formed JWS.
 */
export function decodeJws(token: string): DecodedJws | string {
  if (!looksLikeJws(token)) return "token is not a compact JWS";
  const [headerPart, payloadPart, signaturePart] = token.split(".");
  const header = decodeJsonPart(headerPart);
  const payload = decodeJsonPart(payloadPart);
  if (!header || !payload) return "token header or payload is not a JSON object";
  let signature: Uint8Array<ArrayBuffer>;
  try {
    signature = Uint8Array.fromBase64(signaturePart, { alphabet: "base64url" });
  } catch {
    return "token signature is not base64url";
  }
  return {
    header,
    payload,
    signingInput: encoder.encode(`${headerPart}.${payloadPart}`),
    signature,
  };
}

/**
 * Signs `payload` with `key`; the header names the algorithm and the key id, as upstream's.
 *
 * @returns The compact JWS.
 */
export async function signJws(
  key: ServiceAccountKey,
  payload: Record<string, unknown>,
): Promise<string> {
  const header = base64Url(JSON.stringify({ alg: key.algorithm, kid: key.keyId }));
  const body = base64Url(JSON.stringify(payload));
  const signingInput = `${header}.${body}`;
  const signature = await crypto.subtle.sign(
    SIGNING_PARAMS[key.algorithm],
    key.privateKey,
    encoder.encode(signingInput),
  );
  return `${signingInput}.${base64Url(new Uint8Array(signature))}`;
}

/**
 * Checks the signature of a decoded JWS against `key`.
 *
 * @returns undefined when it verifies, else the reason.
 */
export async function verifyJws(
  key: ServiceAccountKey,
  jws: DecodedJws,
): Promise<string | undefined> {
  // The header is attacker-chosen: only the key's own algorithm is ever accepted (no `none`,
  // no HS256 keyed with the public key).
  if (jws.header.alg !== key.algorithm) {
    return `token is signed with algorithm ${
      JSON.stringify(jws.header.alg)
    }, expected ${key.algorithm}`;
  }
  const valid = await crypto.subtle.verify(
    SIGNING_PARAMS[key.algorithm],
    key.publicKey,
    jws.signature,
    jws.signingInput,
  );
  return valid ? undefined : "token signature is invalid";
}
