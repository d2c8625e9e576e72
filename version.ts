/**
 * The k3ts release and the Kubernetes version it serves.
 *
 * @module
 */

/** k3ts's own version. */
export const K3TS_VERSION = "v0.1.0";

/** The Kubernetes API version k3ts serves (kubectl's dispatcher reads the minor). */
export const KUBERNETES_VERSION = "v1.32.4";
