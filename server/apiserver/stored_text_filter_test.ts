import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { parseFieldSelector } from "../../kube/selectors/fields.ts";
import { parseLabelSelector } from "../../kube/selectors/labels.ts";
import type { KubeObject } from "../../kube/types.ts";
import { stringProperty } from "../registry/field_getters.ts";
import { storedTextFilter } from "./stored_text_filter.ts";

const readers = {
  "spec.nodeName": stringProperty("spec", "nodeName"),
  "status.phase": stringProperty("status", "phase"),
  // A selector without a stored key: never checked on the text.
  "spec.restartPolicy": (p: KubeObject) => String(p.spec?.restartPolicy ?? ""),
};

function filter(labelSelector: string, fieldSelector: string) {
  return storedTextFilter(
    parseLabelSelector(labelSelector),
    parseFieldSelector(fieldSelector, readers),
    readers,
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
  // A field selector whose getter names no stored key.
  assertEquals(filter("", "spec.restartPolicy=Never"), undefined);
});

Deno.test("a string property getter reads its path and names the last key", () => {
  const nodeName = stringProperty("spec", "nodeName");
  assertEquals(nodeName.storedKey, "nodeName");
  assertEquals(nodeName(JSON.parse(pod)), "n-1");
  assertEquals(nodeName({ metadata: { name: "x" } } as KubeObject), "");
  assertEquals(nodeName({ metadata: { name: "x" }, spec: { nodeName: null } } as KubeObject), "");
  assertEquals(nodeName({ metadata: { name: "x" }, spec: "odd" } as KubeObject), "");
});

Deno.test("stored text filter: values are looked for as JSON encodes them", () => {
  const odd = JSON.stringify({ metadata: { name: 'a"b\\c' } });
  assert(filter("", 'metadata.name=a"b\\\\c')!(odd));
});
