/**
 * A set of simulated nodes joined to one server. Every node has its own identity (node
 * password, kubelet client certificate, hence its own `Deno.HttpClient` and TLS connection);
 * what identities allow to share is shared: one pinned CA and join client, one watch of the
 * simulated Nodes and, by default, one watch of all bound pods (any node may read every pod),
 * dispatched to the node each pod is bound to. With `podWatch: "per-node"` every node watches
 * `spec.nodeName=<name>` itself over a second connection, as kubelets do: N watch streams the
 * server decodes and filters every pod event for.
 *
 * @module
 */
import { KubeClient, resourcePath } from "../../kube/client/mod.ts";
import { pause } from "../../kube/pause.ts";
import type { KubeObject } from "../../kube/types.ts";
import { K3TS_VERSION } from "../../version.ts";
import type { Logger } from "../log.ts";
import { parseJoinToken } from "../tls/mod.ts";
import { httpListWatch, WATCH_CLIENT_TIMEOUT_MS } from "../../kube/client/http_list_watch.ts";
import { runInformer } from "../../kube/informers/informer.ts";
import { fetchPinnedCa, JoinError, requestKubeletClientCertificate } from "./join.ts";
import { SIMULATED_LABEL, simulatedNodeIp } from "./node_objects.ts";
import { ensureNodePassword } from "./node_password.ts";
import type { SimulateOptions } from "./options.ts";
import { SimulatedNode } from "./simulated_node.ts";

/** A running simulation. */
export interface Simulation {
  /** The simulated nodes' names, in index order. */
  readonly nodeNames: readonly string[];
  /** Milliseconds from start until every node had registered. */
  readonly startupMs: number;
  /** One node, by name. */
  node(name: string): SimulatedNode | undefined;
  /** Silences one node (no heartbeats, no pod work), as if its kubelet died. */
  stopNode(name: string): Promise<void>;
  /** Stops every node and watch and closes every connection. */
  close(): Promise<void>;
}

/** What {@link startSimulation} needs besides the options. */
export interface SimulationContext {
  logger: Logger;
  /** Aborts a start in progress. */
  signal?: AbortSignal;
}

/** Fetches the CA, retrying while the server is not up yet; a hash mismatch fails at once. */
async function pinnedCa(
  options: SimulateOptions,
  context: SimulationContext,
): Promise<string> {
  const token = parseJoinToken(options.token);
  let delay = 500;
  for (let attempt = 1;; attempt++) {
    try {
      return await fetchPinnedCa(options.server, token, context.signal);
    } catch (error) {
      // Only an unreachable server is worth waiting for: not a wrong CA, not missing permissions.
      const mismatch = error instanceof JoinError && error.status === undefined &&
        error.message.includes("does not match");
      const denied = error instanceof Deno.errors.NotCapable;
      if (mismatch || denied || attempt >= 10 || context.signal?.aborted) throw error;
      context.logger.info("Server not reachable yet; retrying", { error: String(error) });
      await pause(delay, context.signal ?? new AbortController().signal);
      delay = Math.min(delay * 2, 5_000);
    }
  }
}

/** Runs `worker` over `items` with at most `limit` in flight; the first failure rejects. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  worker: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const run = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await worker(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}

/**
 * Joins the nodes and starts them; resolves once every node has registered.
 *
 * @param options What to simulate and where.
 * @param context Logger and an abort signal for the start.
 * @throws {JoinError} When the server's CA does not match the token or a join is refused.
 * @throws {ApiError} When the API refuses a node's registration.
 * @example
 * ```ts
 * const simulation = await startSimulation(options, { logger });
 * await simulation.stopNode("sim-node-0");
 * await simulation.close();
 * ```
 */
