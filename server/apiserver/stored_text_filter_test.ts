import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { parseFieldSelector } from "../../kube/selectors/fields.ts";
import { parseLabelSelector } from "../../kube/selectors/labels.ts";
import type { KubeObject } from "../../kube/types.ts";
import { storedTextFilter } from "./stored_text_filter.ts";

const readers = {
  "spec.nodeName": (p: KubeObject) => String(p.spec?.nodeName ?? ""),
  "status.phase": (p: KubeObject) => String(p.status?.phase ?? ""),
};
const keys = { "spec.nodeName": "nodeName", "status.phase": "phase" };

function filter(labelSelector: string, fieldSelector: string) {
  return storedTextFilter(
    parseLabelSelector(labelSelector),
    parseFieldSelector(fieldSelector, readers),
    keys,
  );
}

const pod = JSON.stringify({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web-1", namespace: "app", labels: { app: "web", tier: "front" } },
  spec: { nodeName: "n-1", containers: [{ name: "nginx" }] },
  status: { phase: "Running" },
});

Deno.test("stored text filter: rejects what cannot match, passes what may", () => {
  assert(filter("app=web", "spec.nodeName=n-1")!(pod));
  assert(!filter("app=db", "")!(pod));
  assert(!filter("", "spec.nodeName=n-2")!(pod));
  assert(filter("tier in (back,front)", "")!(pod));
  assert(!filter("tier in (back,db)", "")!(pod));
  assert(filter("", "metadata.name=web-1,metadata.namespace=app")!(pod));
  assert(!filter("", "metadata.namespace=other")!(pod));
});

Deno.test("stored text filter: only = and in on known keys are checked on the text", () => {
  // Nothing to look for: the caller decodes and matches every object.
  assertEquals(filter("app!=web,!legacy,tier", "spec.nodeName!=n-1"), undefined);
  // An absent nodeName reads as "", which has no text in the stored object.
  assertEquals(filter("", "spec.nodeName="), undefined);
  // A label with an empty value is stored as such.
  assert(!filter("app=", "")!(pod));
});

Deno.test("stored text filter: values are looked for as JSON encodes them", () => {
  const odd = JSON.stringify({ metadata: { name: 'a"b\\c' } });
  assert(filter("", 'metadata.name=a"b\\\\c')!(odd));
});
