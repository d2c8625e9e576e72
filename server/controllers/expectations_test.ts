import { assertEquals } from "../../tests/helpers/assert.ts";
import { Expectations } from "./expectations.ts";

Deno.test("expectations: met when every creation and deletion was seen, or after the TTL", () => {
  let now = 0;
  const e = new Expectations({ ttlMs: 1000, now: () => now });
  assertEquals(e.satisfied("ns/rs"), true);
  e.expectCreations("ns/rs", 2);
  e.creationObserved("ns/rs");
  assertEquals(e.satisfied("ns/rs"), false);
  e.creationObserved("ns/rs");
  assertEquals(e.satisfied("ns/rs"), true);
  e.expectDeletions("ns/rs", ["u1", "u2"]);
  e.deletionObserved("ns/rs", "u1");
  e.deletionObserved("ns/rs", "u1");
  assertEquals(e.satisfied("ns/rs"), false);
  now = 1001;
  assertEquals(e.satisfied("ns/rs"), true, "a lost event does not hold the controller forever");
});
