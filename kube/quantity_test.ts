import { assertEquals } from "../tests/helpers/assert.ts";
import { parseQuantity } from "./quantity.ts";

Deno.test("quantity: binary, decimal and exponent suffixes", () => {
  assertEquals(parseQuantity("128Mi"), 128 * 2 ** 20);
  assertEquals(parseQuantity("500m"), 0.5);
  assertEquals(parseQuantity("1.5G"), 1.5e9);
  assertEquals(parseQuantity("2e3"), 2000);
  assertEquals(parseQuantity(3), 3);
});

Deno.test("quantity: junk does not parse", () => {
  assertEquals(parseQuantity("ten"), undefined);
  assertEquals(parseQuantity("1Xi"), undefined);
  assertEquals(parseQuantity(""), undefined);
  assertEquals(parseQuantity(undefined), undefined);
});
