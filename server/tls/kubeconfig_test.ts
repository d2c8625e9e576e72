import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "yaml";
import { writeAdminKubeconfig } from "./kubeconfig.ts";
import { modeOf, tempDataDir } from "./_test_helpers.ts";

const pems = { caPem: "CA PEM\n", certPem: "CERT PEM\n", keyPem: "KEY PEM\n" };
const b64 = (text: string) => btoa(text);

Deno.test("kubeconfig: written like k3s.yaml with embedded data and mode 0600", async () => {
  await using dir = await tempDataDir();
  const path = join(dir.path, "etc", "k3ts", "k3ts.yaml");
  await writeAdminKubeconfig({ path, serverUrl: "https://127.0.0.1:6443", ...pems });
  assert.equal(await modeOf(path), 0o600);
  assert.deepEqual(parse(await Deno.readTextFile(path)), {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{
      name: "default",
      cluster: {
        "certificate-authority-data": b64(pems.caPem),
        server: "https://127.0.0.1:6443",
      },
    }],
    contexts: [{ name: "default", context: { cluster: "default", user: "default" } }],
    "current-context": "default",
    preferences: {},
    users: [{
      name: "default",
      user: {
        "client-certificate-data": b64(pems.certPem),
        "client-key-data": b64(pems.keyPem),
      },
    }],
  });
});

Deno.test("kubeconfig: the mode is applied even when the file existed", async () => {
  await using dir = await tempDataDir();
  const path = join(dir.path, "k3ts.yaml");
  await Deno.writeTextFile(path, "old", { mode: 0o600 });
  await writeAdminKubeconfig({
    path,
    mode: 0o644,
    serverUrl: "https://127.0.0.1:1",
    clusterName: "lab",
    ...pems,
  });
  assert.equal(await modeOf(path), 0o644);
  const config = parse(await Deno.readTextFile(path));
  assert.equal(config["current-context"], "lab");
  await Deno.chmod(path, 0o666);
  await writeAdminKubeconfig({ path, serverUrl: "https://127.0.0.1:1", ...pems });
  assert.equal(await modeOf(path), 0o600);
});

Deno.test("kubeconfig: names and URLs a YAML reader could misread are quoted", async () => {
  await using dir = await tempDataDir();
  const path = join(dir.path, "k3ts.yaml");
  for (
    const [clusterName, serverUrl] of [
      ["true", "https://[::1]:6443"],
      ["lab: one # two", "https://example.test:6443/a b"],
      ["0755", 'https://"quoted"\\'],
      ["no", "https://127.0.0.1:6443"],
    ]
  ) {
    await writeAdminKubeconfig({ path, serverUrl, clusterName, ...pems });
    const config = parse(await Deno.readTextFile(path));
    assert.equal(config["current-context"], clusterName);
    assert.deepEqual(config.contexts, [{
      name: clusterName,
      context: { cluster: clusterName, user: clusterName },
    }]);
    assert.equal(config.clusters[0].cluster.server, serverUrl);
  }
});
