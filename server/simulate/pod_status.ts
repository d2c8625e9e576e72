/**
 * The pod statuses a simulated kubelet posts: Running and Ready with an IP, or finished
 * (Succeeded, or Failed with the exit code its annotation asks for), shaped as a real kubelet
 * writes them so kubectl, Endpoints and the Job controller read them as usual.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import { timestamp } from "../apiserver/object_meta.ts";
import { isPodReady } from "../controllers/pod_state.ts";

/** The annotation that makes a finishing pod fail with this exit code. */
export const EXIT_CODE_ANNOTATION = "simulate.k3ts.io/exit-code";

type Dict = Record<string, unknown>;

interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  lastTransitionTime?: string;
}

function isDict(value: unknown): value is Dict {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function containersOf(pod: KubeObject, field: "containers" | "initContainers"): Dict[] {
  const list = pod.spec?.[field];
  return Array.isArray(list) ? list.filter(isDict) : [];
}

/** True for pods whose containers are meant to exit (`restartPolicy` Never or OnFailure). */
export function finishesOnItsOwn(pod: KubeObject): boolean {
  const policy = pod.spec?.restartPolicy;
  return policy === "Never" || policy === "OnFailure";
}

/** The exit code a finishing pod ends with: its annotation's, else 0. */
export function exitCodeOf(pod: KubeObject): number {
  const text = pod.metadata.annotations?.[EXIT_CODE_ANNOTATION];
  const code = Number(text);
  return text !== undefined && Number.isInteger(code) ? code : 0;
}

/** True when the pod is Running with an IP and Ready, as this kubelet left it. */
export function isRunningAndReady(pod: KubeObject): boolean {
  return pod.status?.phase === "Running" && typeof pod.status.podIP === "string" &&
    isPodReady(pod);
}

/** Conditions with `wanted` statuses; unchanged ones keep their transition time. */
function conditions(
  pod: KubeObject,
  wanted: { type: string; status: string; reason?: string }[],
  now: string,
): PodCondition[] {
  const before: PodCondition[] = Array.isArray(pod.status?.conditions) ? pod.status.conditions : [];
  return wanted.map((condition) => {
    const old = before.find((c) => c.type === condition.type);
    return {
      ...condition,
      lastTransitionTime: old?.status === condition.status && old.lastTransitionTime
        ? old.lastTransitionTime
        : now,
    };
  });
}

function containerId(pod: KubeObject, name: string): string {
  return `simulated://${(pod.metadata.uid ?? "").slice(0, 8)}-${name}`;
}

function imageOf(container: Dict): string {
  return typeof container.image === "string" ? container.image : "";
}

/**
 * A container's status as a kubelet writes it: which container and image, then whether it is
 * ready and started and its state (given a `terminated` state, the container's ID goes in it).
 */
function containerStatus(
  pod: KubeObject,
  container: Dict,
  { ready, started, state }: { ready: boolean; started: boolean; state: Dict },
): Dict {
  const id = containerId(pod, String(container.name));
  const terminated = state.terminated as Dict | undefined;
  return {
    name: container.name,
    image: imageOf(container),
    imageID: imageOf(container),
    containerID: id,
    ready,
    started,
    restartCount: 0,
    state: terminated ? { terminated: { ...terminated, containerID: id } } : state,
  };
}

/** When the pod's containers started: as posted before, or now. */
function startedAt(pod: KubeObject, now: string): string {
  return typeof pod.status?.startTime === "string" ? pod.status.startTime : now;
}

/** Init containers all ran to completion before the main ones started. */
function initContainerStatuses(pod: KubeObject, started: string): Dict[] {
  return containersOf(pod, "initContainers").map((container) =>
    containerStatus(pod, container, {
      ready: true,
      started: false,
      state: {
        terminated: { exitCode: 0, reason: "Completed", startedAt: started, finishedAt: started },
      },
    })
  );
}

/**
 * The status of a pod whose containers run and are ready.
 *
 * @param pod The pod as the API has it (transition times and startTime are kept).
 * @param network Its IP, and the node's.
 * @param now Milliseconds since the epoch.
 * @returns The `status` to patch in (qosClass and the like are left alone).
 */
export function runningStatus(
  pod: KubeObject,
  network: { podIp: string; hostIp: string },
  now: number,
): Dict {
  const at = timestamp(now);
  const started = startedAt(pod, at);
  return {
    phase: "Running",
    conditions: conditions(pod, [
      { type: "PodReadyToStartContainers", status: "True" },
      { type: "Initialized", status: "True" },
      { type: "Ready", status: "True" },
      { type: "ContainersReady", status: "True" },
      { type: "PodScheduled", status: "True" },
    ], at),
    hostIP: network.hostIp,
    hostIPs: [{ ip: network.hostIp }],
    podIP: network.podIp,
    podIPs: [{ ip: network.podIp }],
    startTime: started,
    initContainerStatuses: initContainerStatuses(pod, started),
    containerStatuses: containersOf(pod, "containers").map((container) =>
      containerStatus(pod, container, {
        ready: true,
        started: true,
        state: { running: { startedAt: started } },
      })
    ),
  };
}

/**
 * The status of a pod whose containers exited: Succeeded for exit code 0, else Failed.
 *
 * @param pod The pod as the API has it (Running, as {@link runningStatus} left it).
 * @param exitCode What every container exited with.
 * @param now Milliseconds since the epoch.
 */
export function finishedStatus(pod: KubeObject, exitCode: number, now: number): Dict {
  const at = timestamp(now);
  const started = startedAt(pod, at);
  return {
    phase: exitCode === 0 ? "Succeeded" : "Failed",
    conditions: conditions(pod, [
      { type: "PodReadyToStartContainers", status: "False" },
      { type: "Initialized", status: "True" },
      { type: "Ready", status: "False", reason: "PodCompleted" },
      { type: "ContainersReady", status: "False", reason: "PodCompleted" },
      { type: "PodScheduled", status: "True" },
    ], at),
    startTime: started,
    containerStatuses: containersOf(pod, "containers").map((container) =>
      containerStatus(pod, container, {
        ready: false,
        started: false,
        state: {
          terminated: {
            exitCode,
            reason: exitCode === 0 ? "Completed" : "Error",
            startedAt: started,
            finishedAt: at,
          },
        },
      })
    ),
  };
}
