import { assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { validateObjectMeta } from "./object_meta.ts";

const NAMESPACED = { namespaced: true, nameRule: "dns1123Subdomain" } as const;

Deno.test("object meta: a name or generateName is required", () => {
  const [error] = validateObjectMeta({ namespace: "default" }, NAMESPACED);
  assertEquals(error.field, "metadata.name");
  assertEquals(error.message, "Required value: name or generateName is required");
  assertEquals(validateObjectMeta({ generateName: "web-", namespace: "default" }, NAMESPACED), []);
});

Deno.test("object meta: the resource's name rule applies", () => {
  const errors = validateObjectMeta(
    { name: "a.b" },
    { namespaced: false, nameRule: "dns1123Label" },
  );
  assertEquals(errors.map((e) => e.field), ["metadata.name"]);
  assertMatch(errors[0].message, /^Invalid value: "a\.b": a lowercase RFC 1123 label/);
});

Deno.test("object meta: namespace presence follows the resource's scope", () => {
  assertEquals(validateObjectMeta({ name: "x" }, NAMESPACED)[0].field, "metadata.namespace");
  const [error] = validateObjectMeta(
    { name: "x", namespace: "default" },
    { namespaced: false, nameRule: "dns1123Subdomain" },
  );
  assertEquals(error.message, "Forbidden: not allowed on this type");
});

Deno.test("object meta: bad label keys and values, finalizers and owner references", () => {
  const errors = validateObjectMeta({
    name: "x",
    namespace: "default",
    labels: { "bad key": "ok", good: "bad value" },
    finalizers: ["example.com/ok", "-bad"],
    ownerReferences: [{ apiVersion: "v1", kind: "Pod", name: "p", uid: "" }],
  }, NAMESPACED);
  assertEquals(errors.map((e) => e.field), [
    "metadata.labels",
    "metadata.labels",
    "metadata.finalizers[1]",
    "metadata.ownerReferences[0].uid",
  ]);
});

Deno.test("object meta: annotations over 256 KiB are too long", () => {
  const errors = validateObjectMeta({
    name: "x",
    namespace: "default",
    annotations: { big: "x".repeat(256 * 1024) },
  }, NAMESPACED);
  assertEquals(errors[0].message, "Too long: must have at most 262144 bytes");
});
