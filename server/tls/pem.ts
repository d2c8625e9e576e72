/**
 * PEM armour: base64 DER between `-----BEGIN <label>-----` lines.
 *
 * @module
 */

/**
 * Wraps DER bytes in a PEM block with 64-character lines.
 *
 * @param label The block label, e.g. `CERTIFICATE` or `PRIVATE KEY`.
 * @param der The DER bytes.
 * @returns PEM text ending with a newline.
 */
export function encodePem(label: string, der: Uint8Array | ArrayBuffer): string {
  const base64 = toBase64(der instanceof Uint8Array ? der : new Uint8Array(der));
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/**
 * Standard base64 of bytes (or of a string's UTF-8 bytes).
 *
 * @param data The bytes or text.
 * @returns Base64 with padding, no line breaks.
 */
export function toBase64(data: Uint8Array | string): string {
  // Native base64 (not btoa/atob): their first call costs ~1.5 ms, a third of a restart.
  return (typeof data === "string" ? new TextEncoder().encode(data) : data).toBase64();
}

/**
 * Decodes the first PEM block with the given label.
 *
 * @param pem PEM text, possibly holding several blocks.
 * @param label The block label to look for.
 * @returns The DER bytes.
 * @throws {TypeError} When no block with that label exists or its body is not base64.
 */
export function decodePem(pem: string, label: string): Uint8Array<ArrayBuffer> {
  const begin = `-----BEGIN ${label}-----`;
  const start = pem.indexOf(begin);
  const end = start < 0 ? -1 : pem.indexOf(`-----END ${label}-----`, start);
  if (start < 0 || end < 0) throw new TypeError(`no PEM block "${label}" found`);
  try {
    // fromBase64 skips ASCII whitespace itself, so the line breaks need no stripping.
    return Uint8Array.fromBase64(pem.slice(start + begin.length, end));
  } catch {
    throw new TypeError(`PEM block "${label}" is not valid base64`);
  }
}

/**
 * The label of the first PEM block in `pem`, or undefined when there is none.
 *
 * @param pem PEM text.
 * @returns The label, e.g. `PRIVATE KEY`.
 */
export function pemLabel(pem: string): string | undefined {
  return /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1];
}
