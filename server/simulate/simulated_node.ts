/**
 * One simulated kubelet, acting as `system:node:<name>` so the Node authoriser and
 * NodeRestriction judge it as they judge a real one. It registers its Node, renews its Lease
 * every heartbeat, posts node status now and then (at once when the API's copy says it is not
 * healthy, e.g. after the node lifecycle controller marked it Unknown), and runs the pods bound
 * to it: Running/Ready with an IP from its pod CIDR, finished after a while for pods that exit,
 * and deleted for good (grace 0) once they are marked for deletion, as a kubelet confirms.
 *
 * @module
 */
import {
  type ClientCredentials,
  KubeClient,
  type Query,
  resourcePath,
} from "../../kube/client/mod.ts";
import { ApiError } from "../../kube/errors.ts";
import { pause } from "../../kube/pause.ts";
import type { KubeObject } from "../../kube/types.ts";
import { isPodTerminal } from "../controllers/pod_state.ts";
import { objectKey } from "../../kube/informers/shared_informers.ts";
import type { Logger } from "../log.ts";
import { microTime } from "../apiserver/object_meta.ts";
import { httpListWatch, WATCH_CLIENT_TIMEOUT_MS } from "../../kube/client/http_list_watch.ts";
import { runInformer } from "../../kube/informers/informer.ts";
import {
  leaseObject,
  NODE_LEASE_NAMESPACE,
  nodeObject,
  type NodeShape,
  nodeStatus,
  reportsHealthy,
} from "./node_objects.ts";
import { PodIpPool } from "./pod_ips.ts";
import {
  exitCodeOf,
  finishedStatus,
  finishesOnItsOwn,
  isRunningAndReady,
  runningStatus,
} from "./pod_status.ts";

/** Options of {@link SimulatedNode}. */
export interface SimulatedNodeOptions {
  shape: NodeShape;
  /** Server, pinned CA and this node's kubelet client certificate. */
  credentials: ClientCredentials;
  /** `User-Agent` of its requests. */
  userAgent: string;
  heartbeatMs: number;
  nodeStatusMs: number;
  podRunMs: number;
  logger: Logger;
  /** Deadline of each request; 10 s when omitted. */
  requestTimeoutMs?: number;
  /** Delay before a failed pod write is tried again; 1 s when omitted. */
  retryMs?: number;
}

/** Where a pod stands with this kubelet. */
interface PodState {
  uid: string;
  phase: "starting" | "running" | "finishing" | "finished" | "deleting";
  /** Finishes a pod that exits on its own. */
  timer?: ReturnType<typeof setTimeout>;
}

/** A fake kubelet. */
export class SimulatedNode {
  /** The node name. */
  readonly name: string;
  readonly #client: KubeClient;
  #watchClient: KubeClient | undefined;
  readonly #shape: NodeShape;
  readonly #options: SimulatedNodeOptions;
  readonly #log: Logger;
  readonly #stop = new AbortController();
  readonly #pods = new Map<string, PodState>();
  /** Pods seen before the node had a pod CIDR. */
  readonly #waitingForCidr = new Map<string, KubeObject>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #node: KubeObject | undefined;
  #lease: KubeObject | undefined;
  #ips: PodIpPool | undefined;
  #statusPosting = false;
  #loops: Promise<void>[] = [];
  #deleteDeniedLogged = false;

