import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { createCertificateAuthority } from "./ca.ts";
import { issueCertificate } from "./certificates.ts";
import { generateKeyPair } from "./keys.ts";
import { decodePem } from "./pem.ts";
import {
  extendedKeyUsages,
  isCertificateAuthority,
  Oid,
  parseCertificate,
  subjectAltNames,
} from "./der.ts";

const ca = await createCertificateAuthority({ commonName: "test-ca" });
const caCert = new X509Certificate(ca.certPem);

Deno.test("certificates: a generated key is returned and matches the certificate", async () => {
  const issued = await issueCertificate(ca, { commonName: "kube-proxy", usage: "client" });
  assert.ok(issued.keyPem?.startsWith("-----BEGIN PRIVATE KEY-----"));
  const cert = new X509Certificate(issued.certPem);
  const { createPrivateKey } = await import("node:crypto");
  assert.ok(cert.checkPrivateKey(createPrivateKey(issued.keyPem!)));
  assert.ok(cert.checkIssued(caCert) && cert.verify(caCert.publicKey));
  const fields = parseCertificate(cert.raw);
  assert.equal(fields.version, 3);
  assert.equal(isCertificateAuthority(fields), false);
});

Deno.test("certificates: usage both sets serverAuth and clientAuth", async () => {
  const keys = await generateKeyPair();
  const issued = await issueCertificate(ca, {
    commonName: "etcd-peer",
    usage: "both",
    publicKey: keys.publicKey,
    days: 30,
    now: new Date("2030-01-01T00:00:00Z"),
  });
  assert.equal(issued.keyPem, undefined);
  const fields = parseCertificate(decodePem(issued.certPem, "CERTIFICATE"));
  assert.deepEqual(extendedKeyUsages(fields), [Oid.serverAuth, Oid.clientAuth]);
  assert.equal(fields.notAfter.toISOString(), "2030-01-31T00:00:00.000Z");
  assert.equal(fields.notBefore.toISOString(), "2029-12-31T23:00:00.000Z");
});

Deno.test("certificates: SANs are de-duplicated and IPv6 is canonical", async () => {
  const issued = await issueCertificate(ca, {
    commonName: "x",
    usage: "server",
    dnsNames: ["A.example", "a.example"],
    ips: ["fd00:0:0::1", "fd00::1", "10.0.0.1"],
  });
  const names = subjectAltNames(parseCertificate(decodePem(issued.certPem, "CERTIFICATE")));
  assert.deepEqual(names, { dns: ["a.example"], ips: ["fd00::1", "10.0.0.1"] });
});

Deno.test("certificates: an invalid IP SAN is refused", async () => {
  await assert.rejects(
    () => issueCertificate(ca, { commonName: "x", usage: "server", ips: ["10.0.0.300"] }),
    TypeError,
  );
});

Deno.test("certificates: the CA is a CA with ten years of validity", () => {
  const fields = parseCertificate(caCert.raw);
  assert.ok(isCertificateAuthority(fields));
  const years = (fields.notAfter.getTime() - fields.notBefore.getTime()) / (365 * 86_400_000);
  assert.ok(years > 9.99 && years < 10.01, `${years}`);
});
