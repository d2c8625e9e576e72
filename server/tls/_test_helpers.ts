/**
 * Helpers shared by this directory's tests.
 *
 * @module
 */
import { decodePem } from "./pem.ts";

/** A fresh temporary data dir, removed by the returned disposer. */
export async function tempDataDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "k3ts-tls-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/** Permission bits of a file. */
export async function modeOf(path: string): Promise<number> {
  return (await Deno.stat(path)).mode! & 0o777;
}

/** DER of the first certificate in a PEM. */
export function certDer(pem: string): Uint8Array {
  return decodePem(pem, "CERTIFICATE");
}

/** Whether an executable is on PATH. */
export async function hasCommand(name: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("sh", {
      args: ["-c", `command -v ${name}`],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

/** Days as milliseconds. */
export const days = (n: number): number => n * 86_400_000;
