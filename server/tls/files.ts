/**
 * File writes that are never seen half-done and never expose a key with loose permissions.
 *
 * @module
 */
import { parentDir } from "./_path.ts";

/** Options for {@link writeFileAtomic}. */
export interface WriteFileOptions {
  /** Permission bits of the final file, applied regardless of umask. */
  mode: number;
}

/**
 * Writes `data` to a new temporary file created with `mode` (so a key is never readable by
 * others, even briefly), flushes it, then renames it over `path`. Readers see the old content
 * or the new, never a mix; the mode applies even when `path` existed with another mode.
 *
 * @param path The destination.
 * @param data The content.
 * @param options The permission bits.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileOptions,
): Promise<void> {
  await Deno.mkdir(parentDir(path), { recursive: true });
  const suffix = crypto.getRandomValues(new Uint32Array(1))[0].toString(16);
  const temporary = `${path}.${suffix}.tmp`;
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  try {
    // createNew refuses to follow anything already at the temporary name.
    const file = await Deno.open(temporary, { write: true, createNew: true, mode: options.mode });
    try {
      // The umask can only remove bits; chmod restores the exact mode before content lands.
      await Deno.chmod(temporary, options.mode);
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

/**
 * Reads a text file, or returns undefined when it does not exist.
 *
 * @param path The file.
 * @returns Its content, or undefined.
 */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}
