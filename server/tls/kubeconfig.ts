/**
 * The admin kubeconfig, laid out like K3s's `k3s.yaml`.
 *
 * Rendered from a fixed template, as K3s renders its own: the shape never varies, and a server
 * that restarts with an empty config then loads no YAML library at all (the `yaml` package costs
 * an idle server about 5 MB of resident memory).
 *
 * @module
 */
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
  const name = yamlScalar(options.clusterName ?? "default");
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${yamlScalar(toBase64(options.caPem))}
    server: ${yamlScalar(options.serverUrl)}
  name: ${name}
contexts:
- context:
    cluster: ${name}
    user: ${name}
  name: ${name}
current-context: ${name}
kind: Config
preferences: {}
users:
- name: ${name}
  user:
    client-certificate-data: ${yamlScalar(toBase64(options.certPem))}
    client-key-data: ${yamlScalar(toBase64(options.keyPem))}
`;
}

/** Words a YAML reader would take for a boolean, null or number rather than a string. */
const NON_STRING_PLAIN = /^(?:true|false|yes|no|on|off|null|~|[-+]?[0-9.][0-9a-fx._:+-]*)$/i;

/**
 * `value` as a YAML scalar: plain when it is unambiguously a string (names, URLs, base64),
 * otherwise double-quoted (the empty string too). A JSON string is a valid YAML double-quoted
 * scalar, so JSON's escaping serves.
 */
function yamlScalar(value: string): string {
  const plain = /^[A-Za-z0-9_/][A-Za-z0-9_./:@+=\[\]-]*$/.test(value) &&
    !NON_STRING_PLAIN.test(value);
  return plain ? value : JSON.stringify(value);
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
