import assert from "node:assert/strict";
import { FieldSet } from "./field_set.ts";

const set = (...paths: string[][]): FieldSet =>
  paths.reduce((s, path) => s.insert(path), new FieldSet());

Deno.test("set operations give the members upstream's sets would", () => {
  const a = set(["f:data", "f:a"], ["f:data", "f:b"], ["f:metadata", "f:labels", "f:x"]);
  const b = set(["f:data", "f:b"], ["f:spec", "f:replicas"]);
  assert.deepEqual(a.union(b).toFieldsV1(), {
    "f:data": { "f:a": {}, "f:b": {} },
    "f:metadata": { "f:labels": { "f:x": {} } },
    "f:spec": { "f:replicas": {} },
  });
  assert.deepEqual(a.difference(b).toFieldsV1(), {
    "f:data": { "f:a": {} },
    "f:metadata": { "f:labels": { "f:x": {} } },
  });
  assert.deepEqual(a.intersection(b).toFieldsV1(), { "f:data": { "f:b": {} } });
  assert.deepEqual(a.recursiveDifference(set(["f:metadata"])).toFieldsV1(), {
    "f:data": { "f:a": {}, "f:b": {} },
  });
});

Deno.test("a subtree shared by a set operation cannot be changed through either set", () => {
  const a = set(["f:data", "f:a"]);
  const b = set(["f:spec", "f:replicas"]);
  const both = a.union(b);
  // `a`'s data subtree now also belongs to `both`: adding below it would change `both` too.
  assert.throws(() => a.insert(["f:data", "f:c"]), /read-only/);
  assert.throws(() => both.insert(["f:other"]), /read-only/);
  assert.deepEqual(both.toFieldsV1(), { "f:data": { "f:a": {} }, "f:spec": { "f:replicas": {} } });
  // Parts of an operand that were not shared stay open for building.
  a.insert(["f:kind"]);
  assert.deepEqual(both.toFieldsV1(), { "f:data": { "f:a": {} }, "f:spec": { "f:replicas": {} } });
});

Deno.test("an operation with an empty set answers with the other set itself", () => {
  const a = set(["f:data", "f:a"]);
  assert.equal(a.union(new FieldSet()), a);
  assert.equal(new FieldSet().union(a), a);
  // `a` is now the union too: a write anywhere below its root would change both.
  assert.throws(() => a.insert(["f:data", "f:c"]), /read-only/);
});

Deno.test("a shared subtree is read-only at every depth", () => {
  const b = set(["f:spec", "f:template", "f:x"]);
  const c = set(["f:status", "f:phase"]);
  const both = b.union(c);
  assert.throws(() => b.insert(["f:spec", "f:template", "f:y"]), /read-only/);
  assert.throws(() => b.insert(["f:spec", "f:template", "f:z", "f:deep"]), /read-only/);
  // Also through a subtree handed out by child(): it is part of both sets.
  assert.throws(() => both.child("f:spec").child("f:template").insert(["f:y"]), /read-only/);
  const kept = set(["f:spec", "f:template", "f:x"], ["f:kind"]);
  kept.difference(set(["f:kind"]));
  assert.throws(() => kept.insert(["f:spec", "f:template", "f:y"]), /read-only/);
  assert.deepEqual(both.toFieldsV1(), {
    "f:spec": { "f:template": { "f:x": {} } },
    "f:status": { "f:phase": {} },
  });
});
