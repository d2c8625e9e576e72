/**
 * IPv4 CIDR arithmetic for the service and cluster ranges.
 *
 * @module
 */

/** An IPv4 CIDR block. */
export interface Ipv4Range {
  cidr: string;
  /** Number of addresses in the block. */
  size: number;
  /** The address at an offset from the network address. */
  at(offset: number): string;
  contains(ip: string): boolean;
}

function toNumber(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

function toIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/**
 * Parses `a.b.c.d/n`.
 * @throws {Error} for anything else.
 */
export function ipv4Range(cidr: string): Ipv4Range {
  const [address, bitsText] = cidr.split("/");
  const base = toNumber(address ?? "");
  const bits = Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30) {
    throw new Error(`invalid IPv4 CIDR "${cidr}" (expected a.b.c.d/n with 8 <= n <= 30)`);
  }
  const size = 2 ** (32 - bits);
  const network = base - (base % size);
  return {
    cidr: `${toIp(network)}/${bits}`,
    size,
    at: (offset) => toIp(network + offset),
    contains(ip) {
      const n = toNumber(ip);
      return n !== undefined && n > network && n < network + size - 1;
    },
  };
}
