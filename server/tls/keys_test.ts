import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { createCertificateAuthority } from "./ca.ts";
import { issueCertificate } from "./certificates.ts";
import { importSigningKey, publicKeyOf } from "./keys.ts";

Deno.test("keys: a CA key in SEC1 form (openssl's EC PRIVATE KEY) can sign", async () => {
  const ca = await createCertificateAuthority({ commonName: "sec1-ca" });
  const sec1 = createPrivateKey(ca.keyPem).export({ type: "sec1", format: "pem" }).toString();
  assert.ok(sec1.startsWith("-----BEGIN EC PRIVATE KEY-----"));
  const issued = await issueCertificate({ certPem: ca.certPem, keyPem: sec1 }, {
    commonName: "leaf",
    usage: "client",
  });
  const caCert = new X509Certificate(ca.certPem);
  assert.ok(new X509Certificate(issued.certPem).verify(caCert.publicKey));
});

Deno.test("keys: the public key derived from a private key matches it", async () => {
  const ca = await createCertificateAuthority({ commonName: "ca" });
  const publicKey = await publicKeyOf(ca.keyPem);
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", publicKey));
  const expected = new X509Certificate(ca.certPem).publicKey.export({
    type: "spki",
    format: "der",
  });
  assert.deepEqual(spki, new Uint8Array(expected));
});

Deno.test("keys: non-key PEM is refused", async () => {
  await assert.rejects(() => importSigningKey("-----BEGIN RSA PRIVATE KEY-----\n"), TypeError);
});
