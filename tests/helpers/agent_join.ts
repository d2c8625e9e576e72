/**
 * Joining a k3ts server the way an agent does: `/cacerts` pinned by the token's K10 hash (the
 * simulator's join code), then kubelet serving and client certificates for CSRs over the pinned
 * CA, proving the node password.
 *
 * @module
 */
import { basicAuth, fetchPinnedCa } from "../../server/simulate/join.ts";
import { createCsr, parseJoinToken } from "../../server/tls/mod.ts";

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
  const caPem = await fetchPinnedCa(serverUrl, parsed);
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

export { basicAuth };
