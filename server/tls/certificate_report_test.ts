import assert from "node:assert/strict";
import {
  formatExpiryDate,
  formatResidualTime,
  renderCertificateJson,
  renderCertificateTable,
  renderCertificateText,
  rfc3339,
  usageNames,
} from "./certificate_report.ts";
import type { ClusterCertificateInventory } from "./inventory.ts";
import { days } from "./_test_helpers.ts";

const NOW = new Date("2026-05-15T21:54:13.500Z");

const inventory: ClusterCertificateInventory = {
  dir: "/d/server/tls",
  checkedAt: NOW,
  warnWithinDays: 30,
  certificates: [
    {
      path: "/d/server/tls/client-admin.crt",
      file: "client-admin.crt",
      service: "admin",
      subject: "system:admin",
      organizations: ["system:masters"],
      usages: ["client"],
      notBefore: new Date("2026-05-15T20:50:00Z"),
      notAfter: new Date("2027-05-15T21:50:00Z"),
      daysRemaining: 364,
      status: "OK",
    },
    {
      path: "/d/server/tls/server-ca.crt",
      file: "server-ca.crt",
      subject: "k3ts-server-ca@1747345812",
      organizations: [],
      usages: ["CA"],
      notBefore: new Date("2025-05-15T20:50:00Z"),
      notAfter: new Date("2035-05-13T21:50:00Z"),
      daysRemaining: 3285,
      status: "OK",
    },
    {
      path: "/d/server/tls/serving-kube-apiserver.crt",
      file: "serving-kube-apiserver.crt",
      service: "api-server",
      subject: "kube-apiserver",
      organizations: [],
      usages: ["server", "client"],
      notBefore: new Date("2025-05-15T20:50:00Z"),
      notAfter: new Date("2026-06-01T00:00:00Z"),
      daysRemaining: 16,
      status: "WARNING",
    },
    {
      path: "/d/server/tls/old.crt",
      file: "old.crt",
      subject: "old",
      organizations: [],
      usages: [],
      notBefore: new Date("2025-01-01T00:00:00Z"),
      notAfter: new Date("2026-05-12T21:54:13Z"),
      daysRemaining: -3,
      status: "EXPIRED",
    },
  ],
  unreadable: [{ path: "/d/server/tls/bad.crt", file: "bad.crt", reason: "no PEM block" }],
};

Deno.test("report: the table has K3s's columns, dashes and three-space gaps", () => {
  assert.equal(
    renderCertificateTable(inventory),
    [
      "FILENAME                     SUBJECT                     USAGES                  EXPIRES                  RESIDUAL TIME   STATUS",
      "--------                     -------                     ------                  -------                  -------------   ------",
      "client-admin.crt             system:admin                ClientAuth              May 15, 2027 21:50 UTC   1 year          OK",
      "server-ca.crt                k3ts-server-ca@1747345812   CertSign                May 13, 2035 21:50 UTC   9 years         OK",
      "serving-kube-apiserver.crt   kube-apiserver              ServerAuth,ClientAuth   Jun 01, 2026 00:00 UTC   2 weeks         WARNING",
      "old.crt                      old                         Any                     May 12, 2026 21:54 UTC   3 days ago      EXPIRED",
      "",
    ].join("\n"),
  );
});

Deno.test("report: the text form has one line per certificate and unreadable file", () => {
  assert.equal(
    renderCertificateText(inventory),
    [
      "INFO  client-admin.crt: certificate system:admin (ClientAuth) is ok, expires at 2027-05-15T21:50:00Z",
      "INFO  server-ca.crt: certificate k3ts-server-ca@1747345812 (CertSign) is ok, expires at 2035-05-13T21:50:00Z",
      "WARN  serving-kube-apiserver.crt: certificate kube-apiserver (ServerAuth,ClientAuth) will expire within 30 days at 2026-06-01T00:00:00Z",
      "ERROR old.crt: certificate old (Any) expired at 2026-05-12T21:54:13Z",
      "ERROR bad.crt: not a readable certificate: no PEM block",
      "",
    ].join("\n"),
  );
  const early = {
    ...inventory,
    certificates: [{ ...inventory.certificates[0], status: "NOT YET VALID" as const }],
    unreadable: [],
  };
  assert.equal(
    renderCertificateText(early),
    "ERROR client-admin.crt: certificate system:admin (ClientAuth) is not valid before " +
      "2026-05-15T20:50:00Z\n",
  );
});

Deno.test("report: JSON has RFC 3339 times to the second", () => {
  const parsed = JSON.parse(renderCertificateJson(inventory));
  assert.equal(parsed.checkedAt, "2026-05-15T21:54:13Z");
  assert.equal(parsed.warnWithinDays, 30);
  assert.deepEqual(parsed.certificates[0], {
    path: "/d/server/tls/client-admin.crt",
    file: "client-admin.crt",
    service: "admin",
    subject: "system:admin",
    organizations: ["system:masters"],
    usages: ["client"],
    notBefore: "2026-05-15T20:50:00Z",
    notAfter: "2027-05-15T21:50:00Z",
    daysRemaining: 364,
    status: "OK",
  });
  assert.equal(parsed.unreadable[0].file, "bad.crt");
});

Deno.test("report: residual time in words", () => {
  const cases: [number, string][] = [
    [days(365), "1 year"],
    [days(364.9), "1 year"],
    [days(3650), "10 years"],
    [days(3649), "10 years"],
    [days(300), "10 months"],
    [days(59), "8 weeks"],
    [days(14), "2 weeks"],
    [days(13.5), "13 days"],
    [days(1), "1 day"],
    [days(0.5), "12 hours"],
    [90_000, "1 minute"],
    [1_500, "1 second"],
    [400, "now"],
    [-days(3), "3 days ago"],
  ];
  for (const [ms, text] of cases) assert.equal(formatResidualTime(ms), text, `${ms} ms`);
});

Deno.test("report: dates and usages", () => {
  assert.equal(formatExpiryDate(new Date("2026-01-02T03:04:59Z")), "Jan 02, 2026 03:04 UTC");
  assert.equal(rfc3339(new Date("2026-01-02T03:04:05.678Z")), "2026-01-02T03:04:05Z");
  assert.equal(usageNames(["CA"]), "CertSign");
  assert.equal(usageNames(["server", "client"]), "ServerAuth,ClientAuth");
  assert.equal(usageNames([]), "Any");
});
