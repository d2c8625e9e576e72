import { createPublicKey, X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { assert, assertEquals, assertStringIncludes } from "../../tests/helpers/assert.ts";
import { caHashOf, createCsr, parseJoinToken, verifyClientCertificate } from "../tls/mod.ts";
import { decodePem } from "../tls/pem.ts";
import { Oid } from "../tls/der.ts";
import {
  basicAuth,
  CHEAP_HASH,
  pemBlocks,
  startSupervisorFixture,
  subjectOf,
  summarize,
  type SupervisorFixture,
  supervisorRequest,
} from "./_test_helpers.ts";
import { agentConfigFor } from "./agent_config.ts";
import { NODE_PASSWORD_NAMESPACE, NODE_PASSWORD_REJECTED } from "./node_password.ts";
import { createSupervisorHandler, type SupervisorDeps, type SupervisorHandler } from "./routes.ts";

function handlerFor(
  fixture: SupervisorFixture,
  overrides: Partial<SupervisorDeps> = {},
): SupervisorHandler {
  return createSupervisorHandler({
    stores: fixture.cluster.server.stores,
    tls: fixture.tls,
    joinSecrets: fixture.secrets,
    agentConfig: agentConfigFor(
      {
        clusterCidr: "10.42.0.0/16",
        serviceCidr: "10.43.0.0/16",
        clusterDomain: "cluster.local",
        nodeName: "server-1",
      },
      "127.0.0.1",
      fixture.cluster.server.port,
    ),
    isReady: () => true,
    nodePassword: { hash: CHEAP_HASH },
    ...overrides,
  });
}

/** Calls the handler and insists it answered (the path is a supervisor path). */
async function call(
  handler: SupervisorHandler,
  request: Request,
  user?: { name: string; groups: string[] },
): Promise<Response> {
  const response = await handler(request, user);
  assert(response !== undefined, `${request.url} is a supervisor path`);
  return response;
}

/** The message of a Status body. */
async function statusMessage(response: Response): Promise<string> {
  const status = await response.json();
  assertEquals(status.kind, "Status");
  assertEquals(status.code, response.status);
  return status.message;
}

function nodeHeaders(
  fixture: SupervisorFixture,
  node: string,
  password: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    authorization: basicAuth("node", fixture.secrets.agent),
    "K3s-Node-Name": node,
    "K3s-Node-Password": password,
    ...extra,
  };
}

/** A DER CSR with an empty subject, as K3s agents send (`x509.CertificateRequest{}`). */
async function k3sStyleCsr(): Promise<{ der: Uint8Array<ArrayBuffer>; keys: CryptoKeyPair }> {
  const keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    keys,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
  });
  return { der: new Uint8Array(request.rawData), keys };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

Deno.test("supervisor: /cacerts and /ping are open; other paths are not the supervisor's", async () => {
  await using fixture = await startSupervisorFixture();
  const handler = handlerFor(fixture);
  const cacerts = await call(handler, supervisorRequest("/cacerts"));
  assertEquals(cacerts.status, 200);
  assertStringIncludes(cacerts.headers.get("content-type")!, "text/plain");
  const body = await cacerts.text();
  assertEquals(body, fixture.tls.serverCa.certPem);
  assertEquals(caHashOf(body), parseJoinToken(fixture.token).caHash, "the token pins /cacerts");
  assertEquals(await (await call(handler, supervisorRequest("/ping"))).text(), "pong");
  for (
    const path of ["/api/v1/nodes", "/version", "/v1-k3s", "/v1-k3s/unknown", "/v1-k3sx/config"]
  ) {
    assertEquals(await handler(supervisorRequest(path), undefined), undefined, path);
  }
});

