import assert from "node:assert/strict";
import { baseName, joinPath, parentDir } from "./_path.ts";

Deno.test("path: join and parent", () => {
  assert.equal(joinPath("/var/lib/k3ts/", "server", "tls"), "/var/lib/k3ts/server/tls");
  assert.equal(joinPath("rel", "x"), "rel/x");
  assert.equal(parentDir("/etc/k3ts/k3ts.yaml"), "/etc/k3ts");
  assert.equal(parentDir("/k3ts.yaml"), "/");
  assert.equal(parentDir("k3ts.yaml"), ".");
});

Deno.test("path: base name", () => {
  assert.equal(baseName("/var/lib/k3ts/server/tls/client-admin.crt"), "client-admin.crt");
  assert.equal(baseName("/var/lib/k3ts/server/tls/"), "tls");
  assert.equal(baseName("k3ts.yaml"), "k3ts.yaml");
});
