/**
 * This server's leader-election identity: `<node-name>_<id>`, as K3s and upstream components use
 * `<hostname>_<uuid>`, but with the id kept in `<data-dir>/server/leader-id` so that a server
 * restarted after a crash recognises the lease it still holds and takes it back at once, instead
 * of waiting out the lease duration as a stranger would.
 *
 * @module
 */
import { join } from "node:path";

/** Where the id lives, under `<data-dir>/server`. */
export const LEADER_ID_FILE = "leader-id";

const ID_PATTERN = /^[0-9a-f][0-9a-f-]{7,63}$/;

/**
 * Reads the persisted id (writing a fresh random one, mode 0600, the first time or when the file
 * holds something that is not an id) and returns `<nodeName>_<id>`.
 * @param serverDir `<data-dir>/server`, which must exist.
 * @param nodeName the server's node name.
 * @example
 * ```ts ignore
 * const identity = await ensureLeaderIdentity(join(dataDir, "server"), "server-1");
 * // "server-1_0b5c..."
 * ```
 */
export async function ensureLeaderIdentity(serverDir: string, nodeName: string): Promise<string> {
  const path = join(serverDir, LEADER_ID_FILE);
  let id = await readId(path);
  if (!id) {
    id = crypto.randomUUID();
    await Deno.writeTextFile(path, id + "\n", { mode: 0o600 });
    // The mode of writeTextFile applies to new files only (and through the umask).
    await Deno.chmod(path, 0o600);
  }
  return `${nodeName}_${id}`;
}

async function readId(path: string): Promise<string | undefined> {
  try {
    const id = (await Deno.readTextFile(path)).trim();
    return ID_PATTERN.test(id) ? id : undefined;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}
