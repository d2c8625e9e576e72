import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { runLoop } from "../../tests/helpers/loops.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { timestamp } from "../apiserver/object_meta.ts";
import { silentLogger } from "../log.ts";
import { startJobController } from "./job.ts";
import { COMPLETION_INDEX_KEY, JOB_TRACKING_FINALIZER } from "./job_tracking.ts";

function job(name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name },
    spec: {
      ...spec,
      template: {
        spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] },
      },
    },
  };
}

async function podsOf(stores: StoreSet, name: string): Promise<KubeObject[]> {
  const list = await stores.forKind("", "Pod").list("ns", { labelSelector: `job-name=${name}` });
  return list.items;
}

/** Plays the kubelet: the pod's containers exited. */
async function finish(stores: StoreSet, pod: KubeObject, phase: "Succeeded" | "Failed") {
  await stores.forKind("", "Pod").updateWith("ns", pod.metadata.name!, (current) => {
    current.status = { ...current.status, phase };
    return current;
  }, { subresource: "status" });
}

const isActive = (p: KubeObject) =>
  !p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded" &&
  p.status?.phase !== "Failed";

async function jobStatus(stores: StoreSet, name: string) {
  return (await stores.forKind("batch", "Job").get("ns", name)).status ?? {};
}

function conditionOf(status: Record<string, unknown>, type: string) {
  const conditions = (status.conditions ?? []) as { type: string; reason?: string }[];
  return conditions.find((c) => c.type === type);
}

Deno.test("job: runs parallelism pods until completions, counting each once", async () => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  await using _loop = runLoop((signal) =>
    startJobController(stores, { signal, logger: silentLogger, podFailureBackoffMs: 10 })
  );
  await stores.forKind("batch", "Job").create(
    "ns",
    job("count", { completions: 3, parallelism: 2 }),
  );
  let most = 0;
  for (let done = 0; done < 3;) {
    const active = await waitFor("an active pod", async () => {
      const active = (await podsOf(stores, "count")).filter(isActive);
      return active.length > 0 && active;
    });
    most = Math.max(most, active.length);
    for (const pod of active) {
      assert(pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER), "tracked");
      assertEquals(pod.metadata.labels?.["batch.kubernetes.io/job-name"], "count");
      await finish(stores, pod, "Succeeded");
      done++;
    }
  }
  const status = await waitFor("Complete", async () => {
    const status = await jobStatus(stores, "count");
    return conditionOf(status, "Complete") && status;
  });
  assert(most <= 2, `${most} active at once`);
  assertEquals(status.succeeded, 3);
  assertEquals(status.failed, undefined);
  assertEquals(status.uncountedTerminatedPods, {});
  assertEquals(conditionOf(status, "SuccessCriteriaMet")?.reason, "CompletionsReached");
  const pods = await podsOf(stores, "count");
  assertEquals(pods.length, 3);
  assert(pods.every((p) => !p.metadata.finalizers?.length), "finalizers removed");
});

Deno.test("job: failures past backoffLimit fail the Job", async () => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  await using _loop = runLoop((signal) =>
    startJobController(stores, { signal, logger: silentLogger, podFailureBackoffMs: 10 })
  );
  await stores.forKind("batch", "Job").create("ns", job("flaky", { backoffLimit: 1 }));
  for (let i = 0; i < 2; i++) {
    const [pod] = await waitFor("an active pod", async () => {
      const active = (await podsOf(stores, "flaky")).filter(isActive);
      return active.length === 1 && active;
    });
    await finish(stores, pod, "Failed");
  }
  const status = await waitFor("Failed", async () => {
    const status = await jobStatus(stores, "flaky");
    return conditionOf(status, "Failed") && status;
  });
  assertEquals(conditionOf(status, "Failed")?.reason, "BackoffLimitExceeded");
  assertEquals(conditionOf(status, "FailureTarget")?.reason, "BackoffLimitExceeded");
  assertEquals(status.failed, 2);
  assertEquals((await podsOf(stores, "flaky")).length, 2);
});

