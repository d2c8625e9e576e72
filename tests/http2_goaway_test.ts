import { assert, assertEquals } from "./helpers/assert.ts";
import { type ApiClient, apiClient, readKubeconfig } from "./helpers/api_client.ts";
import { spawnServerProcess } from "./helpers/server_process.ts";
import { waitFor, withDeadline } from "./helpers/wait.ts";

// Deno's nghttp2 aborted the whole process on a client's GOAWAY once more than 100 streams had
// closed on that connection; a `fetch` client sends GOAWAY when it is closed. The server now
// frames HTTP/2 itself (server/apiserver/http2/), and this test keeps the guarantee: a client's
// GOAWAY ends its connection once the open streams are answered, and nothing else. The server
// runs as a child process so that a crash fails this test instead of taking the test runner
// with it.
/** A server that hangs instead of dying fails the test after this, rather than stalling it. */
const REQUESTS_DEADLINE_MS = 30_000;

Deno.test("clients that close their connection after 320 requests do not bring the server down", async () => {
  const { dataDir, child } = await spawnServerProcess("k3ts-goaway-");
  try {
    const credentials = await waitFor(
      "kubeconfig",
      () => readKubeconfig(`${dataDir}/kubeconfig.yaml`),
      30_000,
    );
    for (let round = 0; round < 3; round++) {
      const api = apiClient(credentials);
      // Readiness on this same connection: in this Deno the abort came with the first GOAWAY
      // the server received, and a readiness client closed early would have sent that one.
      await waitFor(
        "readyz",
        async () => (await api.json("GET", "/readyz")).status === 200,
        30_000,
      );
      const withConnection = openSockets(child.pid);
      await getsWithin(api, 8, 40, `round ${round}'s requests`);
      api.close(); // sends GOAWAY on a connection with 320 closed streams
      // The abort came as the server tore the session down: wait for it to let go of the socket.
      await waitFor(
        "the server to close the connection",
        () => !isRunning(child.pid) || openSockets(child.pid) < withConnection,
        10_000,
      );
      assert(isRunning(child.pid), `the server died after round ${round}`);
    }
    const after = apiClient(credentials);
    try {
      await getsWithin(after, 1, 20, "the requests after the rounds");
    } finally {
      after.close();
    }
    assert(isRunning(child.pid), "the server died after the rounds");
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // It already exited.
    }
    await child.status;
    await Deno.remove(dataDir, { recursive: true }).catch(() => undefined);
  }
});

/**
 * `parallel` loops of `each` GETs on `api`, each answered 200, within
 * {@link REQUESTS_DEADLINE_MS}.
 */
function getsWithin(api: ApiClient, parallel: number, each: number, what: string): Promise<void> {
  const loops = Array.from({ length: parallel }, async () => {
    for (let i = 0; i < each; i++) {
      assertEquals((await api.json("GET", "/api/v1/namespaces/default")).status, 200);
    }
  });
  return withDeadline(
    Promise.all(loops).then(() => undefined),
    REQUESTS_DEADLINE_MS,
    `${what} took over ${REQUESTS_DEADLINE_MS / 1000} s`,
  );
}

/** How many sockets a process has open (its listeners and connections). */
function openSockets(pid: number): number {
  let count = 0;
  try {
    for (const entry of Deno.readDirSync(`/proc/${pid}/fd`)) {
      try {
        if (Deno.readLinkSync(`/proc/${pid}/fd/${entry.name}`).startsWith("socket:")) count++;
      } catch {
        // Closed while listing.
      }
    }
  } catch {
    return 0; // the process is gone
  }
  return count;
}

/** Whether a process is running (not gone, not a zombie waiting to be reaped). */
function isRunning(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
