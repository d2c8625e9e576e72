import { assertEquals, assertStringIncludes } from "../../tests/helpers/assert.ts";
import { parseSimulateArgs, type SimulateOptions, SimulateUsageError } from "./options.ts";

const REQUIRED = ["--nodes", "3", "--server", "https://10.0.0.1:6443/", "--token", "K10::node:x"];

async function usageError(args: string[]): Promise<string> {
  try {
    await parseSimulateArgs(args);
  } catch (error) {
    if (error instanceof SimulateUsageError) return error.message;
    throw error;
  }
  throw new Error(`no usage error for ${args.join(" ")}`);
}

Deno.test("simulate options: defaults as the issue gives them", async () => {
  const options = await parseSimulateArgs([...REQUIRED, "--data-dir=/tmp/sim"]) as SimulateOptions;
  assertEquals(options, {
    nodes: 3,
    server: "https://10.0.0.1:6443",
    token: "K10::node:x",
    dataDir: "/tmp/sim",
    namePrefix: "sim-node",
    firstIndex: 0,
    heartbeatSeconds: 10,
    nodeStatusSeconds: 60,
    podRunSeconds: 2,
    cpu: "4",
    memory: "16Gi",
    maxPods: 110,
    podWatch: "shared",
    joinConcurrency: 8,
    logLevel: "info",
  });
  assertEquals(await parseSimulateArgs(["--help"]), "help");
});

Deno.test("simulate options: the token may come from a file", async () => {
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(file, "K10::node:secret\n");
    const options = await parseSimulateArgs([
      "--nodes=1",
      "--server=https://a:1",
      `--token-file=${file}`,
    ]) as SimulateOptions;
    assertEquals(options.token, "K10::node:secret");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("simulate options: mistakes are named", async () => {
  assertStringIncludes(await usageError(["--server", "https://a:1", "--token", "t"]), "--nodes");
  assertStringIncludes(await usageError([...REQUIRED, "--nodes", "0"]), ">= 1");
  assertStringIncludes(
    await usageError(["--nodes", "1", "--server", "http://a:1", "--token", "t"]),
    "https://",
  );
  assertStringIncludes(await usageError(["--nodes", "1", "--server", "https://a:1"]), "--token");
  assertStringIncludes(await usageError([...REQUIRED, "--name-prefix", "Bad_Name"]), "lowercase");
  assertStringIncludes(await usageError([...REQUIRED, "--memory", "lots"]), "quantity");
  assertStringIncludes(await usageError([...REQUIRED, "--pod-watch", "all"]), "per-node");
  assertStringIncludes(await usageError([...REQUIRED, "--frobnicate", "1"]), "unknown flag");
  assertStringIncludes(await usageError([...REQUIRED, "--cpu"]), "needs a value");
});
