/**
 * Which CA issued a certificate, decided from the DER alone: start-up checks and renewal run on
 * files this server wrote itself, and should not load a crypto library to re-verify them.
 *
 * @module
 */
import { authorityKeyId, type CertificateFields, subjectKeyId } from "./der.ts";

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * Whether `leaf` names `ca` as its issuer. Names alone are not enough (two CAs made in the same
 * second share a CN), so key identifiers must match when both carry one. No signature check.
 *
 * @param leaf The issued certificate's fields.
 * @param ca The candidate CA's fields.
 * @returns True when the issuer name matches and the key identifiers do not contradict it.
 */
export function isIssuedBy(leaf: CertificateFields, ca: CertificateFields): boolean {
  if (!sameBytes(leaf.issuerDer, ca.subjectDer)) return false;
  const caKeyId = subjectKeyId(ca);
  const leafAuthorityId = authorityKeyId(leaf);
  return caKeyId === undefined || leafAuthorityId === undefined || caKeyId === leafAuthorityId;
}
