/**
 * `deno task bench`: the figures the issues set targets for, measured on this machine against a
 * real server process over HTTPS. Every loop is bounded in count and time; traffic goes to
 * 127.0.0.1 only.
 *
 * @module
 */
import http2 from "node:http2";
import { fileURLToPath } from "node:url";
import { type ApiClient, apiClient, readKubeconfig } from "../tests/helpers/api_client.ts";
import { freePort } from "../tests/helpers/cluster.ts";
import { waitFor } from "../tests/helpers/wait.ts";
import { benchAuthz } from "./bench/authz.ts";
import { benchScheduler } from "./bench/scheduler.ts";
import { benchStorage } from "./bench/storage.ts";
import { issueCertificate } from "../server/tls/mod.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function row(name: string, value: string, target = ""): void {
  console.log(`${name.padEnd(58)} ${value.padStart(14)}  ${target}`);
}

interface ServerProcess {
  child: Deno.ChildProcess;
  port: number;
  /** Milliseconds from spawn to the first 200 from /readyz. */
  readyMs: number;
}

async function spawnServer(dataDir: string, port: number): Promise<ServerProcess> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      // e.g. BENCH_DENO_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server.
      ...(Deno.env.get("BENCH_DENO_FLAGS")?.split(" ").filter(Boolean) ?? []),
      CLI,
      "server",
      "--config",
      `${dataDir}/config.yaml`,
      "--data-dir",
      dataDir,
      "--https-listen-port",
      String(port),
      "--bind-address",
      "127.0.0.1",
      "--write-kubeconfig",
      `${dataDir}/kubeconfig.yaml`,
      "--log-level",
      "error",
    ],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  // /readyz answers anonymously over TLS; poll it with a plain TCP+TLS client that skips nothing:
  // the CA is only known once the first start wrote it, so trust comes from the data dir.
  let client: Deno.HttpClient | undefined;
  await waitFor("server ready", async () => {
    if (!client) {
      const ca = await Deno.readTextFile(`${dataDir}/server/tls/server-ca.crt`).catch(() =>
        undefined
      );
      if (!ca) return false;
      client = Deno.createHttpClient({ caCerts: [ca] });
    }
    const response = await fetch(`https://127.0.0.1:${port}/readyz`, { client });
    await response.body?.cancel();
    return response.status === 200;
  }, 60_000);
  client?.close();
  return { child, port, readyMs: performance.now() - started };
}

async function stopServer(server: ServerProcess): Promise<void> {
  server.child.kill("SIGTERM");
  await server.child.status;
}

/** User+system CPU seconds a process has used so far (from /proc; clock ticks are 100 Hz). */
function cpuSeconds(pid: number | "self"): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds of a process's main thread (the JavaScript thread) so far. */
function mainThreadCpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/task/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Busy and total CPU seconds of the whole machine so far (all cores, from /proc/stat). */
function machineCpu(): { busy: number; total: number } {
  const fields = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/).slice(1)
    .map(Number);
  const total = fields.reduce((a, b) => a + b, 0) / 100;
  const idle = (fields[3] + fields[4]) / 100;
  return { busy: total - idle, total };
}

function rssMb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0");
  return kb / 1024;
}

async function createLoad(
  clients: ApiClient[],
  total: number,
  prefix: string,
): Promise<{ perSecond: number; latencies: number[] }> {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(clients.map(async (api) => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      const t0 = performance.now();
      const { status } = await api.json("POST", "/api/v1/namespaces/bench/configmaps", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `${prefix}-${i}`, labels: { bench: prefix } },
        data: { value: "x".repeat(256) },
      });
      latencies.push(performance.now() - t0);
      if (status !== 201) throw new Error(`create returned ${status}`);
    }
  }));
  return { perSecond: total / ((performance.now() - started) / 1000), latencies };
}

type Credentials = Awaited<ReturnType<typeof readKubeconfig>>;

/** An HTTP/2 connection with the admin's client certificate (`node:http2`). */
function connectHttp2(credentials: Credentials): http2.ClientHttp2Session {
  const session = http2.connect(credentials.server, {
    ca: credentials.caPem,
    cert: credentials.certPem,
    key: credentials.keyPem,
  });
  session.on("error", () => undefined);
  return session;
}

/** GETs `path` and reads the whole body; resolves with the status. */
function http2Get(session: http2.ClientHttp2Session, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":path": path });
    let status = 0;
    stream.on("response", (headers) => status = Number(headers[":status"]));
    stream.on("data", () => undefined);
    stream.on("end", () => resolve(status));
    stream.on("error", reject);
  });
}

/**
 * GETs `path` one request after another until `until()`, over its own connection. Reads use
 * `node:http2` rather than `fetch`: a `fetch` client stalls ~44 ms after every ~1.75 MB it
 * receives on a connection (every 48th list page here), even against an idle server.
 */
