import { assertEquals } from "../../tests/helpers/assert.ts";
import type { KubeObject } from "../../kube/types.ts";
import { BUILTIN_RESOURCES } from "../registry/catalog.ts";
import { strategyFor } from "../registry/strategies/mod.ts";
import { encodeForStorage, storedLabels } from "./object_meta.ts";
import { ResourceRegistry } from "./resources.ts";

const registry = new ResourceRegistry();
for (const info of BUILTIN_RESOURCES) registry.add(info, strategyFor(info));
const pods = registry.byKind("", "Pod")!;
const deployments = registry.byKind("apps", "Deployment")!;

function pod(metadata: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", ...metadata },
    spec: { containers: [{ name: "c", image: "busybox" }] },
  } as KubeObject;
}

Deno.test("storedLabels reads metadata.labels from stored text", () => {
  const labels = { app: "web", "example.com/tier": "front" };
  assertEquals(storedLabels(pods, encodeForStorage(pod({ labels }))), labels);
  assertEquals(storedLabels(pods, encodeForStorage(pod({}))), {});
  assertEquals(storedLabels(pods, encodeForStorage(pod({ labels: {} }))), {});
});

Deno.test("storedLabels skips look-alikes: nested labels, escaped quotes, label text in strings", () => {
  const tricky = pod({
    annotations: {
      labels: '{"app":"fake"}',
      note: 'a "quoted" \\ backslash \\", "labels":{"app":"fake"} }]',
      "ends-with-backslash": "\\",
    },
    finalizers: ["x/y"],
    generation: 3,
    deletionGracePeriodSeconds: null,
    ownerReferences: [{ kind: "ReplicaSet", name: "rs", controller: true, labels: { app: "x" } }],
    managedFields: [{
      manager: "kubectl",
      fieldsV1: { "f:metadata": { "f:labels": { "f:app": {} }, labels: { app: "nested" } } },
    }],
    labels: { app: "real" },
  });
  assertEquals(storedLabels(pods, encodeForStorage(tricky)), { app: "real" });
  // A Deployment without labels of its own: its template's labels are not its labels.
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d" },
    spec: { template: { metadata: { labels: { app: "web" } } } },
  } as KubeObject;
  assertEquals(storedLabels(deployments, encodeForStorage(deployment)), {});
});

Deno.test("storedLabels gives undefined for text it cannot read, so the caller decodes", () => {
  const text = encodeForStorage(pod({ labels: { app: "web" } }));
  assertEquals(storedLabels(deployments, text), undefined, "another kind's type meta");
  assertEquals(
    storedLabels(pods, text.replace('"apiVersion":"v1"', '"apiVersion": "v1"')),
    undefined,
  );
  for (let end = text.indexOf('"metadata"'); end < text.indexOf('"labels"') + 12; end++) {
    assertEquals(storedLabels(pods, text.slice(0, end)), undefined, `cut at ${end}`);
  }
});

Deno.test("storedLabels agrees with a full decode on random metadata", () => {
  // A fixed-seed generator: the same cases on every run.
  let seed = 7;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const text = () =>
    Array.from(
      { length: Math.floor(random() * 6) },
      () => pick(['"', "\\", "{", "}", "[", "]", ",", ":", "a", "labels"]),
    )
      .join("");
  const value = (depth: number): unknown => {
    const kind = Math.floor(random() * (depth > 2 ? 4 : 6));
    if (kind === 0) return text();
    if (kind === 1) return Math.floor(random() * 1000) - 500;
    if (kind === 2) return pick([true, false, null, 1.5e-7]);
    if (kind === 3) return text();
    if (kind === 4) return Array.from({ length: Math.floor(random() * 3) }, () => value(depth + 1));
    return Object.fromEntries(
      Array.from(
        { length: Math.floor(random() * 3) },
        () => [pick(["labels", text()]), value(depth + 1)],
      ),
    );
  };
  for (let n = 0; n < 500; n++) {
    const metadata: Record<string, unknown> = {};
    for (let k = Math.floor(random() * 5); k > 0; k--) {
      metadata[pick(["a", "b", text()])] = value(0);
    }
    if (random() < 0.7) metadata.labels = { app: text(), [text()]: text() };
    const stored = encodeForStorage(pod(metadata));
    // A `labels` member that is not an object (random keys may name it) reads as no labels.
    const decoded = JSON.parse(stored).metadata.labels;
    const expected = decoded && typeof decoded === "object" && !Array.isArray(decoded)
      ? decoded
      : {};
    assertEquals(storedLabels(pods, stored), expected, stored);
  }
});
