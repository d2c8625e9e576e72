import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { openTestStores } from "../../tests/helpers/stores.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { silentLogger } from "../log.ts";
import { type LeaseClient, LeaseElector, type LeaseElectorOptions } from "./lease_elector.ts";

const NS = "kube-system";
const LEASE = "test-controller";
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/**
 * Long enough that a test which sees a takeover within its wait (30 s at most) knows it did not
 * wait out the lease; renewals stay frequent.
 */
const LONG = { leaseDurationSeconds: 60, renewDeadlineMs: 40_000, retryPeriodMs: 50 };
/** Short, for the tests that wait out a lease. */
const SHORT = { leaseDurationSeconds: 2, renewDeadlineMs: 1_000, retryPeriodMs: 100 };

/** A running candidate: its elector and the signals of the terms it led. */
interface Candidate extends AsyncDisposable {
  elector: LeaseElector;
  terms: AbortSignal[];
  /** True while a term's work runs. */
  readonly leading: boolean;
  /** Stops campaigning (and releases, unless `releaseOnCancel: false`). */
  stop(): Promise<void>;
}

function campaign(
  stores: StoreSet,
  identity: string,
  options: Partial<LeaseElectorOptions> = {},
  history: string[] = [],
): Candidate {
  const elector = new LeaseElector(stores, {
    name: LEASE,
    identity,
    component: "test-controller",
    logger: silentLogger,
    ...LONG,
    ...options,
  });
  const terms: AbortSignal[] = [];
  const stop = new AbortController();
  const done = elector.run(stop.signal, (signal) => {
    terms.push(signal);
    history.push(`${identity} leads`);
    return new Promise<void>((resolve) => {
      const stopped = () => {
        history.push(`${identity} stops`);
        resolve();
      };
      if (signal.aborted) stopped();
      else signal.addEventListener("abort", stopped, { once: true });
    });
  });
  const candidate: Candidate = {
    elector,
    terms,
    get leading() {
      return terms.length > 0 && !terms.at(-1)!.aborted;
    },
    async stop() {
      stop.abort();
      await done;
    },
    [Symbol.asyncDispose]: () => candidate.stop(),
  };
  return candidate;
}

function lease(stores: StoreSet): Promise<KubeObject> {
  return stores.forKind("coordination.k8s.io", "Lease").get(NS, LEASE);
}

/** The lease store, with the network to it cut while `cut` is set. */
function partitionable(leases: LeaseClient): LeaseClient & { cut: boolean } {
  const unreachable = () => Promise.reject(new Error("connection refused"));
  const client = {
    cut: false,
    find: (namespace: string | undefined, name: string) =>
      client.cut ? unreachable() : leases.find(namespace, name),
    create: (...args: Parameters<LeaseClient["create"]>) =>
      client.cut ? unreachable() : leases.create(...args),
    update: (...args: Parameters<LeaseClient["update"]>) =>
      client.cut ? unreachable() : leases.update(...args),
  };
  return client as LeaseClient & { cut: boolean };
}

Deno.test("lease elector: of two candidates exactly one leads, and says so in an event", async () => {
  await using test = await openTestStores([NS]);
  const { stores } = test;
  await using a = campaign(stores, "server-a_1");
  await using b = campaign(stores, "server-b_2");
  const leader = await waitFor("a leader", () => a.leading ? a : b.leading ? b : undefined, 30_000);
  const follower = leader === a ? b : a;
  // Several renewals later, still one leader, and the other knows who it is.
  const first = await lease(stores);
  await waitFor("three renewals", async () => {
    const now = await lease(stores);
    return Number(now.metadata.resourceVersion) > Number(first.metadata.resourceVersion) + 2;
  }, 30_000);
  await waitFor("the follower to see the leader", () => {
    return follower.elector.leader === leader.elector.identity;
  }, 30_000);
  assert(leader.leading && !follower.leading);
  assertEquals([leader.terms.length, follower.terms.length], [1, 0]);
  const held = await lease(stores);
  assertEquals(held.spec.holderIdentity, leader.elector.identity);
  assertEquals(held.spec.leaseDurationSeconds, 60);
  assertEquals(held.spec.leaseTransitions, 0);
  assertMatch(held.spec.acquireTime, MICRO_TIME);
  assertMatch(held.spec.renewTime, MICRO_TIME);
  assertEquals(held.spec.acquireTime, first.spec.acquireTime);
  const events = await stores.forKind("", "Event").list(NS);
  const became = events.items.filter((e) => e.reason === "LeaderElection");
  assertEquals(became.map((e) => [e.involvedObject.kind, e.involvedObject.name, e.message]), [
    ["Lease", LEASE, `${leader.elector.identity} became leader`],
  ]);
  assertEquals(became[0].source.component, "test-controller");
});

