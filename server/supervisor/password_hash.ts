/**
 * K3s's scrypt password hash, `$1:<salt hex>:<log2 N>:<r>:<p>:<key base64>`, so a node-password
 * Secret written by k3ts reads the same as one written by K3s (and the other way round).
 *
 * @module
 */
import { scrypt, timingSafeEqual } from "node:crypto";

/** The format version K3s writes and accepts. */
const HASH_VERSION = 1;

/** K3s's parameters: N = 2^15, r = 8, p = 1, a 64-byte key and an 8-byte salt. */
const DEFAULTS = { log2N: 15, r: 8, p: 1, keyLength: 64, saltLength: 8 } as const;

/** scrypt needs 128·N·r bytes; leave room above that (Node's default cap is exactly 32 MiB). */
function memoryLimit(log2N: number, r: number): number {
  return 2 * 128 * r * 2 ** log2N;
}

function deriveKey(
  password: string,
  salt: Uint8Array,
  log2N: number,
  r: number,
  p: number,
  keyLength: number,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    // The callback form runs on a worker thread: one hash costs ~190 ms of CPU.
    scrypt(
      password,
      salt,
      keyLength,
      { N: 2 ** log2N, r, p, maxmem: memoryLimit(log2N, r) },
      (error, key) => error ? reject(error) : resolve(new Uint8Array(key)),
    );
  });
}

/** Parameters of {@link createPasswordHash}; K3s's values when omitted (tests pass cheaper ones). */
export interface PasswordHashOptions {
  /** log2 of the scrypt cost N (K3s: 15). */
  log2N?: number;
  /** scrypt block size (K3s: 8). */
  r?: number;
  /** scrypt parallelism (K3s: 1). */
  p?: number;
}

/**
 * Hashes a password with scrypt and a random salt.
 *
 * @param password The secret to hash.
 * @param options scrypt parameters; K3s's when omitted.
 * @returns `$1:<salt hex>:<log2 N>:<r>:<p>:<derived key, base64 without padding>`.
 */
export async function createPasswordHash(
  password: string,
  options: PasswordHashOptions = {},
): Promise<string> {
  const log2N = options.log2N ?? DEFAULTS.log2N;
  const r = options.r ?? DEFAULTS.r;
  const p = options.p ?? DEFAULTS.p;
  const salt = crypto.getRandomValues(new Uint8Array(DEFAULTS.saltLength));
  const key = await deriveKey(password, salt, log2N, r, p, DEFAULTS.keyLength);
  return `$${HASH_VERSION}:${salt.toHex()}:${log2N}:${r}:${p}:${
    key.toBase64({ omitPadding: true })
  }`;
}

/** A stored hash that cannot be read (corrupt Secret, unknown version). */
export class PasswordHashFormatError extends Error {
  /** @param message What is wrong with the hash. */
  constructor(message: string) {
    super(message);
    this.name = "PasswordHashFormatError";
  }
}

interface ParsedHash {
  salt: Uint8Array;
  log2N: number;
  r: number;
  p: number;
  key: Uint8Array;
}

function parseHash(hash: string): ParsedHash {
  const parts = hash.trim().split(":");
  if (parts.length !== 6 || !parts[0].startsWith("$")) {
    throw new PasswordHashFormatError("password hash is not in the $1:salt:N:r:p:key format");
  }
  const version = Number(parts[0].slice(1));
  if (version !== HASH_VERSION) {
    throw new PasswordHashFormatError(
      `hash version ${parts[0].slice(1)} does not match package version ${HASH_VERSION}`,
    );
  }
  const [log2N, r, p] = parts.slice(2, 5).map(Number);
  // Bounds keep a tampered Secret from asking for gigabytes of scrypt memory.
  if (
    !Number.isInteger(log2N) || log2N < 1 || log2N > 20 || !Number.isInteger(r) || r < 1 ||
    r > 32 || !Number.isInteger(p) || p < 1 || p > 16
  ) {
    throw new PasswordHashFormatError("password hash has out-of-range scrypt parameters");
  }
  try {
    const salt = Uint8Array.fromHex(parts[1]);
    const key = Uint8Array.fromBase64(parts[5]);
    if (key.length === 0) throw new Error("empty key");
    return { salt, log2N, r, p, key };
  } catch {
    throw new PasswordHashFormatError("password hash salt or key is not valid hex/base64");
  }
}

/**
 * Checks a password against a hash made by {@link createPasswordHash} or by K3s.
 *
 * @param hash The stored hash.
 * @param password The password to check.
 * @returns True when the password matches (compared in constant time).
 * @throws {PasswordHashFormatError} When the hash cannot be read.
 */
export async function verifyPasswordHash(hash: string, password: string): Promise<boolean> {
  const parsed = parseHash(hash);
  const key = await deriveKey(
    password,
    parsed.salt,
    parsed.log2N,
    parsed.r,
    parsed.p,
    parsed.key.length,
  );
  return timingSafeEqual(key, parsed.key);
}