async function readLoad(
  credentials: Credentials,
  until: () => boolean,
  path: string,
): Promise<number[]> {
  const session = connectHttp2(credentials);
  const latencies: number[] = [];
  try {
    while (!until() && latencies.length < 20_000) {
      const t0 = performance.now();
      const status = await http2Get(session, path);
      latencies.push(performance.now() - t0);
      if (status !== 200) throw new Error(`GET ${path} returned ${status}`);
    }
  } finally {
    session.close();
  }
  return latencies;
}

/**
 * Watch delivery: `watchers` watches of one namespace over one HTTP/2 connection (as an
 * informer-heavy client multiplexes them), then `events` creates, one at a time; each delay is
 * from sending the create to a watcher reading the event. The watchers use `node:http2`: with
 * `fetch` bodies the bench process spent more CPU reading 100 streams than the server spent
 * writing them (11 vs 7.5 ms per event), which the two share on this machine.
 */
async function watchLatency(
  credentials: Credentials,
  watchers: number,
  events: number,
): Promise<number[]> {
  const writer = apiClient(credentials);
  const sent = new Map<string, number>();
  const delays: number[] = [];
  const list = await writer.json("GET", "/api/v1/namespaces/bench-watch/configmaps");
  const rv = (list.body.metadata as { resourceVersion: string }).resourceVersion;
  let seen = 0;
  const session = connectHttp2(credentials);
  const path = `/api/v1/namespaces/bench-watch/configmaps?watch=true&resourceVersion=${rv}`;
  const streams = await Promise.all(
    Array.from(
      { length: watchers },
      () =>
        new Promise<http2.ClientHttp2Stream>((resolve, reject) => {
          const stream = session.request({ ":path": path });
          stream.setEncoding("utf8");
          let buffer = "";
          stream.on("data", (chunk: string) => {
            const now = performance.now();
            buffer += chunk;
            let nl;
            while ((nl = buffer.indexOf("\n")) >= 0) {
              const event = JSON.parse(buffer.slice(0, nl));
              buffer = buffer.slice(nl + 1);
              const t0 = sent.get(event.object.metadata.name);
              if (t0 !== undefined) delays.push(now - t0);
              seen++;
            }
          });
          stream.on("response", (headers) => {
            if (headers[":status"] === 200) resolve(stream);
            else reject(new Error(`watch returned ${headers[":status"]}`));
          });
          stream.on("error", reject);
        }),
    ),
  );
  try {
    for (let i = 0; i < events; i++) {
      const name = `w-${i}`;
      const t0 = performance.now();
      sent.set(name, t0);
      await writer.json("POST", "/api/v1/namespaces/bench-watch/configmaps", {
        metadata: { name },
        data: { i: String(i) },
      });
      await waitFor("watchers to see the event", () => seen >= (i + 1) * watchers, 10_000);
    }
  } finally {
    for (const stream of streams) stream.close();
    session.close();
    writer.close();
  }
  return delays;
}

/** Credentials of a user with a certificate from the cluster's client CA. */
async function userCredentials(
  dataDir: string,
  admin: Awaited<ReturnType<typeof readKubeconfig>>,
  name: string,
): Promise<Awaited<ReturnType<typeof readKubeconfig>>> {
  const tls = `${dataDir}/server/tls`;
  const issued = await issueCertificate(
    {
      certPem: await Deno.readTextFile(`${tls}/client-ca.crt`),
      keyPem: await Deno.readTextFile(`${tls}/client-ca.key`),
    },
    { commonName: name, usage: "client", days: 1 },
  );
  return { ...admin, certPem: issued.certPem, keyPem: issued.keyPem! };
}

