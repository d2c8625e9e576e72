/**
 * Test support for controllers: with no nodes and no kubelet yet, a test plays the kubelet --
 * it sets pods Running and Ready (or not) itself, with a pod IP.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { timestamp } from "../apiserver/object_meta.ts";
import { watchStore } from "../apiserver/store_watch.ts";

let nextIp = 1;

/** A fresh pod IP in 10.42.0.0/16. */
export function podIp(): string {
  const n = nextIp++;
  return `10.42.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

/** Sets a pod's phase and Ready condition, with an IP. */
export async function setPodReady(
  stores: StoreSet,
  pod: { metadata: { namespace?: string; name?: string } },
  ready: boolean,
  ip?: string,
): Promise<KubeObject> {
  const time = timestamp();
  const { object } = await stores.forKind("", "Pod").updateWith(
    pod.metadata.namespace,
    pod.metadata.name!,
    (current) => {
      const previous = (current.status?.conditions ?? []).find((c: { type: string }) =>
        c.type === "Ready"
      );
      const status = ready ? "True" : "False";
      current.status = {
        ...current.status,
        phase: "Running",
        podIP: current.status?.podIP ?? ip ?? podIp(),
        conditions: [{
          type: "Ready",
          status,
          lastTransitionTime: previous?.status === status ? previous.lastTransitionTime : time,
        }],
      };
      current.status.podIPs = [{ ip: current.status.podIP }];
      return current;
    },
    { subresource: "status" },
  );
  return object;
}

/**
 * Marks every pod that appears (and every pod already there) Running and Ready, as a kubelet
 * would, until the signal aborts. `ready` decides per pod; pods it refuses are left Pending.
 */
export async function runFakeKubelet(
  stores: StoreSet,
  signal: AbortSignal,
  ready: (pod: KubeObject) => boolean = () => true,
): Promise<void> {
  const pods = stores.forKind("", "Pod");
  try {
    for await (const event of watchStore(pods, stores.deps.backend, undefined, { signal })) {
      if (event.type !== "ADDED") continue;
      const pod = event.object;
      if (pod.status?.phase === "Running" || !ready(pod)) continue;
      await setPodReady(stores, pod, true).catch(() => {});
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}
