import { assertEquals } from "../../tests/helpers/assert.ts";
import { Expectations } from "./expectations.ts";

Deno.test("expectations: met when every creation and deletion was seen, or after the TTL", () => {
  let now = 0;
  const e = new Expectations({ ttlMs: 1000, now: () => now });
  assertEquals(e.satisfied("ns/rs"), true);
  e.expect("ns/rs", { creations: 2 });
  e.creationObserved("ns/rs");
  assertEquals(e.satisfied("ns/rs"), false);
  e.creationObserved("ns/rs");
  assertEquals(e.satisfied("ns/rs"), true);
  e.expect("ns/rs", { deletions: ["u1", "u2"] });
  e.deletionObserved("ns/rs", "u1");
  e.deletionObserved("ns/rs", "u1");
  assertEquals(e.satisfied("ns/rs"), false);
  now = 1001;
  assertEquals(e.satisfied("ns/rs"), true, "a lost event does not hold the controller forever");
});

Deno.test("expectations: creations and deletions expected at once are both awaited", () => {
  const e = new Expectations();
  e.expect("ns/ds", { creations: 1, deletions: ["u1"] });
  e.deletionObserved("ns/ds", "u1");
  assertEquals(e.satisfied("ns/ds"), false, "the creation is still pending");
  e.creationObserved("ns/ds");
  assertEquals(e.satisfied("ns/ds"), true);
  e.expect("ns/ds", { creations: 1, deletions: ["u2"] });
  e.creationObserved("ns/ds");
  assertEquals(e.satisfied("ns/ds"), false, "the deletion is still pending");
  e.delete("ns/ds");
  assertEquals(e.satisfied("ns/ds"), true);
});
