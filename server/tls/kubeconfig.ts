/**
 * The admin kubeconfig, laid out like K3s's `k3s.yaml`.
 *
 * @module
 */
import { stringify } from "yaml";
import { toBase64 } from "./pem.ts";
import { writeFileAtomic } from "./files.ts";

/** Options for {@link writeAdminKubeconfig}. */
export interface AdminKubeconfigOptions {
  /** Destination file; parent directories are created. */
  path: string;
  /** File mode, applied even when the file existed; 0600 when omitted. */
  mode?: number;
  /** API server URL, e.g. `https://127.0.0.1:6443`. */
  serverUrl: string;
  /** The server CA PEM clients verify the API server with. */
  caPem: string;
  /** Client certificate PEM. */
  certPem: string;
  /** Client key PEM. */
  keyPem: string;
  /** Name of the cluster, user and context; `default` like K3s. */
  clusterName?: string;
}

/**
 * Renders a kubeconfig with one cluster, user and context, credentials embedded as `*-data`.
 *
 * @param options Server URL, CA and client credentials.
 * @returns The YAML text.
 */
export function renderKubeconfig(options: Omit<AdminKubeconfigOptions, "path" | "mode">): string {
  const name = options.clusterName ?? "default";
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{
      name,
      cluster: {
        "certificate-authority-data": toBase64(options.caPem),
        server: options.serverUrl,
      },
    }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
    preferences: {},
    users: [{
      name,
      user: {
        "client-certificate-data": toBase64(options.certPem),
        "client-key-data": toBase64(options.keyPem),
      },
    }],
  }, { lineWidth: 0 });
}

/**
 * Writes the admin kubeconfig atomically with `mode` (default 0600).
 *
 * @param options Destination, mode, server URL, CA and client credentials.
 * @example
 * ```ts
 * await writeAdminKubeconfig({
 *   path: "/etc/k3ts/k3ts.yaml",
 *   serverUrl: "https://127.0.0.1:6443",
 *   caPem: tls.serverCa.certPem,
 *   certPem: tls.admin.certPem,
 *   keyPem: tls.admin.keyPem,
 * });
 * ```
 */
export async function writeAdminKubeconfig(options: AdminKubeconfigOptions): Promise<void> {
  await writeFileAtomic(options.path, renderKubeconfig(options), { mode: options.mode ?? 0o600 });
}