async function main(): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "k3ts-bench-" });
  await Deno.writeTextFile(`${dataDir}/config.yaml`, "");
  console.log(
    `k3ts bench — ${Deno.build.target}, ${navigator.hardwareConcurrency} cores, deno ${Deno.version.deno}\n`,
  );
  try {
    const storage = await benchStorage(await Deno.makeTempDir({ dir: dataDir }));
    const port = freePort();
    const first = await spawnServer(dataDir, port);
    row("first start: spawn to API ready (ms)", first.readyMs.toFixed(0));
    await stopServer(first);
    const server = await spawnServer(dataDir, port);
    row("second start: spawn to API ready (ms)", server.readyMs.toFixed(0), "target <= 1000");
    await new Promise((r) => setTimeout(r, 2000)); // let start-up garbage settle before reading RSS
    row("idle server RSS (MB)", rssMb(server.child.pid).toFixed(1), "target <= 80");

    const credentials = await readKubeconfig(`${dataDir}/kubeconfig.yaml`);
    const admin = apiClient(credentials);
    await admin.json("POST", "/api/v1/namespaces", { metadata: { name: "bench" } });
    await admin.json("POST", "/api/v1/namespaces", { metadata: { name: "bench-watch" } });
    await admin.json("POST", "/api/v1/namespaces/bench/configmaps", {
      metadata: { name: "probe" },
      data: { a: "b" },
    });

    const clients = Array.from({ length: 32 }, () => apiClient(credentials));
    await createLoad(clients, 640, "warm");
    let done = false;
    const reads = readLoad(credentials, () => done, "/api/v1/namespaces/bench/configmaps/probe");
    const lists = readLoad(
      credentials,
      () => done,
      "/api/v1/namespaces/bench/configmaps?limit=50",
    );
    const cpuBefore = {
      server: cpuSeconds(server.child.pid),
      serverMain: mainThreadCpuSeconds(server.child.pid),
      client: cpuSeconds("self"),
      machine: machineCpu(),
    };
    const loadStarted = performance.now();
    const load = await createLoad(clients, 8000, "load");
    done = true;
    const cpu = {
      wall: (performance.now() - loadStarted) / 1000,
      server: cpuSeconds(server.child.pid) - cpuBefore.server,
      serverMain: mainThreadCpuSeconds(server.child.pid) - cpuBefore.serverMain,
      client: cpuSeconds("self") - cpuBefore.client,
      machineBusy: machineCpu().busy - cpuBefore.machine.busy,
      machineTotal: machineCpu().total - cpuBefore.machine.total,
    };
    const [gets, listsMs] = await Promise.all([reads, lists]);
    row(
      "raw node:sqlite autocommit inserts/s, synchronous=FULL",
      storage.raw_autocommit_inserts_per_s_full.toFixed(0),
    );
    row(
      "raw node:sqlite autocommit inserts/s, synchronous=NORMAL",
      storage.raw_autocommit_inserts_per_s_normal.toFixed(0),
    );
    row(
      "datastore creates/s, 32 callers, group commit (FULL)",
      storage.group_commit_creates_per_s_full.toFixed(0),
    );
    row("ConfigMap creates/s over HTTPS, 32 clients", load.perSecond.toFixed(0), "target >= 2000");
    row(
      "  create latency p50 / p99 (ms)",
      `${percentile(load.latencies, 50).toFixed(1)} / ${percentile(load.latencies, 99).toFixed(1)}`,
    );
    row(
      "  CPU s during the load: server / bench client / machine",
      `${cpu.server.toFixed(1)} / ${cpu.client.toFixed(1)} / ${cpu.machineBusy.toFixed(1)} of ${
        cpu.machineTotal.toFixed(1)
      }`,
    );
    row(
      "  server JS thread busy during the load (%)",
      (100 * cpu.serverMain / cpu.wall).toFixed(0),
    );
    row(
      "  server CPU per request (creates, gets, lists) (ms)",
      (cpu.server * 1000 / (8000 + gets.length + listsMs.length)).toFixed(3),
    );
    row(
      "get under that load p50 / p99 (ms)",
      `${percentile(gets, 50).toFixed(2)} / ${percentile(gets, 99).toFixed(2)}`,
      "target p99 <= 10",
    );
    row(
      "list (limit 50) under that load p50 / p99 (ms)",
      `${percentile(listsMs, 50).toFixed(2)} / ${percentile(listsMs, 99).toFixed(2)}`,
    );

    // The same load as a non-admin user allowed by an RBAC RoleBinding (edit in "bench").
    const user = await userCredentials(dataDir, credentials, "bench-user");
    await admin.json("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/bench/rolebindings", {
      metadata: { name: "bench-user-edit" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "bench-user" }],
    });
    const userClients = Array.from({ length: 32 }, () => apiClient(user));
    await waitFor("the RoleBinding to take effect", async () => {
      const { status } = await userClients[0].json(
        "GET",
        "/api/v1/namespaces/bench/configmaps/probe",
      );
      return status === 200;
    }, 10_000);
    // Same conditions for both (no concurrent readers): admin, then the RBAC user.
    const adminOnly = await createLoad(clients, 4000, "admin-only");
    const userLoad = await createLoad(userClients, 4000, "user");
    row("ConfigMap creates/s, no readers: admin", adminOnly.perSecond.toFixed(0));
    row(
      "ConfigMap creates/s, no readers: RBAC user (edit RoleBinding)",
      userLoad.perSecond.toFixed(0),
      `${(100 * (1 - userLoad.perSecond / adminOnly.perSecond)).toFixed(1)}% slower; target <= 10%`,
    );
    for (const c of userClients) c.close();

    const delays = await watchLatency(credentials, 100, 50);
    row(
      "watch delivery to 100 watchers p50 / p99 (ms)",
      `${percentile(delays, 50).toFixed(2)} / ${percentile(delays, 99).toFixed(2)}`,
      "target p99 <= 10",
    );
    row("server RSS after the load (MB)", rssMb(server.child.pid).toFixed(1));

    for (const c of clients) c.close();
    admin.close();
    await stopServer(server);

    const authz = await benchAuthz();
    row(
      "authorisation decision, 1,000 RoleBindings p50 / p99 (us)",
      `${authz.authz_decision_us_p50.toFixed(1)} / ${authz.authz_decision_us_p99.toFixed(1)}`,
      "target p99 <= 50",
    );
    const scheduler = await benchScheduler();
    row(
      "scheduler pods/s, 1,000 nodes, 10,000 pending pods",
      scheduler.scheduler_pods_per_s.toFixed(0),
      "target >= 500",
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => undefined);
  }
}

if (import.meta.main) await main();
