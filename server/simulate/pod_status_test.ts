import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import type { KubeObject } from "../../kube/types.ts";
import {
  EXIT_CODE_ANNOTATION,
  exitCodeOf,
  finishedStatus,
  finishesOnItsOwn,
  isRunningAndReady,
  runningStatus,
} from "./pod_status.ts";

const NOW = Date.parse("2024-05-01T10:00:00Z");

function pod(extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", uid: "0123456789abcdef" },
    spec: {
      restartPolicy: "Always",
      initContainers: [{ name: "init", image: "busybox" }],
      containers: [{ name: "web", image: "nginx" }],
    },
    status: {
      phase: "Pending",
      qosClass: "BestEffort",
      conditions: [{
        type: "PodScheduled",
        status: "True",
        lastTransitionTime: "2024-05-01T09:00:00Z",
      }],
    },
    ...extra,
  };
}

Deno.test("pod status: Running and Ready with the IP, the scheduler's condition time kept", () => {
  const status = runningStatus(pod(), { podIp: "10.42.0.2", hostIp: "198.18.0.1" }, NOW);
  assertEquals(status.phase, "Running");
  assertEquals(status.podIP, "10.42.0.2");
  assertEquals(status.podIPs, [{ ip: "10.42.0.2" }]);
  assertEquals(status.hostIP, "198.18.0.1");
  assertEquals(status.startTime, "2024-05-01T10:00:00Z");
  const conditions = status.conditions as {
    type: string;
    status: string;
    lastTransitionTime: string;
  }[];
  assertEquals(
    conditions.map((c) => `${c.type}=${c.status}`),
    [
      "PodReadyToStartContainers=True",
      "Initialized=True",
      "Ready=True",
      "ContainersReady=True",
      "PodScheduled=True",
    ],
  );
  assertEquals(conditions[4].lastTransitionTime, "2024-05-01T09:00:00Z");
  const [web] = status.containerStatuses as KubeObject[];
  assertEquals(web.name, "web");
  assertEquals(web.ready, true);
  assertEquals(web.state, { running: { startedAt: "2024-05-01T10:00:00Z" } });
  const [init] = status.initContainerStatuses as KubeObject[];
  assertEquals(init.state.terminated.reason, "Completed");
  assert(!("qosClass" in status), "left as the API has it");
  assert(isRunningAndReady({ ...pod(), status }));
  assert(!isRunningAndReady(pod()));
});

Deno.test("pod status: pods that exit finish Succeeded, or Failed with the annotation's code", () => {
  const running = pod({
    metadata: {
      name: "job",
      namespace: "default",
      uid: "u",
      annotations: { [EXIT_CODE_ANNOTATION]: "3" },
    },
  });
  running.spec.restartPolicy = "Never";
  running.status = runningStatus(running, { podIp: "10.42.0.2", hostIp: "198.18.0.1" }, NOW);
  assert(finishesOnItsOwn(running));
  assertEquals(exitCodeOf(running), 3);
  const failed = finishedStatus(running, exitCodeOf(running), NOW + 2000);
  assertEquals(failed.phase, "Failed");
  const [main] = failed.containerStatuses as KubeObject[];
  assertEquals(main.state.terminated, {
    exitCode: 3,
    reason: "Error",
    startedAt: "2024-05-01T10:00:00Z",
    finishedAt: "2024-05-01T10:00:02Z",
    containerID: "simulated://u-web",
  });
  const ready = (failed.conditions as { type: string; status: string; reason?: string }[])
    .find((c) => c.type === "Ready")!;
  assertEquals([ready.status, ready.reason], ["False", "PodCompleted"]);
  assertEquals(finishedStatus(running, 0, NOW).phase, "Succeeded");
  assertEquals(exitCodeOf(pod()), 0);
  assert(!finishesOnItsOwn(pod()));
});
