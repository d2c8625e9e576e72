import { assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { KubeconfigError, loadKubeconfig } from "./kubeconfig.ts";

const b64 = (text: string) => new TextEncoder().encode(text).toBase64();

function config(cluster: Record<string, unknown>, user: Record<string, unknown>, extra = "") {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster }],
    users: [{ name: "u", user }],
    contexts: [{ name: "ctx", context: { cluster: "c", user: "u" } }, {
      name: "other",
      context: { cluster: "missing", user: "u" },
    }],
    "current-context": extra || "ctx",
  });
}

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "k3ts-kubeconfig-" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KubeconfigError) return error.message;
    throw error;
  }
  throw new Error("expected a KubeconfigError");
}

Deno.test("kubeconfig: inline data for CA and client certificate", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/config`;
    await Deno.writeTextFile(
      path,
      config({ server: "https://127.0.0.1:6443/", "certificate-authority-data": b64("CA") }, {
        "client-certificate-data": b64("CERT"),
        "client-key-data": b64("KEY"),
      }),
    );
    assertEquals(await loadKubeconfig(path), {
      server: "https://127.0.0.1:6443",
      caPem: "CA",
      certPem: "CERT",
      keyPem: "KEY",
    });
  });
});

Deno.test("kubeconfig: file references resolve next to the kubeconfig; tokens", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/ca.crt`, "CA");
    await Deno.writeTextFile(`${dir}/token`, "abcdef.0123456789abcdef\n");
    const path = `${dir}/config`;
    await Deno.writeTextFile(
      path,
      config({ server: "https://h:1", "certificate-authority": "ca.crt" }, { tokenFile: "token" }),
    );
    assertEquals(await loadKubeconfig(path), {
      server: "https://h:1",
      caPem: "CA",
      token: "abcdef.0123456789abcdef",
    });
    await Deno.writeTextFile(path, config({ server: "https://h:1" }, { token: "t0k" }));
    assertEquals(await loadKubeconfig(path), { server: "https://h:1", token: "t0k" });
  });
});

Deno.test("kubeconfig: what cannot be used is named", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/config`;
    assertEquals(await errorOf(loadKubeconfig(path)), `kubeconfig ${path}: file does not exist`);
    await Deno.writeTextFile(path, config({ server: "https://h:1" }, {}));
    assertEquals(
      await errorOf(loadKubeconfig(path, { context: "nope" })),
      `kubeconfig ${path}: context "nope" not found`,
    );
    assertEquals(
      await errorOf(loadKubeconfig(path, { context: "other" })),
      `kubeconfig ${path}: cluster "missing" not found`,
    );
    await Deno.writeTextFile(path, config({ server: "http://h:1" }, {}));
    assertMatch(await errorOf(loadKubeconfig(path)), /needs an https:\/\/ server URL$/);
    await Deno.writeTextFile(
      path,
      config({ server: "https://h:1", "insecure-skip-tls-verify": true }, {}),
    );
    assertMatch(await errorOf(loadKubeconfig(path)), /insecure-skip-tls-verify is not supported$/);
    await Deno.writeTextFile(
      path,
      config({ server: "https://h:1" }, { "client-certificate-data": b64("CERT") }),
    );
    assertMatch(
      await errorOf(loadKubeconfig(path)),
      /needs both a client certificate and a client key$/,
    );
    await Deno.writeTextFile(path, config({ server: "https://h:1" }, { exec: { command: "x" } }));
    assertMatch(await errorOf(loadKubeconfig(path)), /exec and auth-provider credentials/);
  });
});
