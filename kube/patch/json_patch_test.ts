import assert from "node:assert/strict";
import { ApiError } from "../errors.ts";
import type { JsonValue } from "../types.ts";
import { applyJsonPatch, parseJsonPointer } from "./json_patch.ts";

const status = (code: number) => (e: unknown) => e instanceof ApiError && e.code === code;

Deno.test("json patch: RFC 6902 appendix-style cases", async (t) => {
  const cases: [string, JsonValue, JsonValue, JsonValue][] = [
    ["add an object member", { foo: "bar" }, [{ op: "add", path: "/baz", value: "qux" }], {
      foo: "bar",
      baz: "qux",
    }],
    ["add an array element", { foo: ["bar", "baz"] }, [{
      op: "add",
      path: "/foo/1",
      value: "qux",
    }], { foo: ["bar", "qux", "baz"] }],
    ["append with -", { a: [1] }, [{ op: "add", path: "/a/-", value: 2 }], { a: [1, 2] }],
    ["remove a member", { baz: "qux", foo: "bar" }, [{ op: "remove", path: "/baz" }], {
      foo: "bar",
    }],
    ["remove an element", { foo: ["bar", "qux", "baz"] }, [{ op: "remove", path: "/foo/1" }], {
      foo: ["bar", "baz"],
    }],
    ["replace a value", { baz: "qux", foo: "bar" }, [{
      op: "replace",
      path: "/baz",
      value: "boo",
    }], { baz: "boo", foo: "bar" }],
    ["move a value", { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } }, [{
      op: "move",
      from: "/foo/waldo",
      path: "/qux/thud",
    }], { foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } }],
    ["move an element", { foo: ["all", "grass", "cows", "eat"] }, [{
      op: "move",
      from: "/foo/1",
      path: "/foo/3",
    }], { foo: ["all", "cows", "eat", "grass"] }],
    ["copy", { a: { b: 1 } }, [{ op: "copy", from: "/a", path: "/c" }], {
      a: { b: 1 },
      c: { b: 1 },
    }],
    ["test passes, key order ignored", { a: { x: 1, y: 2 } }, [{
      op: "test",
      path: "/a",
      value: { y: 2, x: 1 },
    }], { a: { x: 1, y: 2 } }],
    ["escaped pointer", { "a/b": 1, "m~n": 2 }, [
      { op: "replace", path: "/a~1b", value: 3 },
      { op: "remove", path: "/m~0n" },
    ], { "a/b": 3 }],
    ["add replaces an existing member", { a: 1 }, [{ op: "add", path: "/a", value: 2 }], { a: 2 }],
    ["replace the root", { a: 1 }, [{ op: "replace", path: "", value: [1] }], [1]],
  ];
  for (const [name, doc, patch, want] of cases) {
    await t.step(name, () => {
      const before = structuredClone(doc);
      assert.deepEqual(applyJsonPatch(doc, patch), want);
      assert.deepEqual(doc, before, "input not mutated");
    });
  }
});

Deno.test("json patch: failing operations are 422 Invalid and change nothing", async (t) => {
  const doc = { spec: { replicas: 1, list: [1] } };
  const failing: [string, JsonValue][] = [
    ["failed test", [{ op: "test", path: "/spec/replicas", value: 2 }]],
    ["remove missing key", [{ op: "remove", path: "/spec/nope" }]],
    ["replace missing key", [{ op: "replace", path: "/spec/nope", value: 1 }]],
    ["add under missing parent", [{ op: "add", path: "/a/b", value: 1 }]],
    ["index out of range", [{ op: "add", path: "/spec/list/5", value: 1 }]],
    ["bad index", [{ op: "remove", path: "/spec/list/01" }]],
    ["unknown op", [{ op: "frobnicate", path: "/spec" }]],
    ["missing value", [{ op: "add", path: "/x" }]],
    ["move into own child", [{ op: "move", from: "/spec", path: "/spec/x" }]],
    ["second op fails", [{ op: "add", path: "/ok", value: 1 }, { op: "remove", path: "/zz" }]],
  ];
  for (const [name, patch] of failing) {
    await t.step(name, () => {
      assert.throws(() => applyJsonPatch(doc, patch), status(422));
      assert.deepEqual(doc, { spec: { replicas: 1, list: [1] } });
    });
  }
  const err = (() => {
    try {
      applyJsonPatch(doc, [{ op: "test", path: "/spec/replicas", value: 2 }]);
    } catch (e) {
      return e as ApiError;
    }
  })();
  assert.equal(err?.reason, "Invalid");
  assert.equal(err?.message, "testing value /spec/replicas failed: test failed");
});

Deno.test("json patch: a body that is not a list of objects is 400", () => {
  assert.throws(() => applyJsonPatch({}, { op: "add" }), status(400));
  assert.throws(() => applyJsonPatch({}, ["x"]), status(400));
});

Deno.test("json patch: pointer parsing unescapes ~1 before ~0", () => {
  assert.deepEqual(parseJsonPointer("/a~01/b~1c/"), ["a~1", "b/c", ""]);
  assert.deepEqual(parseJsonPointer(""), []);
  assert.throws(() => parseJsonPointer("a"), status(422));
});
