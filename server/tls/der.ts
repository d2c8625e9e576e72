/**
 * A minimal DER reader for the few certificate fields k3ts needs on hot paths (restart checks,
 * per-request client certificate checks) without loading a full ASN.1 library.
 *
 * @module
 */
import { formatIp } from "./ip.ts";

/** OIDs k3ts reads. */
export const Oid = {
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

/** One attribute of a distinguished name, in certificate order. */
export interface NameAttribute {
  /** Dotted OID, e.g. `2.5.4.10` for O. */
  oid: string;
  /** The decoded string value. */
  value: string;
}

/** One certificate extension. */
export interface CertificateExtension {
  /** Whether the extension is marked critical. */
  critical: boolean;
  /** The contents of `extnValue` (the DER inside the OCTET STRING). */
  value: Uint8Array;
}

/** The fields of a certificate that k3ts reads. */
export interface CertificateFields {
  /** X.509 version number (1 or 3). */
  version: number;
  /** Raw DER of the issuer Name, for byte comparison with a CA's subject. */
  issuerDer: Uint8Array;
  /** Raw DER of the subject Name. */
  subjectDer: Uint8Array;
  /** Subject attributes, flattened across RDNs, in order. */
  subject: NameAttribute[];
  /** Start of validity. */
  notBefore: Date;
  /** End of validity. */
  notAfter: Date;
  /** Extensions by dotted OID. */
  extensions: Map<string, CertificateExtension>;
}

interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  offset: number;
  /** Offset of the first value byte. */
  start: number;
  /** Offset just past the value. */
  end: number;
}

function readTlv(der: Uint8Array, offset: number, limit = der.length): Tlv {
  if (offset + 2 > limit) throw new TypeError("DER: truncated element");
  const tag = der[offset];
  if ((tag & 0x1f) === 0x1f) throw new TypeError("DER: high tag numbers are not supported");
  let length = der[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new TypeError("DER: unsupported length encoding");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i];
    start += count;
  }
  const end = start + length;
  if (end > limit) throw new TypeError("DER: element runs past its parent");
  return { tag, offset, start, end };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end;) {
    const child = readTlv(der, offset, parent.end);
    out.push(child);
    offset = child.end;
  }
  return out;
}

function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv || tlv.tag !== tag) throw new TypeError(`DER: expected ${what}`);
  return tlv;
}

/**
 * Decodes a DER OBJECT IDENTIFIER body to dotted form.
 *
 * @param bytes The OID contents (without tag and length).
 * @returns The dotted OID.
 */
