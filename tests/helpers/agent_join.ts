/**
 * Joining a k3ts server the way an agent does, with fetch: `/cacerts` fetched without
 * verification and checked against the token's K10 hash, then kubelet serving and client
 * certificates for CSRs over the pinned CA, proving the node password.
 *
 * @module
 */
import https from "node:https";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { createCsr, parseJoinToken } from "../../server/tls/mod.ts";

/** GET without certificate verification: the agent does not know the CA yet. */
export function fetchUnverified(url: string): Promise<{ status: number; body: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { rejectUnauthorized: false }, (response) => {
      const chunks: Uint8Array[] = [];
      response.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      response.on(
        "end",
        () =>
          resolve({
            status: response.statusCode ?? 0,
            body: new Uint8Array(Buffer.concat(chunks)),
          }),
      );
      response.on("error", reject);
    });
    request.on("error", reject);
  });
}

/** What an agent ends up with after joining. */
export interface JoinedAgent {
  caPem: string;
  servingCertPem: string;
  servingKeyPem: string;
  clientCertPem: string;
  clientKeyPem: string;
}

/** Joins like an agent; throws with the server's answer when a step is refused. */
export async function joinAsAgent(
  serverUrl: string,
  token: string,
  node: { name: string; password: string; ips: string[] },
): Promise<JoinedAgent> {
  const parsed = parseJoinToken(token);
  const cacerts = await fetchUnverified(`${serverUrl}/cacerts`);
  if (cacerts.status !== 200) throw new Error(`/cacerts answered ${cacerts.status}`);
  const hash = createHash("sha256").update(cacerts.body).digest("hex");
  if (parsed.caHash !== undefined && hash !== parsed.caHash) {
    throw new Error(`token CA hash does not match the server's /cacerts (${hash})`);
  }
  const caPem = new TextDecoder().decode(cacerts.body);
  const client = Deno.createHttpClient({ caCerts: [caPem] });
  try {
    const certificate = async (path: string) => {
      const csr = await createCsr({ commonName: node.name });
      const response = await fetch(`${serverUrl}/v1-k3s/${path}`, {
        method: "POST",
        client,
        headers: {
          authorization: basicAuth(parsed.username, parsed.password),
          "K3s-Node-Name": node.name,
          "K3s-Node-Password": node.password,
          "K3s-Node-IP": node.ips.join(","),
        },
        body: csr.csrPem,
      });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${body}`);
      return { certPem: body, keyPem: csr.keyPem };
    };
    const serving = await certificate("serving-kubelet.crt");
    const kubelet = await certificate("client-kubelet.crt");
    return {
      caPem,
      servingCertPem: serving.certPem,
      servingKeyPem: serving.keyPem,
      clientCertPem: kubelet.certPem,
      clientKeyPem: kubelet.keyPem,
    };
  } finally {
    client.close();
  }
}

/** An HTTP basic `Authorization` header value. */
export function basicAuth(username: string, password: string): string {
  return `Basic ${new TextEncoder().encode(`${username}:${password}`).toBase64()}`;
}
