/**
 * The workload controllers driven by a stock kubectl against a real server: rollout status,
 * set image, history, undo, restart, pause/resume, scale, expose and delete.
 * The server runs the controllers; pods get no node here, so a stand-in kubelet marks them
 * Running and Ready.
 */
import { assert, assertEquals, assertStringIncludes } from "../../tests/helpers/assert.ts";
import { startTestCluster } from "../../tests/helpers/cluster.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import { runFakeKubelet } from "./_test_pods.ts";

Deno.test("workloads via kubectl: rollout, undo, restart, pause, scale, endpoints, delete", async (t) => {
  await using cluster = await startTestCluster();
  const { stores } = cluster.server;
  const stop = new AbortController();
  const running = runFakeKubelet(stores, stop.signal);
  const k = cluster.kubectlOk;
  const rolloutStatus = () => k(["rollout", "status", "deployment/web", "--timeout=60s"]);
  const images = async () => {
    const out = await k([
      "get",
      "pods",
      "-l",
      "app=web",
      "-o",
      'jsonpath={range .items[*]}{.spec.containers[0].image}{"\\n"}{end}',
    ]);
    return [...new Set(out.trim().split("\n").filter(Boolean))];
  };
  try {
    await t.step("create and rollout status", async () => {
      await k(["create", "deployment", "web", "--image=nginx:1", "--replicas=3"]);
      assertStringIncludes(await rolloutStatus(), 'deployment "web" successfully rolled out');
      const table = await k(["get", "deployment", "web", "--no-headers"]);
      assert(/^web\s+3\/3\s+3\s+3\s/.test(table), table);
    });

    await t.step("set image, history, undo", async () => {
      await k(["set", "image", "deployment/web", "nginx=nginx:2"]);
      assertStringIncludes(await rolloutStatus(), "successfully rolled out");
      assertEquals(await images(), ["nginx:2"]);
      const history = await k(["rollout", "history", "deployment/web"]);
      assert(/^1\s/m.test(history) && /^2\s/m.test(history), history);
      assertStringIncludes(await k(["rollout", "undo", "deployment/web"]), "rolled back");
      assertStringIncludes(await rolloutStatus(), "successfully rolled out");
      await waitFor("only nginx:1 pods", async () => {
        const current = await images();
        return current.length === 1 && current[0] === "nginx:1";
      });
      const sets = await k(["get", "rs", "-l", "app=web", "--no-headers"]);
      assertEquals(sets.trim().split("\n").length, 2, sets);
      const after = await k(["rollout", "history", "deployment/web"]);
      assert(/^3\s/m.test(after) && !/^1\s/m.test(after), after);
    });

    await t.step("restart, pause and resume, scale", async () => {
      await k(["rollout", "restart", "deployment/web"]);
      assertStringIncludes(await rolloutStatus(), "successfully rolled out");
      await k(["rollout", "pause", "deployment/web"]);
      await k(["set", "image", "deployment/web", "nginx=nginx:3"]);
      const paused = await k(["get", "deployment", "web", "-o", "jsonpath={.status.conditions}"]);
      await waitFor(
        "paused condition",
        async () =>
          (await k(["get", "deployment", "web", "-o", "jsonpath={.status.conditions}"]))
            .includes("DeploymentPaused"),
      );
      assert(!(await images()).includes("nginx:3"), paused);
      await k(["rollout", "resume", "deployment/web"]);
      assertStringIncludes(await rolloutStatus(), "successfully rolled out");
      assertEquals(await images(), ["nginx:3"]);
      await k(["scale", "deployment/web", "--replicas=5"]);
      assertStringIncludes(await rolloutStatus(), "successfully rolled out");
    });

    await t.step("expose: Endpoints and EndpointSlices list the ready pods", async () => {
      await k(["expose", "deployment", "web", "--port=80"]);
      const ips = await waitFor("5 endpoints", async () => {
        const out = await k([
          "get",
          "endpoints",
          "web",
          "-o",
          "jsonpath={.subsets[*].addresses[*].ip}",
        ]);
        const ips = out.trim().split(/\s+/).filter(Boolean);
        return ips.length === 5 && ips;
      });
      const slices = await k([
        "get",
        "endpointslices",
        "-l",
        "kubernetes.io/service-name=web",
        "-o",
        "jsonpath={.items[*].endpoints[*].addresses[0]}",
      ]);
      assertEquals(slices.trim().split(/\s+/).sort(), [...ips].sort());
    });

    await t.step("delete removes ReplicaSets and pods", async () => {
      await k(["delete", "deployment", "web"]);
      await waitFor("all gone", async () => {
        const out = await k(["get", "rs,pods", "-l", "app=web", "--no-headers"]);
        return out.trim() === "";
      }, 20_000);
    });
  } finally {
    stop.abort();
    await running;
  }
});