Deno.test("lease elector: when the leader releases, the other takes over at once", async () => {
  await using test = await openTestStores([NS]);
  const { stores } = test;
  const a = campaign(stores, "server-a_1");
  await waitFor("a to lead", () => a.leading, 30_000);
  await using b = campaign(stores, "server-b_2");
  await waitFor("b to see a", () => b.elector.leader === "server-a_1", 30_000);
  await a.stop();
  assert(a.terms[0].aborted, "a's work stopped");
  // Within the wait, well before 60 s: the release, not expiry, let b in.
  await waitFor("b to lead", () => b.leading, 30_000);
  const held = await lease(stores);
  assertEquals(held.spec.holderIdentity, "server-b_2");
  assertEquals(held.spec.leaseDurationSeconds, 60);
  assertEquals(held.spec.leaseTransitions, 1);
});

Deno.test("lease elector: a released lease names no holder and lasts 1 s", async () => {
  await using test = await openTestStores([NS]);
  const { stores } = test;
  const a = campaign(stores, "server-a_1");
  await waitFor("a to lead", () => a.leading, 30_000);
  await a.stop();
  const released = await lease(stores);
  assertEquals(released.spec.holderIdentity, "");
  assertEquals(released.spec.leaseDurationSeconds, 1);
  assertEquals(released.spec.leaseTransitions, 0);
  assert(!a.elector.isLeader);
  const events = await stores.forKind("", "Event").list(NS);
  assertEquals(events.items.map((e) => e.message).sort(), [
    "server-a_1 became leader",
    "server-a_1 stopped leading",
  ]);
});

Deno.test("lease elector: a leader that stops without releasing is replaced after the lease duration", async () => {
  await using test = await openTestStores([NS]);
  const { stores } = test;
  const a = campaign(stores, "server-a_1", { ...SHORT, releaseOnCancel: false });
  await waitFor("a to lead", () => a.leading, 30_000);
  await using b = campaign(stores, "server-b_2", SHORT);
  await waitFor("b to see a", () => b.elector.leader === "server-a_1", 30_000);
  await a.stop();
  assertEquals((await lease(stores)).spec.holderIdentity, "server-a_1");
  await waitFor("b to lead", () => b.leading, 30_000);
  const held = await lease(stores);
  assertEquals(held.spec.holderIdentity, "server-b_2");
  assertEquals(held.spec.leaseTransitions, 1);
});

Deno.test("lease elector: a leader cut off from the store stops its work at the renew deadline", async () => {
  await using test = await openTestStores([NS]);
  const { stores } = test;
  const leases = partitionable(stores.forKind("coordination.k8s.io", "Lease"));
  const history: string[] = [];
  await using a = campaign(stores, "server-a_1", { ...SHORT, leases }, history);
  await waitFor("a to lead", () => a.leading, 30_000);
  await using b = campaign(stores, "server-b_2", SHORT, history);
  await waitFor("b to see a", () => b.elector.leader === "server-a_1", 30_000);
  leases.cut = true;
  await waitFor("a's work to stop", () => a.terms[0].aborted, 30_000);
  await waitFor("b to lead", () => b.leading, 30_000);
  // The renew deadline is shorter than the lease: a stopped before b could start.
  assertEquals(history, ["server-a_1 leads", "server-a_1 stops", "server-b_2 leads"]);
  assertEquals((await lease(stores)).spec.holderIdentity, "server-b_2");
  // Back in touch, a sees b holding the lease and follows.
  leases.cut = false;
  await waitFor("a to see b", () => a.elector.leader === "server-b_2", 30_000);
  assert(!a.leading && b.leading);
  assertEquals(a.terms.length, 1);
});