export async function startSimulation(
  options: SimulateOptions,
  context: SimulationContext,
): Promise<Simulation> {
  const started = performance.now();
  const log = context.logger;
  const token = parseJoinToken(options.token);
  const caPem = await pinnedCa(options, context);
  const joinHttp = Deno.createHttpClient({ caCerts: [caPem] });
  const nodes = new Map<string, SimulatedNode>();
  const watchStop = new AbortController();
  const watches: Promise<void>[] = [];
  const names = Array.from(
    { length: options.nodes },
    (_, i) => `${options.namePrefix}-${options.firstIndex + i}`,
  );
  let shared: Promise<void> | undefined;
  let watchClient: KubeClient | undefined;

  /** Starts the shared watches with the first node's identity; resolves once they listed. */
  const startSharedWatches = (node: SimulatedNode): Promise<void> => {
    const client = watchClient = new KubeClient(node.credentials, {
      userAgent: `k3ts-simulate/${K3TS_VERSION} (shared watches)`,
      timeoutMs: WATCH_CLIENT_TIMEOUT_MS,
    });
    const listed: Promise<void>[] = [];
    const watch = (
      path: string,
      query: Record<string, string>,
      name: string,
      replace: (items: KubeObject[]) => void,
      apply: (type: "ADDED" | "MODIFIED" | "DELETED", object: KubeObject) => void,
    ) => {
      let markListed!: () => void;
      listed.push(new Promise((resolve) => markListed = resolve));
      watches.push(runInformer(httpListWatch(client, path, { query }), {
        replace(items) {
          replace(items);
          markListed();
        },
        apply,
      }, { signal: watchStop.signal, logger: log, name }));
    };
    watch(
      resourcePath({ version: "v1", resource: "nodes" }),
      { labelSelector: `${SIMULATED_LABEL}=true` },
      "simulated nodes",
      (items) => items.forEach((node) => nodes.get(node.metadata.name!)?.onNode("MODIFIED", node)),
      (type, node) => nodes.get(node.metadata.name!)?.onNode(type, node),
    );
    if (options.podWatch === "shared") {
      watch(
        resourcePath({ version: "v1", resource: "pods" }),
        { fieldSelector: "spec.nodeName!=" },
        "pods of simulated nodes",
        (items) => {
          const byNode = new Map<string, KubeObject[]>();
          for (const pod of items) {
            const list = byNode.get(pod.spec?.nodeName) ?? [];
            list.push(pod);
            byNode.set(pod.spec?.nodeName, list);
          }
          for (const [name, node] of nodes) node.replacePods(byNode.get(name) ?? []);
        },
        (type, pod) => nodes.get(pod.spec?.nodeName)?.onPod(type, pod),
      );
    }
    return Promise.all(listed).then(() => undefined);
  };

  const join = async ({ name, index }: { name: string; index: number }): Promise<void> => {
    const password = await ensureNodePassword(options.dataDir, name);
    const certificate = await requestKubeletClientCertificate(
      { serverUrl: options.server, token, http: joinHttp, signal: context.signal },
      { name, password },
    );
    const node = new SimulatedNode({
      shape: {
        name,
        internalIp: simulatedNodeIp(index),
        cpu: options.cpu,
        memory: options.memory,
        maxPods: options.maxPods,
      },
      credentials: {
        server: options.server,
        caPem,
        certPem: certificate.certPem,
        keyPem: certificate.keyPem,
      },
      userAgent: `k3ts-simulate/${K3TS_VERSION} (node ${name})`,
      heartbeatMs: options.heartbeatSeconds * 1000,
      nodeStatusMs: options.nodeStatusSeconds * 1000,
      podRunMs: options.podRunSeconds * 1000,
      logger: log,
    });
    // Dispatch first, so no event about the node is missed between its creation and its list.
    nodes.set(name, node);
    shared ??= startSharedWatches(node);
    await shared;
    await node.register();
    node.start();
    if (options.podWatch === "per-node") node.watchOwnPods();
    else await node.syncPods();
  };

  let joinHttpOpen = true;
  const closeJoinHttp = () => {
    if (joinHttpOpen) joinHttp.close();
    joinHttpOpen = false;
  };
  const close = async () => {
    watchStop.abort();
    await Promise.allSettled([...nodes.values()].map((node) => node.stop()));
    await Promise.allSettled(watches);
    for (const node of nodes.values()) await node.close();
    watchClient?.close();
    closeJoinHttp();
  };

  try {
    const numbered = names.map((name, i) => ({ name, index: options.firstIndex + i }));
    await forEachLimited(numbered, options.joinConcurrency, join);
  } catch (error) {
    await close();
    throw error;
  }
  closeJoinHttp();
  const startupMs = performance.now() - started;
  log.info("Simulated nodes joined", {
    nodes: names.length,
    first: names[0],
    last: names[names.length - 1],
    startup_ms: Math.round(startupMs),
  });
  return {
    nodeNames: names,
    startupMs,
    node: (name) => nodes.get(name),
    async stopNode(name) {
      await nodes.get(name)?.stop();
    },
    close,
  };
}