Deno.test("supervisor: agent routes need the join token or a node certificate", async () => {
  await using fixture = await startSupervisorFixture();
  const handler = handlerFor(fixture);
  const missing = await call(handler, supervisorRequest("/v1-k3s/config"));
  assertEquals(missing.status, 401);
  assertStringIncludes(await statusMessage(missing), "join token");
  const wrong = await call(
    handler,
    supervisorRequest("/v1-k3s/config", { headers: { authorization: basicAuth("node", "x") } }),
  );
  assertEquals(wrong.status, 401);
  assertStringIncludes(await statusMessage(wrong), "invalid token");
  const admin = await call(handler, supervisorRequest("/v1-k3s/config"), {
    name: "system:admin",
    groups: ["system:masters", "system:authenticated"],
  });
  assertEquals(admin.status, 403);

  for (const username of ["node", "server"]) {
    const ok = await call(
      handler,
      supervisorRequest("/v1-k3s/config", {
        headers: { authorization: basicAuth(username, fixture.secrets.server) },
      }),
    );
    assertEquals(ok.status, 200, username);
    const config = await ok.json();
    assertEquals(config.ClusterDNS, "10.43.0.10");
    assertEquals(config.ClusterIPRange, "10.42.0.0/16");
    assertEquals(config.FlannelBackend, "vxlan");
  }
  const kubelet = { name: "system:node:n1", groups: ["system:nodes", "system:authenticated"] };
  for (
    const [path, ca] of [
      ["/v1-k3s/client-ca.crt", fixture.tls.clientCa.certPem],
      ["/v1-k3s/server-ca.crt", fixture.tls.serverCa.certPem],
    ]
  ) {
    const response = await call(handler, supervisorRequest(path), kubelet);
    assertEquals(await response.text(), ca, path);
  }
});

Deno.test("supervisor: serving-kubelet.crt signs the agent's CSR for the node and its IPs", async () => {
  await using fixture = await startSupervisorFixture();
  const handler = handlerFor(fixture);
  const csr = await createCsr({ commonName: "ignored-by-the-server" });
  const response = await call(
    handler,
    supervisorRequest("/v1-k3s/serving-kubelet.crt", {
      headers: nodeHeaders(fixture, "Agent-1", "pw", { "K3s-Node-IP": "192.168.1.10, fd00::5" }),
      body: csr.csrPem,
    }),
  );
  assertEquals(response.status, 200);
  const chain = await response.text();
  const blocks = pemBlocks(chain);
  assertEquals(blocks.length, 2, "certificate followed by the issuing CA");
  assertEquals(blocks[1], fixture.tls.serverCa.certPem);
  const cert = summarize(blocks[0]);
  assertEquals(cert.commonName, "agent-1");
  assertEquals(cert.dns, ["agent-1", "localhost"]);
  assertEquals(cert.ips, ["127.0.0.1", "192.168.1.10", "fd00::5"]);
  assertEquals(cert.usages, [Oid.serverAuth]);
  assert(sameBytes(cert.issuerDer, subjectOf(fixture.tls.serverCa.certPem)));
  // The certificate carries the agent's own public key: the private key never left it.
  const certKey = new X509Certificate(decodePem(blocks[0], "CERTIFICATE")).publicKey;
  const agentKey = createPublicKey(csr.keyPem);
  assert(certKey.equals(agentKey));
  // The first request claimed the node name.
  const secret = await fixture.cluster.server.stores.forKind("", "Secret").find(
    NODE_PASSWORD_NAMESPACE,
    "agent-1.node-password.k3s",
  );
  assert(secret !== undefined);
});

Deno.test("supervisor: client-kubelet.crt from a K3s-style DER CSR is a node identity", async () => {
  await using fixture = await startSupervisorFixture();
  const handler = handlerFor(fixture);
  const csr = await k3sStyleCsr();
  const response = await call(
    handler,
    supervisorRequest("/v1-k3s/client-kubelet.crt", {
      headers: nodeHeaders(fixture, "agent-2", "pw"),
      body: csr.der,
    }),
  );
  assertEquals(response.status, 200);
  const [leaf, ca] = pemBlocks(await response.text());
  assertEquals(ca, fixture.tls.clientCa.certPem);
  const cert = summarize(leaf);
  assertEquals(cert.commonName, "system:node:agent-2");
  assertEquals(cert.organizations, ["system:nodes"]);
  assertEquals(cert.usages, [Oid.clientAuth]);
  assertEquals(cert.dns, []);
  // The API server's own client-certificate check accepts it as the node.
  assertEquals(
    verifyClientCertificate(decodePem(leaf, "CERTIFICATE"), fixture.tls.clientCa.certPem),
    { user: "system:node:agent-2", groups: ["system:nodes"] },
  );
});

