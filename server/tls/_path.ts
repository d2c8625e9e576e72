/**
 * POSIX path joining without `node:path`: loading Node compatibility costs ~11 ms, which a
 * restart that only reads eight files should not pay.
 *
 * @module
 */

/** Joins path segments with single slashes. */
export function joinPath(...segments: string[]): string {
  return segments.filter((s) => s !== "").join("/").replace(/\/{2,}/g, "/");
}

/** The directory part of a path (`.` for a bare name, `/` for a root entry). */
export function parentDir(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
  const slash = trimmed.lastIndexOf("/");
  if (slash < 0) return ".";
  return slash === 0 ? "/" : trimmed.slice(0, slash);
}

/** The last segment of a path (`client-admin.crt` for `/x/tls/client-admin.crt`). */
export function baseName(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}
