import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { createCertificateAuthority } from "./ca.ts";
import { CertificateRequestError, createCsr, signCsr } from "./csr.ts";
import { issueCertificate } from "./certificates.ts";
import { decodePem, encodePem } from "./pem.ts";
import { extendedKeyUsages, Oid, parseCertificate, subjectAltNames } from "./der.ts";

const ca = await createCertificateAuthority({ commonName: "test-ca" });

Deno.test("csr: a signed CSR yields a certificate for the CSR's key with the profile's subject", async () => {
  const { csrPem, keyPem } = await createCsr({ commonName: "whatever-the-agent-asks" });
  const certPem = await signCsr(ca, csrPem, {
    commonName: "system:node:node-a",
    organizations: ["system:nodes"],
    usage: "client",
  });
  const cert = new X509Certificate(certPem);
  assert.equal(cert.subject, "CN=system:node:node-a\nO=system:nodes");
  const caCert = new X509Certificate(ca.certPem);
  assert.ok(cert.checkIssued(caCert) && cert.verify(caCert.publicKey));
  // The certificate carries the agent's key: the agent's private key matches it.
  assert.ok(cert.checkPrivateKey((await import("node:crypto")).createPrivateKey(keyPem)));
  assert.deepEqual(extendedKeyUsages(parseCertificate(cert.raw)), [Oid.clientAuth]);
});

Deno.test("csr: issueCertificate accepts a CSR PEM as the public key and returns no key", async () => {
  const { csrPem } = await createCsr({ commonName: "node-a" });
  const issued = await issueCertificate(ca, {
    commonName: "node-a",
    dnsNames: ["node-a", "localhost"],
    ips: ["127.0.0.1", "198.51.100.7"],
    usage: "server",
    publicKey: csrPem,
  });
  assert.equal(issued.keyPem, undefined);
  const names = subjectAltNames(parseCertificate(decodePem(issued.certPem, "CERTIFICATE")));
  assert.deepEqual(names, { dns: ["node-a", "localhost"], ips: ["127.0.0.1", "198.51.100.7"] });
});

Deno.test("csr: a CSR whose signed content was altered is rejected", async () => {
  const { csrPem } = await createCsr({ commonName: "agent-aaaa" });
  const der = decodePem(csrPem, "CERTIFICATE REQUEST");
  const needle = new TextEncoder().encode("agent-aaaa");
  const at = der.findIndex((_, i) => needle.every((byte, j) => der[i + j] === byte));
  assert.ok(at > 0);
  der.set(new TextEncoder().encode("agent-bbbb"), at);
  const tampered = encodePem("CERTIFICATE REQUEST", der);
  await assert.rejects(
    () => signCsr(ca, tampered, { commonName: "agent", usage: "client" }),
    (error: Error) =>
      error instanceof CertificateRequestError && error.message.includes("signature is invalid"),
  );
});

Deno.test("csr: text that is not a CSR is rejected", async () => {
  await assert.rejects(
    () => signCsr(ca, "not a csr", { commonName: "agent", usage: "client" }),
    CertificateRequestError,
  );
});