export function decodeOid(bytes: Uint8Array): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    if (arcs.length === 0) {
      const first = value < 80 ? Math.floor(value / 40) : 2;
      arcs.push(first, value - first * 40);
    } else {
      arcs.push(value);
    }
    value = 0;
  }
  return arcs.join(".");
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes as Latin-1 text; these strings are short, and a TextDecoder's first use costs 0.3 ms. */
function latin1(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

function decodeString(der: Uint8Array, tlv: Tlv): string {
  const body = der.subarray(tlv.start, tlv.end);
  switch (tlv.tag) {
    case 0x0c: // UTF8String
      return utf8.decode(body);
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // TeletexString, read as Latin-1 like most implementations
      return latin1(body);
    case 0x1e: { // BMPString: UTF-16BE
      let text = "";
      for (let i = 0; i + 1 < body.length; i += 2) {
        text += String.fromCharCode((body[i] << 8) | body[i + 1]);
      }
      return text;
    }
    case 0x1c: { // UniversalString: UTF-32BE
      let text = "";
      for (let i = 0; i + 3 < body.length; i += 4) {
        text += String.fromCodePoint(
          ((body[i] << 24) | (body[i + 1] << 16) | (body[i + 2] << 8) | body[i + 3]) >>> 0,
        );
      }
      return text;
    }
    default:
      throw new TypeError(`DER: unsupported string type 0x${tlv.tag.toString(16)}`);
  }
}

function decodeTime(der: Uint8Array, tlv: Tlv): Date {
  const text = latin1(der.subarray(tlv.start, tlv.end));
  const match = tlv.tag === 0x17
    ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
    : tlv.tag === 0x18
    ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
    : null;
  if (!match) throw new TypeError(`DER: bad time "${text}"`);
  let year = Number(match[1]);
  // RFC 5280: two-digit years 50-99 are 19xx, 00-49 are 20xx.
  if (tlv.tag === 0x17) year += year >= 50 ? 1900 : 2000;
  const [month, day, hour, minute, second] = match.slice(2).map(Number);
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

function decodeName(der: Uint8Array, name: Tlv): NameAttribute[] {
  const attributes: NameAttribute[] = [];
  for (const rdn of children(der, name)) {
    for (const typeAndValue of children(der, expectTag(rdn, 0x31, "RDN SET"))) {
      const [type, value] = children(der, expectTag(typeAndValue, 0x30, "AttributeTypeAndValue"));
      const oidTlv = expectTag(type, 0x06, "attribute OID");
      if (!value) throw new TypeError("DER: attribute without a value");
      attributes.push({
        oid: decodeOid(der.subarray(oidTlv.start, oidTlv.end)),
        value: decodeString(der, value),
      });
    }
  }
  return attributes;
}

function decodeExtensions(der: Uint8Array, wrapper: Tlv): Map<string, CertificateExtension> {
  const extensions = new Map<string, CertificateExtension>();
  const list = expectTag(children(der, wrapper)[0], 0x30, "Extensions");
  for (const extension of children(der, list)) {
    const parts = children(der, expectTag(extension, 0x30, "Extension"));
    const oidTlv = expectTag(parts[0], 0x06, "extension OID");
    const critical = parts.length === 3 && parts[1].tag === 0x01 && der[parts[1].start] !== 0;
    const value = expectTag(parts.at(-1), 0x04, "extnValue");
    extensions.set(decodeOid(der.subarray(oidTlv.start, oidTlv.end)), {
      critical,
      value: der.subarray(value.start, value.end),
    });
  }
  return extensions;
}

/**
 * Reads the fields k3ts needs from a DER certificate. Does not verify anything.
 *
 * @param der The certificate DER.
 * @returns The decoded fields.
 * @throws {TypeError} When the bytes are not a well-formed certificate.
 */
export function parseCertificate(der: Uint8Array): CertificateFields {
  const certificate = expectTag(readTlv(der, 0), 0x30, "Certificate");
  const tbs = children(der, expectTag(children(der, certificate)[0], 0x30, "TBSCertificate"));
  let index = 0;
  let version = 1;
  if (tbs[0]?.tag === 0xa0) {
    const integer = expectTag(children(der, tbs[0])[0], 0x02, "version");
    version = der[integer.start] + 1;
    index = 1;
  }
  // serialNumber, signature algorithm, then the fields below.
  const issuer = expectTag(tbs[index + 2], 0x30, "issuer");
  const validity = children(der, expectTag(tbs[index + 3], 0x30, "validity"));
  const subject = expectTag(tbs[index + 4], 0x30, "subject");
  const extensionsTlv = tbs.slice(index + 6).find((tlv) => tlv.tag === 0xa3);
  if (validity.length !== 2) throw new TypeError("DER: validity needs two times");
  return {
    version,
    issuerDer: der.subarray(issuer.offset, issuer.end),
    subjectDer: der.subarray(subject.offset, subject.end),
    subject: decodeName(der, subject),
    notBefore: decodeTime(der, validity[0]),
    notAfter: decodeTime(der, validity[1]),
    extensions: extensionsTlv ? decodeExtensions(der, extensionsTlv) : new Map(),
  };
}

/** Subject alternative names, with IPs in canonical text form. */
export interface SubjectAltNames {
  /** dNSName entries. */
  dns: string[];
  /** iPAddress entries, canonical (see {@link formatIp}). */
  ips: string[];
}

/**
 * Reads the SAN extension of a certificate.
 *
 * @param fields Fields from {@link parseCertificate}.
 * @returns DNS names and IPs (empty lists when there is no SAN extension).
 */
export function subjectAltNames(fields: CertificateFields): SubjectAltNames {
  const names: SubjectAltNames = { dns: [], ips: [] };
  const extension = fields.extensions.get(Oid.subjectAltName);
  if (!extension) return names;
  const der = extension.value;
  for (const name of children(der, expectTag(readTlv(der, 0), 0x30, "GeneralNames"))) {
    const body = der.subarray(name.start, name.end);
    if (name.tag === 0x82) names.dns.push(latin1(body));
    else if (name.tag === 0x87 && (body.length === 4 || body.length === 16)) {
      names.ips.push(formatIp(body));
    }
  }
  return names;
}

/**
 * Reads the extended key usage OIDs of a certificate.
 *
 * @param fields Fields from {@link parseCertificate}.
 * @returns The OIDs, or undefined when the certificate has no EKU extension (any usage).
 */
export function extendedKeyUsages(fields: CertificateFields): string[] | undefined {
  const extension = fields.extensions.get(Oid.extKeyUsage);
  if (!extension) return undefined;
  const der = extension.value;
  return children(der, expectTag(readTlv(der, 0), 0x30, "ExtKeyUsageSyntax"))
    .map((oid) => decodeOid(der.subarray(expectTag(oid, 0x06, "key purpose").start, oid.end)));
}

/**
 * Whether basicConstraints marks the certificate as a CA.
 *
 * @param fields Fields from {@link parseCertificate}.
 * @returns True for CA certificates.
 */
export function isCertificateAuthority(fields: CertificateFields): boolean {
  const extension = fields.extensions.get(Oid.basicConstraints);
  if (!extension) return false;
  const der = extension.value;
  const first = children(der, expectTag(readTlv(der, 0), 0x30, "BasicConstraints"))[0];
  return first?.tag === 0x01 && der[first.start] !== 0;
}

/**
 * The subjectKeyIdentifier of a certificate as lowercase hex.
 *
 * @param fields Fields from {@link parseCertificate}.
 * @returns The key id, or undefined when absent.
 */
export function subjectKeyId(fields: CertificateFields): string | undefined {
  const extension = fields.extensions.get(Oid.subjectKeyIdentifier);
  if (!extension) return undefined;
  const octets = expectTag(readTlv(extension.value, 0), 0x04, "KeyIdentifier");
  return hex(extension.value.subarray(octets.start, octets.end));
}

/**
 * The keyIdentifier of a certificate's authorityKeyIdentifier as lowercase hex.
 *
 * @param fields Fields from {@link parseCertificate}.
 * @returns The issuer's key id, or undefined when absent.
 */
export function authorityKeyId(fields: CertificateFields): string | undefined {
  const extension = fields.extensions.get(Oid.authorityKeyIdentifier);
  if (!extension) return undefined;
  const der = extension.value;
  const keyId = children(der, expectTag(readTlv(der, 0), 0x30, "AuthorityKeyIdentifier"))
    .find((part) => part.tag === 0x80);
  return keyId ? hex(der.subarray(keyId.start, keyId.end)) : undefined;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
