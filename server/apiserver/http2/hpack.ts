/**
 * HPACK (RFC 7541) for the server's side of HTTP/2: a decoder for request header blocks, with
 * the dynamic table and Huffman strings that clients use, and an encoder for response headers
 * that uses neither.
 *
 * Why the encoder keeps no dynamic table: a response's headers are a status, a content type, a
 * length and a few more, about 60 octets as literals. Indexing would save some of them per
 * response but would tie every header block to the order in which the connection sends them.
 *
 * Header strings are octets; they become JavaScript strings one octet per character (Latin-1),
 * as Node's HTTP/2 gives them.
 *
 * @module
 */
import { decodeHuffman } from "./huffman.ts";
import { Http2Error } from "./errors.ts";

/** The static table (RFC 7541, appendix A), from index 1: name, then value. */
const STATIC_TABLE: readonly (readonly [string, string])[] = [
  [":authority", ""],
  [":method", "GET"],
  [":method", "POST"],
  [":path", "/"],
  [":path", "/index.html"],
  [":scheme", "http"],
  [":scheme", "https"],
  [":status", "200"],
  [":status", "204"],
  [":status", "206"],
  [":status", "304"],
  [":status", "400"],
  [":status", "404"],
  [":status", "500"],
  ...[
    "accept-charset",
    "accept-encoding",
    "accept-language",
    "accept-ranges",
    "accept",
    "access-control-allow-origin",
    "age",
    "allow",
    "authorization",
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-range",
    "content-type",
    "cookie",
    "date",
    "etag",
    "expect",
    "expires",
    "from",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "last-modified",
    "link",
    "location",
    "max-forwards",
    "proxy-authenticate",
    "proxy-authorization",
    "range",
    "referer",
    "refresh",
    "retry-after",
    "server",
    "set-cookie",
    "strict-transport-security",
    "transfer-encoding",
    "user-agent",
    "vary",
    "via",
    "www-authenticate",
  ].map((name) => [name, name === "accept-encoding" ? "gzip, deflate" : ""] as const),
];

/** What an entry costs in the dynamic table: its octets plus 32 (RFC 7541, section 4.1). */
const ENTRY_OVERHEAD = 32;

/** The table size both sides start with, and the most this server lets a client use. */
export const DEFAULT_HEADER_TABLE_SIZE = 4096;

/**
 * Decodes the header blocks of one connection, in the order they arrive: the dynamic table is
 * shared by all of them.
 */
export class HpackDecoder {
  /** Newest first: dynamic index 62 is `#entries[0]`. */
  #entries: [string, string][] = [];
  #size = 0;
  #maxSize = DEFAULT_HEADER_TABLE_SIZE;
  readonly #maxListSize: number;

  /**
   * @param maxListSize the most a decoded header list may hold (names, values and 32 octets of
   *   overhead per field, as SETTINGS_MAX_HEADER_LIST_SIZE counts): a small block can refer to
   *   a large table entry many times over.
   */
  constructor(maxListSize: number) {
    this.#maxListSize = maxListSize;
  }

  /**
   * Decodes one complete header block.
   * @returns the fields in order, flat: name, value, name, value, ...
   * @throws Http2Error COMPRESSION_ERROR for a malformed block, ENHANCE_YOUR_CALM for one whose
   *   list is over the limit. Either way the table is no longer in step with the client's, and
   *   the connection must end.
   */
  decode(block: Uint8Array): string[] {
    const fields: string[] = [];
    const cursor = { block, at: 0 };
    let listSize = 0;
    let fieldSeen = false;
    while (cursor.at < block.length) {
      const first = block[cursor.at];
      let name: string, value: string;
      if (first & 0x80) {
        // Indexed field.
        [name, value] = this.#entry(readInteger(cursor, 7));
      } else if ((first & 0xe0) === 0x20) {
        // A table size update: only before the first field of a block.
        if (fieldSeen) throw Http2Error.compression("a table size update after a header field");
        const size = readInteger(cursor, 5);
        if (size > DEFAULT_HEADER_TABLE_SIZE) {
          throw Http2Error.compression(
            `a table size of ${size}, over the ${DEFAULT_HEADER_TABLE_SIZE} allowed`,
          );
        }
        this.#maxSize = size;
        this.#evictTo(size);
        continue;
      } else {
        // A literal: with incremental indexing (01), without (0000) or never indexed (0001).
        const indexed = (first & 0xc0) === 0x40;
        const index = readInteger(cursor, indexed ? 6 : 4);
        name = index === 0 ? readString(cursor) : this.#entry(index)[0];
        value = readString(cursor);
        if (indexed) this.#insert(name, value);
      }
      fieldSeen = true;
      listSize += name.length + value.length + ENTRY_OVERHEAD;
      if (listSize > this.#maxListSize) {
        throw new Http2Error(0xb, `a header list over ${this.#maxListSize} octets`);
      }
      fields.push(name, value);
    }
    return fields;
  }

