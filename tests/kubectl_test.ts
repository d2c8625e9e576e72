/**
 * kubectl 1.32 against a real k3ts server, command by command, as a user drives it.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./helpers/assert.ts";
import { startTestCluster } from "./helpers/cluster.ts";
import { readLinesUntil } from "./helpers/wait.ts";

const DEPLOYMENT_V1 = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: { app: web }
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
      - name: web
        image: nginx:1.27
        env:
        - { name: MODE, value: production }
        - { name: DEBUG, value: "false" }
        ports:
        - containerPort: 80
      - name: sidecar
        image: busybox:1.36
        command: ["sleep", "infinity"]
`;

/** The same Deployment with the sidecar container and the DEBUG variable removed. */
const DEPLOYMENT_V2 = DEPLOYMENT_V1
  .replace(`        - { name: DEBUG, value: "false" }\n`, "")
  .replace(/ {6}- name: sidecar\n.*\n.*\n$/s, "");

Deno.test("kubectl: a user's session against k3ts", async (t) => {
  await using cluster = await startTestCluster();
  const { kubectl, kubectlOk } = cluster;

  await t.step("version reports server 1.32", async () => {
    const out = JSON.parse(await kubectlOk(["version", "-o", "json"]));
    assertEquals(out.serverVersion.major, "1");
    assertEquals(out.serverVersion.minor, "32");
  });

  await t.step("get ns lists the system namespaces", async () => {
    const out = await kubectlOk(["get", "ns"]);
    for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
      assertMatch(out, new RegExp(`^${ns}\\s+Active`, "m"));
    }
    assertMatch(out, /^NAME\s+STATUS\s+AGE/m);
  });

  await t.step("api-resources lists core and group resources", async () => {
    const out = await kubectlOk(["api-resources"]);
    assertMatch(out, /^pods\s+po\s+v1\s+true\s+Pod/m);
    assertMatch(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/m);
    assertMatch(out, /^clusterroles\s+rbac\.authorization\.k8s\.io\/v1\s+false\s+ClusterRole/m);
  });

  await t.step("explain pod.spec.containers shows the Container fields", async () => {
    const out = await kubectlOk(["explain", "pod.spec.containers"]);
    assertStringIncludes(out, "KIND:       Pod");
    assertMatch(out, /FIELD:\s+containers <\[\]Container>/);
    assertMatch(out, /^\s+image\s+<string>/m);
    assertMatch(out, /^\s+name\s+<string> -required-/m);
  });

  await t.step("create -f, then AlreadyExists", async () => {
    const manifest =
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n`;
    assertStringIncludes(
      await kubectlOk(["create", "-f", "-"], { stdin: manifest }),
      "configmap/settings created",
    );
    const again = await kubectl(["create", "-f", "-"], { stdin: manifest });
    assertEquals(again.code, 1);
    assertStringIncludes(
      again.stderr,
      `Error from server (AlreadyExists): error when creating "STDIN": configmaps "settings" already exists`,
    );
  });

  await t.step(
    "apply twice is unchanged; removing a container and an env var removes them",
    async () => {
      assertStringIncludes(
        await kubectlOk(["apply", "-f", "-"], { stdin: DEPLOYMENT_V1 }),
        "deployment.apps/web created",
      );
      assertStringIncludes(
        await kubectlOk(["apply", "-f", "-"], { stdin: DEPLOYMENT_V1 }),
        "deployment.apps/web unchanged",
      );
      assertStringIncludes(
        await kubectlOk(["apply", "-f", "-"], { stdin: DEPLOYMENT_V2 }),
        "deployment.apps/web configured",
      );
      const deployment = JSON.parse(await kubectlOk(["get", "deployment", "web", "-o", "json"]));
      const containers = deployment.spec.template.spec.containers;
      assertEquals(containers.map((c: { name: string }) => c.name), ["web"]);
      assertEquals(containers[0].env, [{ name: "MODE", value: "production" }]);
      assertEquals(deployment.metadata.generation, 2);
    },
  );

  await t.step("apply --server-side creates and updates with managedFields", async () => {
    const manifest = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: "1"\n`;
    assertStringIncludes(
      await kubectlOk(["apply", "--server-side", "-f", "-"], { stdin: manifest }),
      "configmap/ssa serverside-applied",
    );
    await kubectlOk(["apply", "--server-side", "-f", "-"], {
      stdin: manifest.replace(`a: "1"`, `b: "2"`),
    });
    const cm = JSON.parse(
      await kubectlOk(["get", "cm", "ssa", "-o", "json", "--show-managed-fields"]),
    );
    assertEquals(cm.data, { b: "2" });
    const managers = cm.metadata.managedFields.map((m: { manager: string; operation: string }) =>
      `${m.manager}/${m.operation}`
    );
    assert(managers.includes("kubectl/Apply"), `managers: ${managers}`);
  });

  await t.step("get -o yaml|json|jsonpath|wide|name", async () => {
    assertStringIncludes(await kubectlOk(["get", "cm", "settings", "-o", "yaml"]), "color: blue");
    assertEquals(
      JSON.parse(await kubectlOk(["get", "cm", "settings", "-o", "json"])).kind,
      "ConfigMap",
    );
    assertEquals(
      await kubectlOk(["get", "cm", "settings", "-o", "jsonpath={.data.color}"]),
      "blue",
    );
    assertMatch(
      await kubectlOk(["get", "deploy", "-o", "wide"]),
      /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/m,
    );
    assertEquals(
      (await kubectlOk(["get", "cm", "settings", "-o", "name"])).trim(),
      "configmap/settings",
    );
  });

  await t.step("get -w sees a change", async () => {
    const watcher = new Deno.Command("kubectl", {
      args: [
        "--kubeconfig",
        cluster.kubeconfig,
        "--cache-dir",
        await Deno.makeTempDir(),
        "get",
        "cm",
        "settings",
        "-w",
        "--output-watch-events",
        "-o",
        "custom-columns=EVENT:.type,COLOR:.object.data.color",
        "--no-headers",
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = watcher.stdout.pipeThrough(new TextDecoderStream()).getReader();
    try {
      await readLinesUntil(reader, (line) => line.includes("ADDED"));
      await kubectlOk([
        "patch",
        "cm",
        "settings",
        "--type=merge",
        "-p",
        `{"data":{"color":"green"}}`,
      ]);
      const lines = await readLinesUntil(reader, (line) => line.includes("MODIFIED"));
      assertMatch(lines.at(-1)!, /MODIFIED\s+green/);
    } finally {
      watcher.kill("SIGTERM");
      await reader.cancel().catch(() => undefined);
      await watcher.stderr.cancel().catch(() => undefined);
      await watcher.status;
    }
  });

  await t.step("label and annotate", async () => {
    assertStringIncludes(
      await kubectlOk(["label", "cm", "settings", "tier=backend"]),
      "configmap/settings labeled",
    );
    assertStringIncludes(
      await kubectlOk(["annotate", "cm", "settings", "owner=team-a"]),
      "configmap/settings annotated",
    );
    const cm = JSON.parse(await kubectlOk(["get", "cm", "settings", "-o", "json"]));
    assertEquals(cm.metadata.labels.tier, "backend");
    assertEquals(cm.metadata.annotations.owner, "team-a");
    assertMatch(
      await kubectlOk(["get", "cm", "-l", "tier=backend", "-o", "name"]),
      /^configmap\/settings$/m,
    );
    assertEquals(
      (await kubectlOk(["get", "cm", "-l", "tier!=backend,tier", "-o", "name"])).trim(),
      "",
    );
  });

  await t.step("patch --type=json|merge|strategic", async () => {
    await kubectlOk([
      "patch",
      "cm",
      "settings",
      "--type=json",
      "-p",
      `[{"op":"add","path":"/data/size","value":"L"}]`,
    ]);
    await kubectlOk(["patch", "cm", "settings", "--type=merge", "-p", `{"data":{"color":null}}`]);
    await kubectlOk([
      "patch",
      "deployment",
      "web",
      "--type=strategic",
      "-p",
      `{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}}}`,
    ]);
    const cm = JSON.parse(await kubectlOk(["get", "cm", "settings", "-o", "json"]));
    assertEquals(cm.data, { size: "L" });
    const d = JSON.parse(await kubectlOk(["get", "deployment", "web", "-o", "json"]));
    assertEquals(d.spec.template.spec.containers.length, 1);
    assertEquals(d.spec.template.spec.containers[0].image, "nginx:1.28");
    assertEquals(d.spec.template.spec.containers[0].env, [{ name: "MODE", value: "production" }]);
  });

  await t.step("scale and wait --for=jsonpath", async () => {
    assertStringIncludes(
      await kubectlOk(["scale", "deployment", "web", "--replicas=5"]),
      "deployment.apps/web scaled",
    );
    await kubectlOk([
      "wait",
      "--for=jsonpath={.spec.replicas}=5",
      "deployment/web",
      "--timeout=10s",
    ]);
  });

  await t.step("describe shows the object", async () => {
    const out = await kubectlOk(["describe", "deployment", "web"]);
    assertMatch(out, /^Name:\s+web$/m);
    assertMatch(out, /^Replicas:\s+5 desired/m);
  });

  await t.step("imperative creates (protobuf bodies)", async () => {
    assertStringIncludes(
      await kubectlOk(["create", "namespace", "team-a"]),
      "namespace/team-a created",
    );
    assertStringIncludes(
      await kubectlOk(["create", "deployment", "box", "--image=busybox", "-n", "team-a"]),
      "deployment.apps/box created",
    );
    assertStringIncludes(
      await kubectlOk(["create", "configmap", "lit", "--from-literal=k=v", "-n", "team-a"]),
      "configmap/lit created",
    );
    assertStringIncludes(
      await kubectlOk([
        "create",
        "secret",
        "generic",
        "s",
        "--from-literal=password=hunter2",
        "-n",
        "team-a",
      ]),
      "secret/s created",
    );
    assertStringIncludes(
      await kubectlOk(["create", "service", "clusterip", "box", "--tcp=80:8080", "-n", "team-a"]),
      "service/box created",
    );
    const svc = JSON.parse(await kubectlOk(["get", "svc", "box", "-n", "team-a", "-o", "json"]));
    assertMatch(svc.spec.clusterIP, /^10\.43\.\d+\.\d+$/);
    assertEquals(
      await kubectlOk(["get", "cm", "lit", "-n", "team-a", "-o", "jsonpath={.data.k}"]),
      "v",
    );
    const secret = JSON.parse(
      await kubectlOk(["get", "secret", "s", "-n", "team-a", "-o", "json"]),
    );
    assertEquals(atob(secret.data.password), "hunter2");
  });

  await t.step("get all shows workloads and services", async () => {
    const out = await kubectlOk(["get", "all", "-n", "team-a"]);
    assertMatch(out, /deployment\.apps\/box/);
    assertMatch(out, /service\/box\s+ClusterIP/);
  });

  await t.step("auth can-i and auth whoami", async () => {
    assertEquals((await kubectlOk(["auth", "can-i", "create", "pods"])).trim(), "yes");
    const whoami = await kubectlOk(["auth", "whoami", "-o", "json"]);
    const info = JSON.parse(whoami).status.userInfo;
    assertEquals(info.username, "system:admin");
    assert(info.groups.includes("system:masters"));
  });

  await t.step("delete --wait and delete -l", async () => {
    assertStringIncludes(
      await kubectlOk(["delete", "cm", "settings", "--wait"]),
      `configmap "settings" deleted`,
    );
    for (const name of ["l1", "l2", "l3"]) {
      await kubectlOk(["create", "configmap", name, "--from-literal=x=y"]);
    }
    await kubectlOk(["label", "cm", "l1", "l2", "batch=old"]);
    const out = await kubectlOk(["delete", "cm", "-l", "batch=old"]);
    assertStringIncludes(out, `configmap "l1" deleted`);
    assertStringIncludes(out, `configmap "l2" deleted`);
    assertEquals((await kubectlOk(["get", "cm", "l3", "-o", "name"])).trim(), "configmap/l3");
    assertEquals((await kubectl(["get", "cm", "l1"])).code, 1);
  });

  await t.step("delete namespace empties and removes it", async () => {
    await kubectlOk(["delete", "namespace", "team-a", "--wait", "--timeout=20s"]);
    const gone = await kubectl(["get", "ns", "team-a"]);
    assertEquals(gone.code, 1);
    assertStringIncludes(gone.stderr, `namespaces "team-a" not found`);
  });

  await t.step("errors: 404, 409 Conflict, 422, 401", async () => {
    const missing = await kubectl(["get", "cm", "nope"]);
    assertEquals(missing.code, 1);
    assertStringIncludes(
      missing.stderr,
      `Error from server (NotFound): configmaps "nope" not found`,
    );

    const cm = JSON.parse(await kubectlOk(["get", "cm", "l3", "-o", "json"]));
    await kubectlOk(["label", "cm", "l3", "bump=1"]);
    const stale = await kubectl(["replace", "-f", "-"], { stdin: JSON.stringify(cm) });
    assertEquals(stale.code, 1);
    assertStringIncludes(
      stale.stderr,
      `Operation cannot be fulfilled on configmaps "l3": the object has been modified; please apply your changes to the latest version and try again`,
    );

    const invalid = await kubectl(["create", "-f", "-"], {
      stdin: `apiVersion: v1\nkind: Pod\nmetadata:\n  name: empty\nspec:\n  containers: []\n`,
    });
    assertEquals(invalid.code, 1);
    assertMatch(invalid.stderr, /The Pod "empty" is invalid: spec\.containers: Required value/);

    const anonymous = `${cluster.dataDir}/anonymous.yaml`;
    const config = await Deno.readTextFile(cluster.kubeconfig);
    // Without any credential kubectl would prompt for a username on stdin; a token the server
    // does not know is the non-interactive way to arrive without a valid identity.
    await Deno.writeTextFile(
      anonymous,
      config.replace(/\n(\s+)client-certificate-data: .*/, "\n$1token: not-a-valid-token")
        .replace(/\n\s+client-key-data: .*/, ""),
    );
    const unauth = await new Deno.Command("kubectl", {
      args: ["--kubeconfig", anonymous, "--cache-dir", await Deno.makeTempDir(), "get", "ns"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(unauth.code, 1);
    assertStringIncludes(
      new TextDecoder().decode(unauth.stderr),
      "You must be logged in to the server",
    );
  });
});

Deno.test("kubectl: a list of 600 objects pages through limit/continue", async () => {
  await using cluster = await startTestCluster();
  const store = cluster.server.stores.forKind("", "ConfigMap");
  await cluster.kubectlOk(["create", "namespace", "bulk"]);
  await Promise.all(
    Array.from({ length: 600 }, (_, i) =>
      store.create("bulk", {
        metadata: { name: `cm-${String(i).padStart(3, "0")}` },
        data: { i: String(i) },
      })),
  );
  const listed = await cluster.kubectl(["get", "cm", "-n", "bulk", "-o", "name", "-v=6"]);
  assertEquals(listed.code, 0, listed.stderr);
  const names = listed.stdout.trim().split("\n");
  assertEquals(names.length, 600);
  assertEquals(names[0], "configmap/cm-000");
  assertEquals(names[599], "configmap/cm-599");
  assertMatch(listed.stderr, /configmaps\?limit=500 200/);
  assertMatch(listed.stderr, /configmaps\?continue=[^&]+&limit=500 200/);
  const chunked = await cluster.kubectl(["get", "cm", "-n", "bulk", "--chunk-size=50", "-v=6"]);
  assertEquals(chunked.code, 0, chunked.stderr);
  assertEquals(chunked.stdout.trim().split("\n").length, 601); // header + 600 rows
  // 12 pages of 50: the first request and 11 that carry a continue token.
  assertEquals(chunked.stderr.match(/GET https:\S+continue=/g)?.length, 11);
  // Direct pages: 500 + 100, the second with the first's resourceVersion.
  const first = await store.list("bulk", { limit: 500 });
  assertEquals(first.items.length, 500);
  assertEquals(first.metadata.remainingItemCount, 100);
  const second = await store.list("bulk", { limit: 500, continue: first.metadata.continue });
  assertEquals(second.items.length, 100);
  assertEquals(second.metadata.continue, undefined);
  assertEquals(second.metadata.resourceVersion, first.metadata.resourceVersion);
});
