import { assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import {
  configMapKey,
  dns1035Label,
  dns1123Label,
  dns1123Subdomain,
  labelValue,
  pathSegment,
  portName,
  qualifiedName,
} from "./names.ts";

Deno.test("names: RFC 1123 subdomain accepts dotted lowercase names and rejects capitals", () => {
  assertEquals(dns1123Subdomain("web.example-1"), []);
  assertMatch(dns1123Subdomain("Web")[0], /lowercase RFC 1123 subdomain/);
  assertEquals(
    dns1123Subdomain("a".repeat(254)).includes("must be no more than 253 characters"),
    true,
  );
});

Deno.test("names: labels and DNS-1035 labels differ on a leading digit", () => {
  assertEquals(dns1123Label("1abc"), []);
  assertMatch(dns1035Label("1abc")[0], /DNS-1035 label/);
  assertMatch(dns1123Label("a.b")[0], /RFC 1123 label/);
});

Deno.test("names: qualified names take an optional DNS prefix", () => {
  assertEquals(qualifiedName("app.kubernetes.io/name"), []);
  assertEquals(qualifiedName("Name_1"), []);
  assertMatch(qualifiedName("/x")[0], /prefix part must be non-empty/);
  assertMatch(qualifiedName("a/b/c")[0], /qualified name/);
  assertMatch(qualifiedName("-x")[0], /name part must consist/);
});

Deno.test("names: label values, config keys, path segments and port names", () => {
  assertEquals(labelValue(""), []);
  assertMatch(labelValue("bad value")[0], /valid label/);
  assertEquals(configMapKey("KEY.name-1"), []);
  assertMatch(configMapKey("a/b")[0], /config key/);
  assertEquals(configMapKey(".."), ["must not be '..'"]);
  assertEquals(pathSegment("system:admin"), []);
  assertEquals(pathSegment("a/b"), ["may not contain '/'"]);
  assertEquals(portName("http"), []);
  assertEquals(portName("8080").includes("must contain at least one letter (a-z)"), true);
});