Deno.test("supervisor: client-kube-proxy.crt needs the token but no node password", async () => {
  await using fixture = await startSupervisorFixture();
  const handler = handlerFor(fixture);
  const csr = await createCsr({ commonName: "kube-proxy" });
  const response = await call(
    handler,
    supervisorRequest("/v1-k3s/client-kube-proxy.crt", {
      headers: { authorization: basicAuth("node", fixture.secrets.agent) },
      body: csr.csrPem,
    }),
  );
  assertEquals(response.status, 200);
  const cert = summarize(pemBlocks(await response.text())[0]);
  assertEquals(cert.commonName, "system:kube-proxy");
  assertEquals(cert.organizations, []);
  assertEquals(cert.usages, [Oid.clientAuth]);
});

Deno.test("supervisor: bad certificate requests get 400/403/405/503 and write nothing", async () => {
  await using fixture = await startSupervisorFixture();
  const stores = fixture.cluster.server.stores;
  const handler = handlerFor(fixture);
  const csr = await createCsr({ commonName: "x" });
  const post = (path: string, headers: Record<string, string>, body: BodyInit = csr.csrPem) =>
    call(handler, supervisorRequest(`/v1-k3s/${path}`, { headers, body }));
  const token = { authorization: basicAuth("node", fixture.secrets.agent) };

  const noName = await post("client-kubelet.crt", { ...token, "K3s-Node-Password": "pw" });
  assertEquals(noName.status, 400);
  assertStringIncludes(await statusMessage(noName), "node name not set");
  const noPassword = await post("serving-kubelet.crt", { ...token, "K3s-Node-Name": "a" });
  assertEquals(noPassword.status, 400);
  assertStringIncludes(await statusMessage(noPassword), "node password not set");
  const badIp = await post(
    "serving-kubelet.crt",
    nodeHeaders(fixture, "a", "pw", { "K3s-Node-IP": "10.0.0.300" }),
  );
  assertEquals(badIp.status, 400);
  assertStringIncludes(await statusMessage(badIp), "10.0.0.300");
  const get = await call(
    handler,
    supervisorRequest("/v1-k3s/client-kubelet.crt", { headers: nodeHeaders(fixture, "a", "pw") }),
  );
  assertEquals(get.status, 405);
  assertEquals((await stores.forKind("", "Secret").list(NODE_PASSWORD_NAMESPACE)).items, []);

  const empty = await post("client-kubelet.crt", nodeHeaders(fixture, "a", "pw"), "");
  assertEquals(empty.status, 400);
  assertStringIncludes(await statusMessage(empty), "certificate signing request");
  const notCsr = await post("client-kubelet.crt", nodeHeaders(fixture, "a", "pw"), csr.keyPem);
  assertEquals(notCsr.status, 400);
  assertStringIncludes(await statusMessage(notCsr), '"PRIVATE KEY"');
  const tampered = csr.csrPem.replace(
    /[A-Za-z](?=[A-Za-z0-9+/=]*\n-----END)/,
    (c) => c === "A" ? "B" : "A",
  );
  const badSignature = await post("client-kubelet.crt", nodeHeaders(fixture, "a", "pw"), tampered);
  assertEquals(badSignature.status, 400);

  // The name belongs to a Node whose agent used another password.
  await stores.forKind("", "Node").create(undefined, { metadata: { name: "a" } });
  const duplicate = await post("client-kubelet.crt", nodeHeaders(fixture, "a", "other"));
  assertEquals(duplicate.status, 403);
  assertEquals(await statusMessage(duplicate), NODE_PASSWORD_REJECTED);

  let ready = false;
  const starting = handlerFor(fixture, { isReady: () => ready });
  const early = await call(
    starting,
    supervisorRequest("/v1-k3s/client-kubelet.crt", {
      headers: nodeHeaders(fixture, "b", "pw"),
      body: csr.csrPem,
    }),
  );
  assertEquals(early.status, 503);
  const readyz = () => call(starting, supervisorRequest("/v1-k3s/readyz", { headers: token }));
  assertEquals((await readyz()).status, 503);
  ready = true;
  const up = await readyz();
  assertEquals([up.status, await up.text()], [200, "ok"]);
});

