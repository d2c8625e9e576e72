/**
 * What the benches share: a k3ts server as a child process (so its CPU and memory are its own),
 * readings from /proc, percentiles and the row format every figure is printed in.
 *
 * @module
 */
import { serverProcessArgs } from "../../tests/helpers/server_process.ts";
import { waitFor } from "../../tests/helpers/wait.ts";

/** The p-th percentile (nearest rank) of `values`; NaN when there are none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Prints one figure: name, value and, when the issue sets one, the target. */
export function row(name: string, value: string, target = ""): void {
  console.log(`${name.padEnd(58)} ${value.padStart(14)}  ${target}`);
}

/** A target with its verdict: `target <= 50 ✓`. */
export function verdict(met: boolean, target: string): string {
  return `target ${target} ${met ? "✓" : "✗"}`;
}

/** A server child process. */
export interface ServerProcess {
  child: Deno.ChildProcess;
  /** Milliseconds from spawn to the first 200 from /readyz. */
  readyMs: number;
}

/**
 * Spawns `k3ts server` on 127.0.0.1:`port` and waits until /readyz answers 200.
 *
 * @param dataDir Holds `config.yaml` (may be empty), the state and the admin kubeconfig.
 * @param port The HTTPS port.
 * @param extraArgs More server flags (e.g. a wider `--cluster-cidr`).
 */
export async function spawnServer(
  dataDir: string,
  port: number,
  extraArgs: string[] = [],
): Promise<ServerProcess> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: serverProcessArgs(
      dataDir,
      port,
      extraArgs,
      // e.g. BENCH_DENO_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server.
      Deno.env.get("BENCH_DENO_FLAGS")?.split(" ").filter(Boolean) ?? [],
    ),
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  // The CA is only known once the first start wrote it, so trust comes from the data dir.
  let client: Deno.HttpClient | undefined;
  try {
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
  } catch (error) {
    await stopProcess(child);
    throw error;
  } finally {
    client?.close();
  }
  return { child, readyMs: performance.now() - started };
}

/** SIGTERMs a child (SIGKILL after `graceMs`) and waits for it; a child already gone is fine. */
export async function stopProcess(child: Deno.ChildProcess, graceMs = 15_000): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    // already exited
  }
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // exited meanwhile
    }
  }, graceMs);
  try {
    await child.status;
  } finally {
    clearTimeout(timer);
  }
}

/** User+system CPU seconds in a /proc `stat` file (clock ticks are 100 Hz). */
function statCpuSeconds(path: string): number {
  const stat = Deno.readTextFileSync(path);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** User+system CPU seconds a process has used so far. */
export function cpuSeconds(pid: number | "self"): number {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/** CPU seconds of a process's main thread (the JavaScript thread) so far. */
export function mainThreadCpuSeconds(pid: number): number {
  return statCpuSeconds(`/proc/${pid}/task/${pid}/stat`);
}

/**
 * CPU seconds of the whole machine so far (all cores, from /proc/stat): busy (steal included),
 * total, and stolen (time the hypervisor ran something else while a vCPU wanted to run).
 * Guest time is left out of the total: the kernel counts it inside user time already.
 */
export function machineCpu(): { busy: number; total: number; stolen: number } {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = Deno.readTextFileSync(
    "/proc/stat",
  ).split("\n")[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const busy = (user + nice + system + irq + softirq + steal) / 100;
  return { busy, total: busy + (idle + iowait) / 100, stolen: steal / 100 };
}

/**
 * How long one thread takes for a fixed JavaScript workload (JSON round trips of a ConfigMap),
 * the median of five runs after two warm-up runs (the first runs of a process vary up to 2x
 * while V8 optimises), in ms: how fast this machine runs at the moment. On a shared VM the same
 * code can take up to 3x as long from one hour to the next (23 against 46–70 ms here), and so
 * does every other figure.
 */
export function calibrationMs(): number {
  const runs: number[] = [];
  for (let run = -2; run < 5; run++) {
    const started = performance.now();
    let names = 0;
    for (let i = 0; i < 10_000; i++) {
      const text = JSON.stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `calibration-${i}`, namespace: "bench", labels: { run: String(run) } },
        data: { value: "x".repeat(256) },
      });
      names += JSON.parse(text).metadata.name.length;
    }
    if (names === 0) throw new Error("calibration did no work");
    if (run >= 0) runs.push(performance.now() - started);
  }
  return percentile(runs, 50);
}

/** One memory figure of a process's /proc status, in MB. */
function statusMb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? "0");
  return kb / 1024;
}

/** A process's resident memory (VmRSS) in MB. */
export function rssMb(pid: number): number {
  return statusMb(pid, "VmRSS");
}

/** A process's peak resident memory (VmHWM) in MB. */
export function peakRssMb(pid: number): number {
  return statusMb(pid, "VmHWM");
}
