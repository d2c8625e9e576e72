import assert from "node:assert/strict";
import { clone, ownValue } from "./_json.ts";

// Deno removes the `__proto__` accessor, so assigning that key makes a plain own property; the
// patch code relies on that when it copies objects clients sent.
Deno.test("clone keeps a __proto__ key as a plain own key", () => {
  const parsed = JSON.parse('{"data":{"__proto__":{"polluted":true},"a":"1"}}');
  const copy = clone(parsed);
  assert.equal(Object.getPrototypeOf(copy.data), Object.prototype);
  assert.deepEqual(Object.keys(copy.data), ["__proto__", "a"]);
  assert.deepEqual(ownValue(copy.data, "__proto__"), { polluted: true });
  assert.equal((copy.data as { polluted?: boolean }).polluted, undefined);
});

Deno.test("ownValue reads own keys only", () => {
  assert.equal(ownValue({ a: "1" }, "toString"), undefined);
  assert.equal(ownValue({ toString: "t" }, "toString"), "t");
});