Deno.test("lease elector: a restart with the same identity retakes its lease at once", async () => {
  await using test = await openTestStores([NS]);
  const { stores } = test;
  const first = campaign(stores, "server-a_1", { releaseOnCancel: false });
  await waitFor("the first run to lead", () => first.leading, 30_000);
  const before = await lease(stores);
  await first.stop(); // as a kill -9: the lease stays held for 60 s
  // The datastore as a restarted server opens it.
  const reopened = await test.reopen();
  await using again = campaign(reopened, "server-a_1");
  await waitFor("the restarted run to lead", () => again.leading, 30_000);
  const after = await lease(reopened);
  assertEquals(after.spec.holderIdentity, "server-a_1");
  // Renewed, not taken over: same acquireTime, no transition.
  assertEquals(after.spec.acquireTime, before.spec.acquireTime);
  assertEquals(after.spec.leaseTransitions, 0);
});

Deno.test("lease elector: a candidate that loses the write race backs off", async () => {
  await using test = await openTestStores([NS]);
  const { stores } = test;
  const store = stores.forKind("coordination.k8s.io", "Lease");
  await store.create(NS, {
    metadata: { name: LEASE },
    spec: { holderIdentity: "", leaseDurationSeconds: 1, leaseTransitions: 3 },
  });
  // Between a's read and a's write, a rival takes the lease.
  let updates = 0;
  let findsAfterConflict = 0;
  const racing: LeaseClient = {
    find: async (namespace, name) => {
      if (updates > 0) findsAfterConflict++;
      return await store.find(namespace, name);
    },
    create: (...args) => store.create(...args),
    update: async (namespace, name, input, options) => {
      if (updates++ === 0) {
        await store.updateWith(namespace, name, (current) => {
          current.spec = { ...current.spec, holderIdentity: "rival_9", leaseDurationSeconds: 60 };
          return current;
        });
      }
      return await store.update(namespace, name, input, options);
    },
  };
  await using a = campaign(stores, "server-a_1", { leases: racing });
  await waitFor("a to try again after the conflict", () => findsAfterConflict >= 3, 30_000);
  assertEquals(updates, 1, "a wrote no more once it saw the rival holding the lease");
  assert(!a.leading && a.terms.length === 0);
  assertEquals(a.elector.leader, "rival_9");
  assertEquals((await lease(stores)).spec.holderIdentity, "rival_9");
});

Deno.test("lease elector: stopped while announcing its win, it stops and releases", async () => {
  await using test = await openTestStores([NS]);
  const { stores } = test;
  const stop = new AbortController();
  const events = stores.forKind("", "Event");
  // The stop arrives while the "became leader" event is being written.
  const announcing = {
    forKind: (group: string, kind: string) =>
      kind === "Event"
        ? {
          create: (...args: Parameters<typeof events.create>) => {
            stop.abort();
            return events.create(...args);
          },
        }
        : stores.forKind(group, kind),
  } as unknown as StoreSet; // only forKind is used, and of the Event store only create
  const elector = new LeaseElector(announcing, {
    name: LEASE,
    identity: "server-a_1",
    component: "test-controller",
    logger: silentLogger,
    ...LONG,
  });
  const terms: AbortSignal[] = [];
  await elector.run(stop.signal, async (signal) => {
    terms.push(signal);
    await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
  });
  assertEquals(terms.length, 0, "no work started");
  assertEquals((await lease(stores)).spec.holderIdentity, "");
});

function assertThrows(fn: () => unknown): void {
  let threw = false;
  try {
    fn();
  } catch {
    threw = true;
  }
  assert(threw, "expected a throw");
}

Deno.test("lease elector: refuses timing that cannot keep one leader", async () => {
  await using test = await openTestStores([NS]);
  const base = { name: LEASE, identity: "a_1", component: "c", logger: silentLogger };
  assertThrows(() =>
    new LeaseElector(test.stores, { ...base, leaseDurationSeconds: 10, renewDeadlineMs: 10_000 })
  );
  assertThrows(() =>
    new LeaseElector(test.stores, { ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 })
  );
  assertThrows(() => new LeaseElector(test.stores, { ...base, leaseDurationSeconds: 0.5 }));
});
