/**
 * The ServiceAccount controller: every active namespace has a `default` ServiceAccount, created
 * with the namespace and re-created if deleted, as upstream's controller keeps it.
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import type { Logger } from "../log.ts";
import { runInformer } from "../../kube/informers/informer.ts";
import { inProcessListWatch } from "../apiserver/in_process_list_watch.ts";

/** The ServiceAccount every namespace gets. */
export const DEFAULT_SERVICE_ACCOUNT = "default";

/** Options of {@link startServiceAccountController}. */
export interface ServiceAccountControllerOptions {
  signal: AbortSignal;
  logger: Logger;
}

/** Creates `default` in `namespace` unless it exists or the namespace is going away. */
async function ensureDefault(stores: StoreSet, namespace: KubeObject): Promise<void> {
  if (namespace.metadata.deletionTimestamp || namespace.status?.phase === "Terminating") return;
  const name = namespace.metadata.name!;
  try {
    await stores.forKind("", "ServiceAccount").create(name, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace: name },
    }, { fieldManager: "service-account-controller" });
  } catch (error) {
    // Exists already, or the namespace began terminating meanwhile: both are fine.
    if (error instanceof ApiError && (error.code === 409 || error.code === 403)) return;
    throw error;
  }
}

/** Ensures every existing namespace has its default ServiceAccount (used at start). */
export async function ensureDefaultServiceAccounts(stores: StoreSet): Promise<void> {
  const namespaces = await stores.forKind("", "Namespace").list(undefined, {});
  await Promise.all(namespaces.items.map((ns) => ensureDefault(stores, ns)));
}

/** Runs until the signal aborts. */
export async function startServiceAccountController(
  stores: StoreSet,
  options: ServiceAccountControllerOptions,
): Promise<void> {
  const onError = (error: unknown) =>
    options.logger.warn("default service account not ensured", { error: String(error) });
  const ensure = (ns: KubeObject) => void ensureDefault(stores, ns).catch(onError);
  const namespaces = stores.forKind("", "Namespace");
  const informerOptions = { signal: options.signal, logger: options.logger };
  await Promise.all([
    runInformer(inProcessListWatch(namespaces, stores.deps.backend), {
      replace: (items) => items.forEach(ensure),
      apply: (type, ns) => type !== "DELETED" && ensure(ns),
    }, { ...informerOptions, name: "namespaces (service accounts)" }),
    runInformer(inProcessListWatch(stores.forKind("", "ServiceAccount"), stores.deps.backend), {
      replace: () => {},
      apply(type, account) {
        if (type !== "DELETED" || account.metadata.name !== DEFAULT_SERVICE_ACCOUNT) return;
        namespaces.find(undefined, account.metadata.namespace!).then(
          (ns) => ns && ensure(ns),
          onError,
        );
      },
    }, { ...informerOptions, name: "service accounts" }),
  ]);
}
