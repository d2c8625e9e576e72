/**
 * Helpers shared by this directory's tests: a real server's stores and CAs, request builders,
 * and certificate readers.
 *
 * @module
 */
import { startTestCluster, type TestCluster } from "../../tests/helpers/cluster.ts";
import { clusterTlsPaths, parseJoinToken } from "../tls/mod.ts";
import type { CertKeyPair } from "../tls/mod.ts";
import { extendedKeyUsages, Oid, parseCertificate, subjectAltNames } from "../tls/der.ts";
import { decodePem } from "../tls/pem.ts";
import type { JoinSecrets } from "./join_auth.ts";

/** Cheap scrypt parameters: tests check the rule, not the cost. */
export const CHEAP_HASH = { log2N: 4, r: 1, p: 1 } as const;

/** A running server and what the supervisor needs from it. */
export interface SupervisorFixture {
  cluster: TestCluster;
  tls: { serverCa: CertKeyPair; clientCa: CertKeyPair };
  /** The join token secret (server and agent). */
  secrets: JoinSecrets;
  /** The full join token. */
  token: string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts a real server and reads its CAs and join secret from the data dir. */
export async function startSupervisorFixture(): Promise<SupervisorFixture> {
  const cluster = await startTestCluster();
  const paths = clusterTlsPaths(cluster.dataDir);
  const read = (path: string) => Deno.readTextFile(path);
  const [serverCert, serverKey, clientCert, clientKey] = await Promise.all([
    read(paths.serverCaCert),
    read(paths.serverCaKey),
    read(paths.clientCaCert),
    read(paths.clientCaKey),
  ]);
  const secret = parseJoinToken(cluster.server.token).password;
  return {
    cluster,
    tls: {
      serverCa: { certPem: serverCert, keyPem: serverKey },
      clientCa: { certPem: clientCert, keyPem: clientKey },
    },
    secrets: { server: secret, agent: secret },
    token: cluster.server.token,
    [Symbol.asyncDispose]: () => cluster[Symbol.asyncDispose](),
  };
}

/** An `Authorization: Basic` header value. */
export { basicAuth } from "../../tests/helpers/agent_join.ts";

/** A request to the supervisor (the URL's host does not matter to the handler). */
export function supervisorRequest(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: BodyInit } = {},
): Request {
  return new Request(`https://127.0.0.1:6443${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: init.headers,
    body: init.body,
  });
}

/** Every PEM block of a bundle, in order. */
export function pemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----\n?/g) ?? [];
}

/** What the tests check of an issued certificate. */
export interface CertificateSummary {
  commonName: string | undefined;
  organizations: string[];
  dns: string[];
  ips: string[];
  usages: string[] | undefined;
  issuerDer: Uint8Array;
}

/** Reads CN, O, SANs, EKUs and the issuer of the first certificate in a PEM. */
export function summarize(pem: string): CertificateSummary {
  const fields = parseCertificate(decodePem(pem, "CERTIFICATE"));
  const sans = subjectAltNames(fields);
  return {
    commonName: fields.subject.find((a) => a.oid === Oid.commonName)?.value,
    organizations: fields.subject.filter((a) => a.oid === Oid.organization).map((a) => a.value),
    dns: sans.dns,
    ips: sans.ips,
    usages: extendedKeyUsages(fields),
    issuerDer: fields.issuerDer,
  };
}

/** The subject DER of a CA certificate, to compare with a leaf's issuer. */
export function subjectOf(pem: string): Uint8Array {
  return parseCertificate(decodePem(pem, "CERTIFICATE")).subjectDer;
}
