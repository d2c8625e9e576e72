/**
 * `k3ts`: the one command. `server` runs a cluster, `agent` joins one, `kubectl` runs the
 * installed kubectl against the local cluster, `token` manages bootstrap tokens, `certificate`
 * checks and renews the server's certificates, `version` prints versions.
 *
 * Each command's modules are imported when that command runs: a server does not carry the
 * simulator's or the token CLI's code in its memory.
 *
 * @module
 */
import { ConfigError, defaultDirs, loadServerConfig, serverHelp } from "./server/config.ts";
import { K3TS_VERSION, KUBERNETES_VERSION } from "./version.ts";

const HELP = `k3ts - lightweight Kubernetes in TypeScript

Usage: k3ts <command> [flags]

Commands:
  server       Run a server (API, datastore, supervisor)
  agent        Run an agent (not available yet)
  kubectl      Run kubectl with the admin kubeconfig of this machine's server
  token        Manage bootstrap tokens (create, list, delete, generate)
  certificate  Check or renew the server's certificates (check, rotate)
  simulate     Join simulated (kwok-like) nodes to a cluster, for testing and sizing
  version      Print versions

Run 'k3ts <command> --help' for a command's flags.
`;

function fail(message: string): never {
  console.error(`k3ts: ${message}`);
  Deno.exit(1);
}

async function runServer(args: string[]): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(serverHelp());
    return;
  }
  let config;
  try {
    config = await loadServerConfig(args);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const { startServer } = await import("./server/server.ts");
  let server;
  try {
    server = await startServer(config);
  } catch (error) {
    const message = (error as Error).message;
    const hint = /Requires (read|write) access/.test(message)
      ? "\nk3ts: 'deno task server' may use /var/lib/k3ts, /etc/k3ts and ~/.k3ts; for other " +
        "directories add them to --allow-read and --allow-write (see README)"
      : "";
    fail(`server failed to start: ${message}${hint}`);
  }
  console.error(
    `k3ts: API ready at ${server.url}\n` +
      `k3ts: admin kubeconfig written to ${server.kubeconfigPath}\n` +
      `k3ts: try: kubectl --kubeconfig ${server.kubeconfigPath} get nodes,namespaces`,
  );
  const stopped = new Promise<void>((resolve) => {
    const stop = () => resolve();
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
  });
  await stopped;
  console.error("k3ts: shutting down");
  await server.close();
  Deno.exit(0);
}

async function runKubectl(args: string[]): Promise<void> {
  const kubeconfig = adminKubeconfig();
  // `deno task kubectl -- get ns` passes the `--` along; kubectl would read it as "no command".
  if (args[0] === "--") args = args.slice(1);
  let child;
  try {
    child = new Deno.Command("kubectl", {
      args,
      env: { KUBECONFIG: kubeconfig },
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      fail("kubectl is not installed (looked for it on PATH)");
    }
    throw error;
  }
  const status = await child.status;
  Deno.exit(status.code);
}

/** The admin kubeconfig: `$KUBECONFIG`'s first entry, else the server's default. */
function adminKubeconfig(): string {
  return Deno.env.get("KUBECONFIG")?.split(":")[0] || `${defaultDirs().configDir}/k3ts.yaml`;
}

async function runCertificate(args: string[]): Promise<never> {
  let dataDir: string;
  try {
    // The same data dir the server uses: config.yaml's data-dir and K3TS_DATA_DIR apply.
    dataDir = (await loadServerConfig([])).dataDir;
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const { runCertificateCommand } = await import("./server/tls/certificate_cli.ts");
  Deno.exit(await runCertificateCommand(args, { dataDir }));
}

async function main(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  switch (command) {
    case "server":
      return await runServer(rest);
    case "agent":
      fail("agent is not available yet: run 'k3ts server' for a single-node cluster");
      break;
    case "kubectl":
      return await runKubectl(rest);
    case "token": {
      const { runTokenCommand } = await import("./server/auth/tokens/token_cli.ts");
      return Deno.exit(await runTokenCommand(rest, { kubeconfigPath: adminKubeconfig() }));
    }
    case "certificate":
      return await runCertificate(rest);
    case "simulate": {
      const { runSimulate } = await import("./server/simulate/mod.ts");
      return Deno.exit(await runSimulate(rest));
    }
    case "version":
    case "--version":
      console.log(
        `k3ts version ${K3TS_VERSION} (kubernetes ${KUBERNETES_VERSION}, deno ${Deno.version.deno})`,
      );
      return;
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(HELP);
      return;
    default:
      fail(`unknown command "${command}"\n\n${HELP}`);
  }
}

if (import.meta.main) await main(Deno.args);
