/**
 * A real k3ts server for integration tests, in a temporary data dir on a free port, and a
 * kubectl runner that drives it the way a user does (its own kubeconfig and a fresh cache dir).
 *
 * @module
 */
import { loadServerConfig } from "../../server/config.ts";
import { silentLogger } from "../../server/log.ts";
import { type RunningServer, startServer } from "../../server/server.ts";

/** The result of one kubectl run. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A started test cluster. */
export interface TestCluster {
  server: RunningServer;
  dataDir: string;
  kubeconfig: string;
  /** Runs kubectl; never throws for a non-zero exit. */
  kubectl(args: string[], options?: { stdin?: string }): Promise<KubectlResult>;
  /** Runs kubectl and throws with its stderr unless it exits 0; returns stdout. */
  kubectlOk(args: string[], options?: { stdin?: string }): Promise<string>;
  /** Stops the server (idempotent). */
  stop(): Promise<void>;
  /** Stops the server and removes the data dir. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Runs kubectl with a kubeconfig and a private cache dir. */
export async function runKubectl(
  kubeconfig: string,
  cacheDir: string,
  args: string[],
  stdin?: string,
): Promise<KubectlResult> {
  const child = new Deno.Command("kubectl", {
    args: ["--kubeconfig", kubeconfig, "--cache-dir", cacheDir, ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { HOME: cacheDir },
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** Starts a server on a free port in a fresh temporary data dir. */
export async function startTestCluster(
  extraArgs: string[] = [],
  dataDir?: string,
): Promise<TestCluster> {
  const dir = dataDir ?? await Deno.makeTempDir({ prefix: "k3ts-test-" });
  const kubeconfig = `${dir}/kubeconfig.yaml`;
  // An empty config file keeps the machine's own <config-dir>/config.yaml out of the test.
  const configFile = `${dir}/config.yaml`;
  await Deno.writeTextFile(configFile, "");
  const config = await loadServerConfig([
    "--config",
    configFile,
    "--data-dir",
    dir,
    "--https-listen-port",
    String(freePort()),
    "--bind-address",
    "127.0.0.1",
    "--write-kubeconfig",
    kubeconfig,
    ...extraArgs,
  ]);
  const server = await startServer(config, { logger: silentLogger });
  const cacheDir = await Deno.makeTempDir({ prefix: "k3ts-kubectl-" });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.close();
  };
  const kubectl = (args: string[], options?: { stdin?: string }) =>
    runKubectl(kubeconfig, cacheDir, args, options?.stdin);
  return {
    server,
    dataDir: dir,
    kubeconfig,
    kubectl,
    async kubectlOk(args, options) {
      const result = await kubectl(args, options);
      if (result.code !== 0) {
        throw new Error(
          `kubectl ${args.join(" ")} exited ${result.code}: ${result.stderr}${result.stdout}`,
        );
      }
      return result.stdout;
    },
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
      await Deno.remove(cacheDir, { recursive: true }).catch(() => undefined);
      if (!dataDir) await Deno.remove(dir, { recursive: true }).catch(() => undefined);
    },
  };
}

/** A TCP port that is free right now on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
