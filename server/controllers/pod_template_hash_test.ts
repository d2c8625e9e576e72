import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import {
  POD_TEMPLATE_HASH_LABEL,
  podTemplateHash,
  templatesEqualIgnoringHash,
} from "./pod_template_hash.ts";

const template = {
  metadata: { labels: { app: "web", tier: "front" } },
  spec: { containers: [{ name: "web", image: "nginx:1" }] },
};

Deno.test("pod-template-hash: stable, order-blind, name-safe, moved by the collision count", () => {
  const hash = podTemplateHash(template);
  assertEquals(podTemplateHash(structuredClone(template)), hash);
  const reordered = {
    spec: { containers: [{ image: "nginx:1", name: "web" }] },
    metadata: { labels: { tier: "front", app: "web" } },
  };
  assertEquals(podTemplateHash(reordered), hash);
  assert(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/.test(hash), hash);
  assert(podTemplateHash(template, 1) !== hash);
  const changed = structuredClone(template);
  changed.spec.containers[0].image = "nginx:2";
  assert(podTemplateHash(changed) !== hash);
});

Deno.test("pod-template-hash: templates compare equal without the hash label", () => {
  const labelled = structuredClone(template) as typeof template & {
    metadata: { labels: Record<string, string> };
  };
  labelled.metadata.labels[POD_TEMPLATE_HASH_LABEL] = "abc";
  assert(templatesEqualIgnoringHash(labelled, template));
  const other = structuredClone(labelled);
  other.spec.containers[0].image = "nginx:2";
  assert(!templatesEqualIgnoringHash(other, template));
  assert(
    templatesEqualIgnoringHash({ metadata: { labels: { [POD_TEMPLATE_HASH_LABEL]: "x" } } }, {}),
  );
});

Deno.test("pod-template-hash: a null field is the same as an absent one", () => {
  const undone = structuredClone(template) as Record<string, unknown> & typeof template;
  (undone.metadata as Record<string, unknown>).creationTimestamp = null;
  assert(templatesEqualIgnoringHash(undone, template));
  assertEquals(podTemplateHash(undone), podTemplateHash(template));
});