Deno.test("supervisor: a node certificate may renew only its own, existing node", async () => {
  await using fixture = await startSupervisorFixture();
  const stores = fixture.cluster.server.stores;
  const handler = handlerFor(fixture);
  const csr = await createCsr({ commonName: "n1" });
  const n1 = { name: "system:node:n1", groups: ["system:nodes", "system:authenticated"] };
  const renew = (name: string) =>
    call(
      handler,
      supervisorRequest("/v1-k3s/serving-kubelet.crt", {
        headers: { "K3s-Node-Name": name, "K3s-Node-Password": "pw" },
        body: csr.csrPem,
      }),
      n1,
    );
  const other = await renew("n2");
  assertEquals(other.status, 400);
  assertStringIncludes(await statusMessage(other), "does not match");
  const deleted = await renew("n1");
  assertEquals(deleted.status, 401, "the Node is gone: its certificate mints nothing");
  await stores.forKind("", "Node").create(undefined, { metadata: { name: "n1" } });
  const renewed = await renew("n1");
  assertEquals(renewed.status, 200);
  assertEquals(summarize(await renewed.text()).commonName, "n1");
});

Deno.test("supervisor: /v1-k3s/connect is for node identities only (501 for now)", async () => {
  await using fixture = await startSupervisorFixture();
  const handler = handlerFor(fixture);
  const connect = (headers: Record<string, string>, user?: { name: string; groups: string[] }) =>
    call(handler, supervisorRequest("/v1-k3s/connect", { headers }), user);
  assertEquals((await connect({})).status, 401);
  assertEquals(
    (await connect({ authorization: basicAuth("node", fixture.secrets.agent) })).status,
    403,
  );
  const node = await connect({}, { name: "system:node:n1", groups: ["system:nodes"] });
  assertEquals(node.status, 501);
  assertStringIncludes(await statusMessage(node), "not implemented");
});

Deno.test("supervisor: /v1-k3s/apiservers lists the kubernetes Endpoints", async () => {
  await using fixture = await startSupervisorFixture();
  const token = { authorization: basicAuth("node", fixture.secrets.agent) };
  const endpoints = await fixture.cluster.server.stores.forKind("", "Endpoints").get(
    "default",
    "kubernetes",
  );
  const expected = endpoints.subsets.flatMap((s: { addresses: { ip: string }[] }) =>
    s.addresses.map((a) => `${a.ip}:${fixture.cluster.server.port}`)
  );
  const response = await call(
    handlerFor(fixture),
    supervisorRequest("/v1-k3s/apiservers", { headers: token }),
  );
  assertEquals(response.headers.get("content-type"), "application/json");
  assertEquals(await response.json(), expected);
  const custom = handlerFor(fixture, {
    apiServerAddresses: () => Promise.resolve(["[fd00::1]:6443"]),
  });
  const listed = await call(custom, supervisorRequest("/v1-k3s/apiservers", { headers: token }));
  assertEquals(await listed.json(), ["[fd00::1]:6443"]);
});

Deno.test("supervisor: over the limit, agent requests get 429 with Retry-After", async () => {
  await using fixture = await startSupervisorFixture();
  const token = { authorization: basicAuth("node", fixture.secrets.agent) };
  let releaseRead!: () => void;
  const readHeld = new Promise<void>((resolve) => releaseRead = resolve);
  const handler = handlerFor(fixture, {
    limits: { read: 1, mutating: 1 },
    apiServerAddresses: async () => {
      await readHeld;
      return ["10.0.0.1:6443"];
    },
  });
  // A read held in flight (its address lookup waits) and a write held (its body is open).
  const heldRead = handler(supervisorRequest("/v1-k3s/apiservers", { headers: token }), undefined);
  let writeBody!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => writeBody = c });
  const heldWrite = handler(
    supervisorRequest("/v1-k3s/client-kube-proxy.crt", { headers: token, body }),
    undefined,
  );

  const secondRead = await call(handler, supervisorRequest("/v1-k3s/config", { headers: token }));
  assertEquals(secondRead.status, 429);
  assertEquals(secondRead.headers.get("retry-after"), "1");
  const csr = await createCsr({ commonName: "p" });
  const secondWrite = await call(
    handler,
    supervisorRequest("/v1-k3s/client-kube-proxy.crt", { headers: token, body: csr.csrPem }),
  );
  assertEquals(secondWrite.status, 429);
  // Unauthenticated requests are refused before they count (K3s authenticates first).
  assertEquals((await call(handler, supervisorRequest("/v1-k3s/config"))).status, 401);

  releaseRead();
  writeBody.enqueue(new TextEncoder().encode(csr.csrPem));
  writeBody.close();
  assertEquals((await heldRead)?.status, 200);
  assertEquals((await heldWrite)?.status, 200);
  const after = await call(handler, supervisorRequest("/v1-k3s/config", { headers: token }));
  assertEquals(after.status, 200, "slots are released when responses are ready");
});
