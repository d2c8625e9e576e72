/**
 * The HTTP client for the Kubernetes API that users, the CLI and (later) the agent share.
 *
 * @example
 * ```ts
 * using client = await KubeClient.fromKubeconfig("/etc/rancher/k3s/k3s.yaml");
 * const secrets = await client.list(
 *   resourcePath({ version: "v1", resource: "secrets", namespace: "kube-system" }),
 * );
 * ```
 *
 * @module
 */
export {
  apiErrorOf,
  KubeClient,
  type KubeClientOptions,
  PATCH_TYPES,
  type PatchType,
  type Query,
  type RequestOptions,
  type ResourcePath,
  resourcePath,
} from "./client.ts";
export {
  type ClientCredentials,
  KubeconfigError,
  loadKubeconfig,
  type LoadKubeconfigOptions,
} from "./kubeconfig.ts";
export {
  httpListWatch,
  type HttpListWatchOptions,
  WATCH_CLIENT_TIMEOUT_MS,
} from "./http_list_watch.ts";
export {
  type ListResult,
  type ListWatch,
  type WatchEvent,
  type WatchEventType,
  WatchExpiredError,
} from "./list_watch.ts";
