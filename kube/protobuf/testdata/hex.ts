/**
 * Test helper: bytes written as space-separated hex.
 *
 * @module
 */

/** Bytes from space-separated hex, e.g. `"0a 01 61"`. */
export function hex(text: string): number[] {
  return text.split(/\s+/).filter((b) => b !== "").map((b) => parseInt(b, 16));
}