Deno.test("job: the active deadline deletes running pods and fails the Job", async () => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  let clock = Date.now();
  await using _loop = runLoop((signal) =>
    startJobController(stores, { signal, logger: silentLogger, now: () => clock })
  );
  const jobs = stores.forKind("batch", "Job");
  await jobs.create(
    "ns",
    job("slow", { parallelism: 2, completions: 4, activeDeadlineSeconds: 30 }),
  );
  await waitFor("2 pods", async () => (await podsOf(stores, "slow")).length === 2);
  // The deadline counts from the recorded startTime. Jumping the clock before the first status
  // write lands would let a retried write (after a conflict with the poke below) record the
  // jumped time as the start, as upstream's would: the deadline would then be 30 s away.
  await waitFor("the startTime recorded", async () => (await jobStatus(stores, "slow")).startTime);
  clock += 31_000;
  // Any change brings the Job back (the real clock's timer is 30 s away).
  await jobs.updateWith("ns", "slow", (j) => {
    j.metadata.annotations = { poke: "1" };
    return j;
  });
  const status = await waitFor("Failed", async () => {
    const status = await jobStatus(stores, "slow");
    return conditionOf(status, "Failed") && status;
  });
  assertEquals(conditionOf(status, "Failed")?.reason, "DeadlineExceeded");
  assertEquals(status.failed, 2);
  // Unscheduled pods go at once, once their finalizer is removed.
  await waitFor("the pods gone", async () => (await podsOf(stores, "slow")).length === 0);
});

Deno.test("job: Indexed pods carry their index and completedIndexes fills up", async () => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  await using _loop = runLoop((signal) =>
    startJobController(stores, { signal, logger: silentLogger })
  );
  await stores.forKind("batch", "Job").create(
    "ns",
    job("idx", { completions: 3, parallelism: 3, completionMode: "Indexed" }),
  );
  const pods = await waitFor("3 pods", async () => {
    const pods = await podsOf(stores, "idx");
    return pods.length === 3 && pods;
  });
  const indexes = pods.map((p) => p.metadata.annotations?.[COMPLETION_INDEX_KEY]).sort();
  assertEquals(indexes, ["0", "1", "2"]);
  const byIndex = (i: string) => pods.find((p) => p.metadata.labels?.[COMPLETION_INDEX_KEY] === i)!;
  await finish(stores, byIndex("0"), "Succeeded");
  await finish(stores, byIndex("2"), "Succeeded");
  await waitFor(
    "0,2 complete",
    async () => (await jobStatus(stores, "idx")).completedIndexes === "0,2",
  );
  await finish(stores, byIndex("1"), "Succeeded");
  const status = await waitFor("Complete", async () => {
    const status = await jobStatus(stores, "idx");
    return conditionOf(status, "Complete") && status;
  });
  assertEquals(status.completedIndexes, "0-2");
  assertEquals(status.succeeded, 3);
});

Deno.test("job: suspend deletes the pods; a finished Job past its TTL is deleted", async () => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  await using _loop = runLoop((signal) =>
    startJobController(stores, { signal, logger: silentLogger })
  );
  const jobs = stores.forKind("batch", "Job");
  await jobs.create("ns", job("pause", { ttlSecondsAfterFinished: 0 }));
  await waitFor("a pod", async () => (await podsOf(stores, "pause")).length === 1);
  await jobs.updateWith("ns", "pause", (j) => {
    j.spec.suspend = true;
    return j;
  });
  await waitFor("Suspended, no pods", async () => {
    const status = await jobStatus(stores, "pause");
    return conditionOf(status, "Suspended") !== undefined &&
      (await podsOf(stores, "pause")).length === 0 && status.active === 0;
  });
  await jobs.updateWith("ns", "pause", (j) => {
    j.spec.suspend = false;
    return j;
  });
  const [pod] = await waitFor("a new pod", async () => {
    const active = (await podsOf(stores, "pause")).filter(isActive);
    return active.length === 1 && active;
  });
  await finish(stores, pod, "Succeeded");
  await waitFor("the Job deleted after its TTL", async () => !(await jobs.find("ns", "pause")));
});

Deno.test("job: a pod whose Job is gone loses its tracking finalizer", async () => {
  await using test = await openTestStores(["ns"]);
  const { stores } = test;
  await using _loop = runLoop((signal) =>
    startJobController(stores, { signal, logger: silentLogger })
  );
  const { object: pod } = await stores.forKind("", "Pod").create("ns", {
    metadata: {
      name: "left",
      finalizers: [JOB_TRACKING_FINALIZER],
      ownerReferences: [{
        apiVersion: "batch/v1",
        kind: "Job",
        name: "gone",
        uid: "00000000-0000-0000-0000-000000000000",
        controller: true,
      }],
    },
    spec: { containers: [{ name: "c", image: "busybox" }] },
    status: { phase: "Succeeded", startTime: timestamp() },
  });
  await waitFor("the finalizer removed", async () => {
    const current = await stores.forKind("", "Pod").find("ns", pod.metadata.name!);
    return !current?.metadata.finalizers?.length;
  });
});
