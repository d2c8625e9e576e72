/**
 * IP address text <-> bytes, so SANs written by different tools (`::1`, `0:0:0:0:0:0:0:1`)
 * compare equal.
 *
 * @module
 */

/**
 * Parses an IPv4 or IPv6 address (no zone, no prefix length).
 *
 * @param text The address.
 * @returns 4 or 16 bytes, or undefined when `text` is not an IP address.
 */
export function parseIp(text: string): Uint8Array | undefined {
  if (text.includes(".") && !text.includes(":")) return parseIpv4(text);
  if (!text.includes(":")) return undefined;
  return parseIpv6(text);
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(parts[i])) return undefined;
    const value = Number(parts[i]);
    if (value > 255) return undefined;
    bytes[i] = value;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | undefined {
  let head = text;
  let tail = "";
  const gap = text.indexOf("::");
  if (gap >= 0) {
    if (text.indexOf("::", gap + 1) >= 0) return undefined;
    head = text.slice(0, gap);
    tail = text.slice(gap + 2);
  }
  const headWords = head === "" ? [] : head.split(":");
  const tailWords = tail === "" ? [] : tail.split(":");
  const words: number[] = [];
  const all = [...headWords, ...tailWords];
  // An embedded IPv4 tail (`::ffff:10.0.0.1`) counts as two words.
  const last = all.at(-1);
  let embedded: Uint8Array | undefined;
  if (last?.includes(".")) {
    embedded = parseIpv4(last);
    if (!embedded) return undefined;
    if (tailWords.length > 0) tailWords.pop();
    else headWords.pop();
  }
  for (const word of [...headWords, ...tailWords]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(word)) return undefined;
    words.push(parseInt(word, 16));
  }
  const total = headWords.length + tailWords.length + (embedded ? 2 : 0);
  if (gap < 0 ? total !== 8 : total > 7) return undefined;
  const bytes = new Uint8Array(16);
  const put = (index: number, word: number) => {
    bytes[index * 2] = word >> 8;
    bytes[index * 2 + 1] = word & 0xff;
  };
  headWords.forEach((_, i) => put(i, words[i]));
  const tailStart = 8 - tailWords.length - (embedded ? 2 : 0);
  tailWords.forEach((_, i) => put(tailStart + i, words[headWords.length + i]));
  if (embedded) bytes.set(embedded, 12);
  return bytes;
}

/**
 * Formats 4 or 16 address bytes canonically (dotted quad; RFC 5952 for IPv6).
 *
 * @param bytes The address bytes.
 * @returns The address text.
 * @throws {TypeError} When `bytes` is neither 4 nor 16 bytes long.
 */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join(".");
  if (bytes.length !== 16) {
    throw new TypeError(`an IP address has 4 or 16 bytes, got ${bytes.length}`);
  }
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i] << 8) | bytes[i + 1]);
  // RFC 5952: compress the longest run (length >= 2) of zero words, the first one on ties.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/**
 * The canonical text of an IP address, for comparing and de-duplicating SANs.
 *
 * @param text The address.
 * @returns The canonical form.
 * @throws {TypeError} When `text` is not an IP address.
 */
export function canonicalIp(text: string): string {
  const bytes = parseIp(text.trim());
  if (!bytes) throw new TypeError(`"${text}" is not an IP address`);
  return formatIp(bytes);
}
