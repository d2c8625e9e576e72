import assert from "node:assert/strict";
import type { JsonValue } from "../types.ts";
import { applyMergePatch } from "./merge_patch.ts";

Deno.test("merge patch: RFC 7386 appendix A cases", async (t) => {
  const cases: [JsonValue, JsonValue, JsonValue][] = [
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [["a", "b"], ["c", "d"], ["c", "d"]],
    [{ a: "b" }, ["c"], ["c"]],
    [{ a: "foo" }, null, null],
    [{ a: "foo" }, "bar", "bar"],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, want] of cases) {
    await t.step(`${JSON.stringify(target)} + ${JSON.stringify(patch)}`, () => {
      const before = structuredClone(target);
      assert.deepEqual(applyMergePatch(target, patch), want);
      assert.deepEqual(target, before, "input not mutated");
    });
  }
});

Deno.test("merge patch: scale-style patch touches only its field", () => {
  const deploy = { spec: { replicas: 1, template: { spec: { containers: [{ name: "a" }] } } } };
  assert.deepEqual(applyMergePatch(deploy, { spec: { replicas: 5 } }), {
    spec: { replicas: 5, template: { spec: { containers: [{ name: "a" }] } } },
  });
});
