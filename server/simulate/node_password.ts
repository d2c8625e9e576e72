/**
 * A simulated node's password, kept like an agent keeps `/etc/rancher/node/password`: random
 * on first use, then read back, so the node proves the same password to the supervisor on every
 * start (the server remembers its hash in `<node>.node-password.k3s`).
 *
 * @module
 */

/** Where a node's password lives under the simulator's data dir. */
export function nodePasswordPath(dataDir: string, nodeName: string): string {
  return `${dataDir}/nodes/${nodeName}/password`;
}

/**
 * Reads the node's password, creating a random one (mode 0600) on first use.
 *
 * @param dataDir The simulator's data dir.
 * @param nodeName The node.
 * @returns The password (32 random bytes, hex).
 * @example
 * ```ts
 * const password = await ensureNodePassword("/var/lib/k3ts/simulate", "sim-node-0");
 * ```
 */
export async function ensureNodePassword(dataDir: string, nodeName: string): Promise<string> {
  const path = nodePasswordPath(dataDir, nodeName);
  try {
    const stored = (await Deno.readTextFile(path)).trim();
    if (stored !== "") return stored;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await Deno.mkdir(`${dataDir}/nodes/${nodeName}`, { recursive: true, mode: 0o700 });
  const password = crypto.getRandomValues(new Uint8Array(32)).toHex();
  // Written whole or not at all: a crash must not leave an empty password behind.
  const temporary = `${path}.tmp`;
  await Deno.writeTextFile(temporary, password + "\n", { mode: 0o600 });
  await Deno.rename(temporary, path);
  return password;
}
