/**
 * Objects every cluster has from its first start: the system namespaces and the `kubernetes`
 * Service with Endpoints naming this API server. Idempotent: restarts only fix what changed.
 *
 * @module
 */
import { ApiError } from "../kube/errors.ts";
import type { KubeObject } from "../kube/types.ts";
import type { StoreSet } from "./apiserver/handler.ts";

/** Namespaces created at start, as upstream and K3s. */
export const SYSTEM_NAMESPACES = [
  "default",
  "kube-system",
  "kube-public",
  "kube-node-lease",
] as const;

/** Options of {@link ensureBootstrapObjects}. */
export interface BootstrapOptions {
  /** First IP of the service CIDR. */
  serviceIp: string;
  /** The address agents and pods reach this server on. */
  advertiseAddress: string;
  port: number;
}

async function createIfMissing(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (!(error instanceof ApiError && error.reason === "AlreadyExists")) throw error;
  }
}

/** Creates or repairs the bootstrap objects. */
export async function ensureBootstrapObjects(
  stores: StoreSet,
  options: BootstrapOptions,
): Promise<void> {
  const namespaces = stores.forKind("", "Namespace");
  for (const name of SYSTEM_NAMESPACES) {
    await createIfMissing(() =>
      namespaces.create(undefined, { metadata: { name } }, { fieldManager: "k3ts" })
    );
  }
  const services = stores.forKind("", "Service");
  const service: KubeObject = {
    metadata: {
      name: "kubernetes",
      namespace: "default",
      labels: { component: "apiserver", provider: "kubernetes" },
    },
    spec: {
      type: "ClusterIP",
      clusterIP: options.serviceIp,
      ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: options.port }],
      sessionAffinity: "None",
    },
  };
  await createIfMissing(() => services.create("default", service, { fieldManager: "k3ts" }));

  const endpoints = stores.forKind("", "Endpoints");
  const subsets = [{
    addresses: [{ ip: options.advertiseAddress }],
    ports: [{ name: "https", port: options.port, protocol: "TCP" }],
  }];
  const existing = await endpoints.find("default", "kubernetes");
  if (!existing) {
    await createIfMissing(() =>
      endpoints.create("default", {
        metadata: {
          name: "kubernetes",
          namespace: "default",
          labels: { "endpointslice.kubernetes.io/skip-mirror": "true" },
        },
        subsets,
      }, { fieldManager: "k3ts" })
    );
  } else if (JSON.stringify(existing.subsets) !== JSON.stringify(subsets)) {
    await endpoints.updateWith("default", "kubernetes", (current) => ({ ...current, subsets }), {
      fieldManager: "k3ts",
    });
  }
}
