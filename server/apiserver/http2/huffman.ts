/**
 * HPACK's Huffman code (RFC 7541, appendix B), decoding only: the server sends its own strings
 * as plain octets, and clients (Go's, in kubectl) Huffman-code theirs.
 *
 * The code is canonical: within each length, codes count up in symbol order, and each length's
 * first code follows the last code of the shorter ones. So the 257 code lengths below are the
 * whole table, and decoding walks the code one bit at a time against each length's code range.
 *
 * @module
 */
import { Http2Error } from "./errors.ts";

/** Code length in bits of each symbol: octets 0-255, then 256, end-of-string (EOS). */
const CODE_LENGTHS = [
  13,
  23,
  28,
  28,
  28,
  28,
  28,
  28,
  28,
  24,
  30,
  28,
  28,
  30,
  28,
  28,
  28,
  28,
  28,
  28,
  28,
  28,
  30,
  28,
  28,
  28,
  28,
  28,
  28,
  28,
  28,
  28,
  6,
  10,
  10,
  12,
  13,
  6,
  8,
  11,
  10,
  10,
  8,
  11,
  8,
  6,
  6,
  6,
  5,
  5,
  5,
  6,
  6,
  6,
  6,
  6,
  6,
  6,
  7,
  8,
  15,
  6,
  12,
  10,
  13,
  6,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  8,
  7,
  8,
  13,
  19,
  13,
  14,
  6,
  15,
  5,
  6,
  5,
  6,
  5,
  6,
  6,
  6,
  5,
  7,
  7,
  6,
  6,
  6,
  5,
  6,
  7,
  6,
  5,
  5,
  6,
  7,
  7,
  7,
  7,
  7,
  15,
  11,
  14,
  13,
  28,
  20,
  22,
  20,
  20,
  22,
  22,
  22,
  23,
  22,
  23,
  23,
  23,
  23,
  23,
  24,
  23,
  24,
  24,
  22,
  23,
  24,
  23,
  23,
  23,
  23,
  21,
  22,
  23,
  22,
  23,
  23,
  24,
  22,
  21,
  20,
  22,
  22,
  23,
  23,
  21,
  23,
  22,
  22,
  24,
  21,
  22,
  23,
  23,
  21,
  21,
  22,
  21,
  23,
  22,
  23,
  23,
  20,
  22,
  22,
  22,
  23,
  22,
  22,
  23,
  26,
  26,
  20,
  19,
  22,
  23,
  22,
  25,
  26,
  26,
  26,
  27,
  27,
  26,
  24,
  25,
  19,
  21,
  26,
  27,
  27,
  26,
  27,
  24,
  21,
  21,
  26,
  26,
  28,
  27,
  27,
  27,
  20,
  24,
  20,
  21,
  22,
  21,
  21,
  23,
  22,
  22,
  25,
  25,
  24,
  24,
  26,
  23,
  26,
  27,
  26,
  26,
  27,
  27,
  27,
  27,
  27,
  28,
  27,
  27,
  27,
  27,
  27,
  26,
  30,
];

const EOS = 256;
const MAX_LENGTH = 30;

/** Per code length: the first code, and where its symbols start in {@link SYMBOLS}. */
const FIRST_CODE = new Int32Array(MAX_LENGTH + 2);
const FIRST_INDEX = new Int32Array(MAX_LENGTH + 2);
/** How many codes each length has. */
const COUNT = new Int32Array(MAX_LENGTH + 2);
/** The symbols in code order: by length, then by value. */
const SYMBOLS = new Uint16Array(CODE_LENGTHS.length);

{
  for (const length of CODE_LENGTHS) COUNT[length]++;
  let code = 0, index = 0;
  for (let length = 1; length <= MAX_LENGTH; length++) {
    FIRST_CODE[length] = code;
    FIRST_INDEX[length] = index;
    code = (code + COUNT[length]) * 2;
    index += COUNT[length];
  }
  const next = FIRST_INDEX.slice();
  for (let symbol = 0; symbol < CODE_LENGTHS.length; symbol++) {
    SYMBOLS[next[CODE_LENGTHS[symbol]]++] = symbol;
  }
}

/**
 * Decodes a Huffman-coded string literal into octets.
 * @throws Http2Error (COMPRESSION_ERROR) for EOS inside the string, or padding longer than
 *   7 bits or not made of 1s, as RFC 7541 section 5.2 requires.
 */
export function decodeHuffman(input: Uint8Array): Uint8Array {
  // Five bits are the shortest code: the output is at most 8/5 of the input.
  const out = new Uint8Array(Math.ceil((input.length * 8) / 5));
  let written = 0;
  let code = 0, length = 0;
  /** Whether every bit of the current (unfinished) code is a 1: padding must be. */
  let allOnes = true;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i];
    for (let bit = 7; bit >= 0; bit--) {
      const one = (byte >> bit) & 1;
      code = code * 2 + one;
      allOnes &&= one === 1;
      length++;
      const offset = code - FIRST_CODE[length];
      if (offset >= 0 && offset < COUNT[length]) {
        const symbol = SYMBOLS[FIRST_INDEX[length] + offset];
        if (symbol === EOS) throw Http2Error.compression("EOS inside a Huffman string");
        out[written++] = symbol;
        code = 0;
        length = 0;
        allOnes = true;
      } else if (length >= MAX_LENGTH) {
        throw Http2Error.compression("an invalid Huffman code");
      }
    }
  }
  if (length > 7 || !allOnes) throw Http2Error.compression("bad padding after a Huffman string");
  return out.subarray(0, written);
}