  #entry(index: number): readonly [string, string] {
    if (index === 0) throw Http2Error.compression("header index 0");
    if (index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1];
    const entry = this.#entries[index - STATIC_TABLE.length - 1];
    if (!entry) throw Http2Error.compression(`header index ${index} is not in the table`);
    return entry;
  }

  #insert(name: string, value: string): void {
    const size = name.length + value.length + ENTRY_OVERHEAD;
    if (size > this.#maxSize) {
      // An entry larger than the table empties it and is not added (RFC 7541, section 4.4).
      this.#evictTo(0);
      return;
    }
    this.#evictTo(this.#maxSize - size);
    this.#entries.unshift([name, value]);
    this.#size += size;
  }

  #evictTo(size: number): void {
    while (this.#size > size) {
      const [name, value] = this.#entries.pop()!;
      this.#size -= name.length + value.length + ENTRY_OVERHEAD;
    }
  }
}

/** A position in a header block. */
interface Cursor {
  block: Uint8Array;
  at: number;
}

/** An integer with an N-bit prefix (RFC 7541, section 5.1), capped well below 2^31. */
function readInteger(cursor: Cursor, prefixBits: number): number {
  const { block } = cursor;
  const limit = (1 << prefixBits) - 1;
  let value = block[cursor.at++] & limit;
  if (value < limit) return value;
  for (let shift = 0;; shift += 7) {
    if (cursor.at >= block.length) throw Http2Error.compression("an integer cut short");
    if (shift > 21) throw Http2Error.compression("an integer too large");
    const byte = block[cursor.at++];
    value += (byte & 0x7f) * 2 ** shift;
    if (!(byte & 0x80)) return value;
  }
}

/** A string literal, plain or Huffman-coded (RFC 7541, section 5.2). */
function readString(cursor: Cursor): string {
  if (cursor.at >= cursor.block.length) throw Http2Error.compression("a string cut short");
  const huffman = cursor.block[cursor.at] & 0x80;
  const length = readInteger(cursor, 7);
  const end = cursor.at + length;
  if (end > cursor.block.length) throw Http2Error.compression("a string cut short");
  const octets = cursor.block.subarray(cursor.at, end);
  cursor.at = end;
  return latin1(huffman ? decodeHuffman(octets) : octets);
}

/** Octets as a string, one character each. */
function latin1(octets: Uint8Array): string {
  // fromCharCode takes its octets as arguments: in slices, so that a long value cannot exceed
  // the engine's argument limit.
  const SLICE = 8192;
  if (octets.length <= SLICE) return String.fromCharCode.apply(null, octets as unknown as number[]);
  let text = "";
  for (let i = 0; i < octets.length; i += SLICE) {
    text += String.fromCharCode.apply(null, octets.subarray(i, i + SLICE) as unknown as number[]);
  }
  return text;
}

/** Static table index of each `:status` value the table holds (200, 204, ...). */
const STATIC_STATUS: Record<string, number> = {};
/** Static table index of each name, for literals with an indexed name. */
const STATIC_NAME = new Map<string, number>();
for (let i = STATIC_TABLE.length - 1; i >= 0; i--) {
  const [name, value] = STATIC_TABLE[i];
  STATIC_NAME.set(name, i + 1);
  if (name === ":status") STATIC_STATUS[value] = i + 1;
}

/** The static table's entry at `index` (from 1), if there is one. */
export function staticEntry(index: number): readonly [string, string] | undefined {
  return STATIC_TABLE[index - 1];
}

/**
 * Encodes a response's header block: `:status` first, then each header as a literal without
 * indexing. Names must be lower case (HTTP/2 requires it; `Headers` gives them so).
 */
export function encodeResponseHeaders(
  status: number,
  headers: Readonly<Record<string, string>>,
): Uint8Array {
  const out: number[] = [];
  const staticStatus = STATIC_STATUS[String(status)];
  if (staticStatus) out.push(0x80 | staticStatus);
  else {
    out.push(0x08); // literal without indexing, name `:status` (static 8)
    pushString(out, String(status));
  }
  for (const name in headers) {
    const index = STATIC_NAME.get(name);
    if (index === undefined) {
      out.push(0x00);
      pushString(out, name);
    } else pushInteger(out, index, 4, 0x00);
    pushString(out, headers[name]);
  }
  return new Uint8Array(out);
}

function pushInteger(out: number[], value: number, prefixBits: number, pattern: number): void {
  const limit = (1 << prefixBits) - 1;
  if (value < limit) {
    out.push(pattern | value);
    return;
  }
  out.push(pattern | limit);
  value -= limit;
  while (value >= 0x80) {
    out.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
}

const utf8 = new TextEncoder();

/**
 * A plain (not Huffman-coded) string: ASCII as it is, anything else as UTF-8. Control
 * characters become spaces: a header value cannot hold them, and a warning can quote a field
 * name from a request body.
 */
function pushString(out: number[], text: string): void {
  let ascii = true;
  for (let i = 0; i < text.length && ascii; i++) ascii = text.charCodeAt(i) < 0x80;
  const octets = ascii ? undefined : utf8.encode(text);
  const length = octets ? octets.length : text.length;
  pushInteger(out, length, 7, 0x00);
  for (let i = 0; i < length; i++) {
    const octet = octets ? octets[i] : text.charCodeAt(i);
    out.push(octet < 0x20 && octet !== 0x09 || octet === 0x7f ? 0x20 : octet);
  }
}
