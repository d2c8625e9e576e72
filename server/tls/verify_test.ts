import assert from "node:assert/strict";
import { createCertificateAuthority } from "./ca.ts";
import { issueCertificate } from "./certificates.ts";
import { verifyClientCertificate } from "./verify.ts";
import { certDer } from "./_test_helpers.ts";

const clientCa = await createCertificateAuthority({ commonName: "client-ca" });
const otherCa = await createCertificateAuthority({ commonName: "client-ca" });
const admin = await issueCertificate(clientCa, {
  commonName: "system:admin",
  organizations: ["system:masters", "ops"],
  usage: "client",
});

Deno.test("verify: an admin certificate yields its user and every group", () => {
  assert.deepEqual(verifyClientCertificate(certDer(admin.certPem), clientCa.certPem), {
    user: "system:admin",
    groups: ["system:masters", "ops"],
  });
});

Deno.test("verify: a certificate from another CA with the same name is refused", async () => {
  const foreign = await issueCertificate(otherCa, {
    commonName: "system:admin",
    organizations: ["system:masters"],
    usage: "client",
  });
  assert.equal(verifyClientCertificate(certDer(foreign.certPem), clientCa.certPem), null);
});

Deno.test("verify: expired, not yet valid, and server-only certificates are refused", async () => {
  const der = certDer(admin.certPem);
  assert.equal(
    verifyClientCertificate(der, clientCa.certPem, new Date(Date.now() + 400 * 86_400_000)),
    null,
  );
  assert.equal(
    verifyClientCertificate(der, clientCa.certPem, new Date(Date.now() - 2 * 3_600_000)),
    null,
  );
  const serving = await issueCertificate(clientCa, { commonName: "svc", usage: "server" });
  assert.equal(verifyClientCertificate(certDer(serving.certPem), clientCa.certPem), null);
});

Deno.test("verify: the CA certificate itself and garbage are refused", () => {
  assert.equal(verifyClientCertificate(certDer(clientCa.certPem), clientCa.certPem), null);
  assert.equal(
    verifyClientCertificate(new Uint8Array([0x30, 0x03, 1, 2, 3]), clientCa.certPem),
    null,
  );
});

Deno.test("verify: a newline in the CN cannot add a group", async () => {
  const sneaky = await issueCertificate(clientCa, {
    commonName: "mallory\nO=system:masters",
    usage: "client",
  });
  assert.deepEqual(verifyClientCertificate(certDer(sneaky.certPem), clientCa.certPem), {
    user: "mallory\nO=system:masters",
    groups: [],
  });
});
