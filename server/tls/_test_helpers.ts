/**
 * Helpers shared by this directory's tests.
 *
 * @module
 */
import { decodePem } from "./pem.ts";
import type { ClusterTls } from "./bootstrap.ts";
import { issueCertificate } from "./certificates.ts";
import { publicKeyOf } from "./keys.ts";

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

/** Which leaf of a {@link ClusterTls} to forge. */
export type ForgedLeaf = "admin" | "serving";

/**
 * Replaces a leaf certificate of a bootstrapped data dir with one issued by the same CA for the
 * same key, subject and SANs, but valid for `validDays` from `issuedAt` (now by default): a
 * certificate that is about to expire, or has, without waiting a year.
 *
 * @returns The forged certificate PEM.
 */
export async function forgeLeaf(
  tls: ClusterTls,
  leaf: ForgedLeaf,
  validDays: number,
  issuedAt: Date = new Date(),
): Promise<string> {
  const profile = leaf === "admin"
    ? {
      ca: tls.clientCa,
      pair: tls.admin,
      path: tls.paths.adminCert,
      options: {
        commonName: "system:admin",
        organizations: ["system:masters"],
        usage: "client" as const,
      },
    }
    : {
      ca: tls.serverCa,
      pair: tls.serving,
      path: tls.paths.servingCert,
      options: {
        commonName: "kube-apiserver",
        dnsNames: tls.servingSans.dns,
        ips: tls.servingSans.ips,
        usage: "server" as const,
      },
    };
  const { certPem } = await issueCertificate(profile.ca, {
    ...profile.options,
    publicKey: await publicKeyOf(profile.pair.keyPem),
    days: validDays,
    now: issuedAt,
  });
  await Deno.writeTextFile(profile.path, certPem);
  return certPem;
}