  /** @param options Shape, credentials, timings and logger. */
  constructor(options: SimulatedNodeOptions) {
    this.name = options.shape.name;
    // Every request carries the client's deadline as a live timer until it fires: keep it
    // short, so a thousand busy nodes do not hold minutes' worth of timers.
    this.#client = new KubeClient(options.credentials, {
      userAgent: options.userAgent,
      timeoutMs: options.requestTimeoutMs ?? 10_000,
    });
    this.#shape = options.shape;
    this.#options = options;
    this.#log = options.logger;
  }

  /** What this node authenticates with (a shared watch may borrow the identity). */
  get credentials(): ClientCredentials {
    return this.#options.credentials;
  }

  /** True once {@link stop} was called: no heartbeats, no pod work. */
  get stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  /** The node's pod CIDR, once node IPAM gave it one. */
  get podCidr(): string | undefined {
    return this.#ips?.cidr;
  }

  /** How many pods hold an IP on this node. */
  get podsWithIp(): number {
    return this.#ips?.size ?? 0;
  }

  #request<T>(method: string, path: string, body?: unknown, query?: Query, contentType?: string) {
    return this.#client.request<T>(method, path, {
      body,
      query,
      contentType,
      signal: this.#stop.signal,
    });
  }

  #later(what: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.stopped) what();
    }, this.#options.retryMs ?? 1000);
    this.#timers.add(timer);
  }

  /**
   * Creates the Node (or, when it exists from an earlier run, reports its status again) and
   * the Lease.
   * @throws {ApiError} When the API refuses.
   */
  async register(): Promise<void> {
    const nodesPath = resourcePath({ version: "v1", resource: "nodes" });
    try {
      this.#accept(
        await this.#request<KubeObject>("POST", nodesPath, nodeObject(this.#shape, Date.now())),
      );
      this.#log.info("Registered simulated node", { node: this.name });
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 409)) throw error;
      this.#accept(
        await this.#request<KubeObject>(
          "GET",
          resourcePath({ version: "v1", resource: "nodes", name: this.name }),
        ),
      );
      await this.#postStatus();
    }
    await this.#renewLease();
  }

  /** Starts heartbeats: a Lease renewal every heartbeat, node status now and then. */
  start(): void {
    this.#loops.push(this.#heartbeats());
  }

  /** Watches this node's pods itself (`spec.nodeName=<name>`), as a real kubelet does. */
  watchOwnPods(): void {
    // A watch outlives the request deadline: it gets a client (and connection) of its own.
    this.#watchClient ??= new KubeClient(this.#options.credentials, {
      userAgent: this.#options.userAgent,
      timeoutMs: WATCH_CLIENT_TIMEOUT_MS,
    });
    this.#loops.push(
      runInformer(
        httpListWatch(this.#watchClient, resourcePath({ version: "v1", resource: "pods" }), {
          query: { fieldSelector: `spec.nodeName=${this.name}` },
        }),
        { replace: (pods) => this.replacePods(pods), apply: (type, pod) => this.onPod(type, pod) },
        {
          signal: this.#stop.signal,
          logger: this.#log,
          name: `pods of ${this.name}`,
        },
      ),
    );
  }

  /** Lists this node's pods once (after joining a shared watch that started earlier). */
  async syncPods(): Promise<void> {
    const list = await this.#request<{ items: KubeObject[] }>(
      "GET",
      resourcePath({ version: "v1", resource: "pods" }),
      undefined,
      { fieldSelector: `spec.nodeName=${this.name}` },
    );
    this.replacePods(list.items);
  }

  /** Stops heartbeats and pod work: from now on the node is silent, as a dead kubelet. */
  async stop(): Promise<void> {
    this.#stop.abort();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const state of this.#pods.values()) clearTimeout(state.timer);
    await Promise.allSettled(this.#loops);
  }

  /** Stops and releases the connection pool. */
  async close(): Promise<void> {
    await this.stop();
    this.#client.close();
    this.#watchClient?.close();
  }

  // ---- the Node and its Lease ----

  /** Keeps the newest copy of the Node and picks up its pod CIDR. */
  #accept(node: KubeObject): void {
    const known = Number(this.#node?.metadata.resourceVersion ?? 0);
    if (Number(node.metadata.resourceVersion ?? 0) < known) return;
    this.#node = node;
    const cidr = node.spec?.podCIDR;
    if (typeof cidr === "string" && cidr !== "" && this.#ips === undefined) {
      this.#ips = new PodIpPool(cidr);
      const waiting = [...this.#waitingForCidr.values()];
      this.#waitingForCidr.clear();
      for (const pod of waiting) this.onPod("MODIFIED", pod);
    }
  }

  /** The Node changed in the API (a shared node watch calls this). */
  onNode(type: "ADDED" | "MODIFIED" | "DELETED", node: KubeObject): void {
    if (this.stopped) return;
    if (type === "DELETED") {
      this.#log.warn("Simulated node was deleted; stopping it", { node: this.name });
      void this.stop();
      return;
    }
    this.#accept(node);
    // The node lifecycle controller marked it Unknown while it was alive: say otherwise now.
    if (this.#node && !reportsHealthy(this.#node)) void this.#postStatus();
  }

  async #postStatus(): Promise<void> {
    if (this.#statusPosting || this.stopped) return;
    this.#statusPosting = true;
    try {
      const status = nodeStatus(this.#shape, this.#node?.status?.conditions, Date.now());
      this.#accept(
        await this.#request<KubeObject>(
          "PATCH",
          resourcePath({
            version: "v1",
            resource: "nodes",
            name: this.name,
            subresource: "status",
          }),
          { status },
          undefined,
          "application/merge-patch+json",
        ),
      );
    } catch (error) {
      if (!this.stopped) {
        this.#log.warn("Node status not posted", { node: this.name, error: String(error) });
      }
    } finally {
      this.#statusPosting = false;
    }
  }

  async #renewLease(): Promise<void> {
    const path = (name?: string) =>
      resourcePath({
        group: "coordination.k8s.io",
        version: "v1",
        resource: "leases",
        namespace: NODE_LEASE_NAMESPACE,
        name,
      });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        if (!this.#lease) {
          const lease = leaseObject(this.name, this.#node?.metadata.uid, Date.now());
          this.#lease = await this.#request<KubeObject>("POST", path(), lease);
          return;
        }
        const renewed = {
          ...this.#lease,
          spec: { ...this.#lease.spec, renewTime: microTime() },
        };
        this.#lease = await this.#request<KubeObject>("PUT", path(this.name), renewed);
        return;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (error.code === 409) {
          // Someone else wrote it (or it exists from an earlier run): start from its copy.
          this.#lease = await this.#request<KubeObject>("GET", path(this.name)).catch(() =>
            undefined
          );
          continue;
        }
        if (error.code === 404) {
          this.#lease = undefined;
          continue;
        }
        throw error;
      }
    }
  }

  async #heartbeats(): Promise<void> {
    const signal = this.#stop.signal;
    const { heartbeatMs, nodeStatusMs } = this.#options;
    // Spread the nodes over the interval, so a thousand do not renew in the same instant.
    await pause(Math.random() * heartbeatMs, signal);
    let nextStatus = Date.now() + nodeStatusMs;
    while (!signal.aborted) {
      try {
        await this.#renewLease();
      } catch (error) {
        if (signal.aborted) break;
        this.#log.warn("Lease not renewed", { node: this.name, error: String(error) });
      }
      if (Date.now() >= nextStatus) {
        await this.#postStatus();
        nextStatus = Date.now() + nodeStatusMs;
      }
      await pause(heartbeatMs, signal);
    }
  }

  // ---- pods ----

  /** Everything bound to this node now (after a list): forget what is gone, act on the rest. */
  replacePods(pods: KubeObject[]): void {
    const present = new Set(pods.map(objectKey));
    for (const key of [...this.#pods.keys()]) if (!present.has(key)) this.#forgetPod(key);
    for (const key of [...this.#waitingForCidr.keys()]) {
      if (!present.has(key)) this.#waitingForCidr.delete(key);
    }
    for (const pod of pods) this.onPod("ADDED", pod);
  }

  /** A pod bound to this node changed. */
  onPod(type: "ADDED" | "MODIFIED" | "DELETED", pod: KubeObject): void {
    if (this.stopped || pod.spec?.nodeName !== this.name) return;
    const key = objectKey(pod);
    const uid = pod.metadata.uid!;
    let state = this.#pods.get(key);
    if (type === "DELETED" || (state && state.uid !== uid)) {
      this.#forgetPod(key);
      state = undefined;
      if (type === "DELETED") return;
    }
    if (pod.metadata.deletionTimestamp) return void this.#confirmDeletion(key, pod);
    if (isPodTerminal(pod)) {
      clearTimeout(state?.timer);
      this.#ips?.release(uid);
      this.#pods.set(key, { uid, phase: "finished" });
      return;
    }
    const hostNetwork = pod.spec?.hostNetwork === true;
    if (!this.#ips && !hostNetwork) {
      this.#waitingForCidr.set(key, pod);
      return;
    }
    if (state && state.phase !== "running") return; // our own write is on its way
    if (isRunningAndReady(pod)) {
      if (!state) {
        if (!hostNetwork) this.#ips?.hold(uid, pod.status.podIP);
        state = { uid, phase: "running" };
        this.#pods.set(key, state);
      }
      this.#armFinish(key, pod, state);
      return;
    }
    // Pending, or Running but marked not ready (the node was Unknown for a while).
    void this.#startPod(key, pod);
  }

  #forgetPod(key: string): void {
    const state = this.#pods.get(key);
    this.#waitingForCidr.delete(key);
    if (!state) return;
    clearTimeout(state.timer);
    this.#ips?.release(state.uid);
    this.#pods.delete(key);
  }

  #podPath(pod: KubeObject, subresource?: string): string {
    return resourcePath({
      version: "v1",
      resource: "pods",
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
      subresource,
    });
  }

  /** Writes a pod's status, guarded by the revision it was computed from. */
  #patchStatus(pod: KubeObject, status: Record<string, unknown>): Promise<KubeObject> {
    return this.#request<KubeObject>(
      "PATCH",
      this.#podPath(pod, "status"),
      { metadata: { resourceVersion: pod.metadata.resourceVersion }, status },
      undefined,
      "application/merge-patch+json",
    );
  }

  /**
   * Fetches a pod again after a failed write and decides anew: at once after a conflict (the
   * pod moved on), after a pause for anything else.
   */
  #retry(key: string, pod: KubeObject, immediately: boolean): void {
    const again = async () => {
      if (this.stopped) return;
      const state = this.#pods.get(key);
      if (state?.uid === pod.metadata.uid) this.#pods.delete(key);
      try {
        const fresh = await this.#request<KubeObject>("GET", this.#podPath(pod));
        this.onPod("MODIFIED", fresh);
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 404)) this.#retry(key, pod, false);
      }
    };
    if (immediately) void again();
    else this.#later(() => void again());
  }

  async #startPod(key: string, pod: KubeObject): Promise<void> {
    const uid = pod.metadata.uid!;
    const hostIp = this.#shape.internalIp;
    const podIp = pod.spec?.hostNetwork === true ? hostIp : this.#ips!.take(uid);
    if (podIp === undefined) {
      this.#log.warn("No pod IP left on node", { node: this.name, pod: key });
      return;
    }
    clearTimeout(this.#pods.get(key)?.timer);
    const state: PodState = { uid, phase: "starting" };
    this.#pods.set(key, state);
    try {
      const updated = await this.#patchStatus(
        pod,
        runningStatus(pod, { podIp, hostIp }, Date.now()),
      );
      if (this.#pods.get(key) !== state) return;
      state.phase = "running";
      this.#armFinish(key, updated, state);
    } catch (error) {
      if (this.stopped || this.#pods.get(key) !== state) return;
      if (error instanceof ApiError && error.code === 404) return this.#forgetPod(key);
      const conflict = error instanceof ApiError && error.code === 409;
      if (!conflict) {
        this.#log.warn("Pod status not posted; will retry", {
          node: this.name,
          pod: key,
          error: String(error),
        });
      }
      this.#retry(key, pod, conflict);
    }
  }

  /** Pods that exit on their own finish `podRunMs` after they started. */
  #armFinish(key: string, pod: KubeObject, state: PodState): void {
    if (!finishesOnItsOwn(pod) || state.timer !== undefined) return;
    const started = Date.parse(pod.status?.startTime ?? "") || Date.now();
    const delay = Math.max(0, started + this.#options.podRunMs - Date.now());
    state.timer = setTimeout(() => {
      state.timer = undefined;
      void this.#finishPod(key, pod, state);
    }, delay);
  }

  async #finishPod(key: string, pod: KubeObject, state: PodState): Promise<void> {
    if (this.stopped || this.#pods.get(key) !== state || state.phase !== "running") return;
    state.phase = "finishing";
    try {
      const current = await this.#request<KubeObject>("GET", this.#podPath(pod));
      if (current.metadata.uid !== state.uid || current.metadata.deletionTimestamp) {
        state.phase = "running";
        return this.onPod("MODIFIED", current);
      }
      await this.#patchStatus(current, finishedStatus(current, exitCodeOf(current), Date.now()));
      if (this.#pods.get(key) !== state) return;
      state.phase = "finished";
      this.#ips?.release(state.uid);
    } catch (error) {
      if (this.stopped || this.#pods.get(key) !== state) return;
      if (error instanceof ApiError && error.code === 404) return this.#forgetPod(key);
      state.phase = "running";
      this.#later(() => void this.#finishPod(key, pod, state));
    }
  }

  /** The pod is marked for deletion: its containers are "stopped", so remove it for good. */
  async #confirmDeletion(key: string, pod: KubeObject): Promise<void> {
    const existing = this.#pods.get(key);
    if (existing?.phase === "deleting") return;
    clearTimeout(existing?.timer);
    const state: PodState = { uid: pod.metadata.uid!, phase: "deleting" };
    this.#pods.set(key, state);
    try {
      await this.#request("DELETE", this.#podPath(pod), {
        apiVersion: "v1",
        kind: "DeleteOptions",
        gracePeriodSeconds: 0,
        preconditions: { uid: state.uid },
      });
      this.#ips?.release(state.uid);
    } catch (error) {
      if (this.stopped || this.#pods.get(key) !== state) return;
      if (error instanceof ApiError && (error.code === 404 || error.code === 409)) {
        return this.#forgetPod(key);
      }
      if (error instanceof ApiError && error.code === 403) {
        if (!this.#deleteDeniedLogged) {
          this.#log.warn("Node may not delete its pods; they stay Terminating", {
            node: this.name,
            error: error.message,
          });
          this.#deleteDeniedLogged = true;
        }
        return;
      }
      this.#log.warn("Pod deletion not confirmed; will retry", {
        node: this.name,
        pod: key,
        error: String(error),
      });
      this.#later(() => {
        if (this.#pods.get(key) === state) {
          this.#pods.delete(key);
          void this.#confirmDeletion(key, pod);
        }
      });
    }
  }
}
