/**
 * Regenerates the fixtures in this folder from the real kubectl.
 *
 * For every case it runs kubectl twice against a throwaway HTTPS server on 127.0.0.1:
 * once for real, recording the protobuf body kubectl POSTs (`<case>.pb`), and once to get the JSON
 * the same object has on the wire (`<case>.json`): `--dry-run=client -o json` where the command
 * supports it, otherwise the JSON body that kubectl 1.31 (which never sends protobuf) POSTs for the
 * same command. The dispatcher at /usr/bin/kubectl picks its build from `/version`'s `minor`, so
 * the server answers "32" or "31" depending on which body it wants.
 *
 * Run: `scripts/deno run --allow-all kube/protobuf/testdata/capture.ts [case...]`
 *
 * @module
 */
import * as https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import * as x509 from "@peculiar/x509";
import { type CaptureCase, CASES } from "./cases.ts";
import { discoveryResponse, findResource } from "./discovery.ts";

const KUBECTL = Deno.env.get("KUBECTL") ?? "/usr/bin/kubectl";
const OUT_DIR = new URL(".", import.meta.url).pathname;

interface Recorded {
  method: string;
  path: string;
  contentType: string;
  body: Uint8Array;
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = btoa(String.fromCharCode(...new Uint8Array(der)));
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join("\n")}\n-----END ${label}-----\n`;
}

async function selfSignedCert(): Promise<{ cert: string; key: string }> {
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = await crypto.subtle.generateKey(alg, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=capture",
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 86400_000),
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: "ip", value: "127.0.0.1" }])],
  });
  const key = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { cert: cert.toString("pem"), key: pem("PRIVATE KEY", key) };
}

/** The cronjob `create job --from=cronjob/rich` copies: it carries a wide PodSpec on purpose. */
async function richCronJob(): Promise<unknown> {
  return JSON.parse(await Deno.readTextFile(`${OUT_DIR}rich-cronjob.json`));
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

/** A plausible reply to a POST so kubectl prints its success line and exits 0. */
function createdReply(path: string, minor: string): unknown {
  const resource = findResource(path);
  const reply: Record<string, unknown> = {
    apiVersion: resource?.groupVersion ?? "v1",
    kind: resource?.kind ?? "Status",
    metadata: { name: "captured", namespace: "default" },
  };
  if (resource?.kind === "TokenRequest") {
    reply.apiVersion = "authentication.k8s.io/v1";
    reply.status = { token: "captured-token" };
  }
  if (resource?.kind === "SelfSubjectAccessReview") reply.status = { allowed: true };
  if (resource?.kind === "SelfSubjectReview") {
    reply.status = { userInfo: { username: `captured-${minor}` } };
  }
  return reply;
}

async function startServer(minor: string, records: Recorded[]) {
  const { cert, key } = await selfSignedCert();
  const cronJob = await richCronJob();
  const server = https.createServer({ cert, key }, (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Uint8Array[] = [];
    req.on("data", (c: Uint8Array) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "https://x");
      const path = url.pathname;
      if (path === "/version") {
        return sendJson(res, 200, {
          major: "1",
          minor,
          gitVersion: `v1.${minor}.4`,
          gitCommit: "0000000000000000000000000000000000000000",
          gitTreeState: "clean",
          buildDate: "2025-01-01T00:00:00Z",
          goVersion: "go1.23.0",
          compiler: "gc",
          platform: "linux/amd64",
        });
      }
      const discovery = discoveryResponse(path);
      if (discovery) return sendJson(res, 200, discovery);
      if (req.method === "GET" && path.endsWith("/cronjobs/rich")) {
        return sendJson(res, 200, cronJob);
      }
      if (req.method === "POST") {
        const body = new Uint8Array(Buffer.concat(chunks));
        records.push({
          method: req.method,
          path: req.url ?? "",
          contentType: String(req.headers["content-type"] ?? ""),
          body,
        });
        return sendJson(res, 201, createdReply(path, minor));
      }
      sendJson(res, 404, {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        reason: "NotFound",
        code: 404,
        message: `not found: ${path}`,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function writeKubeconfig(dir: string, port: number): Promise<string> {
  const path = `${dir}/kubeconfig`;
  await Deno.writeTextFile(
    path,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: c",
      "  cluster:",
      `    server: https://127.0.0.1:${port}`,
      "    insecure-skip-tls-verify: true",
      "users:",
      "- name: u",
      "  user:",
      "    token: capture-token",
      "contexts:",
      "- name: c",
      "  context: {cluster: c, user: u, namespace: default}",
      "current-context: c",
      "",
    ].join("\n"),
  );
  return path;
}

async function runKubectl(env: { home: string; kubeconfig: string }, args: string[]) {
  const cacheDir = await Deno.makeTempDir({ dir: env.home });
  const out = await new Deno.Command(KUBECTL, {
    // Global flags go first: anything after `--` would become a container command.
    args: ["--cache-dir", cacheDir, ...args],
    env: { HOME: env.home, KUBECONFIG: env.kubeconfig },
    cwd: env.home,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  if (!out.success) {
    throw new Error(`kubectl ${args.join(" ")} failed:\n${text(out.stderr)}${text(out.stdout)}`);
  }
  return text(out.stdout);
}

/** Starts a server that claims version 1.<minor> and gives back a kubectl runner bound to it. */
async function session(minor: string, workDir: string) {
  const records: Recorded[] = [];
  const server = await startServer(minor, records);
  const home = await Deno.makeTempDir({ dir: workDir, prefix: `home-${minor}-` });
  const kubeconfig = await writeKubeconfig(home, server.port);
  return {
    records,
    close: server.close,
    run: (args: string[]) => runKubectl({ home, kubeconfig }, args),
    /** Runs a command and returns the one POST it made. */
    async capture(args: string[]): Promise<Recorded> {
      const before = records.length;
      await runKubectl({ home, kubeconfig }, args);
      const posts = records.slice(before);
      if (posts.length !== 1) throw new Error(`expected 1 POST from ${args}, got ${posts.length}`);
      return posts[0];
    },
  };
}

async function captureCase(
  c: CaptureCase,
  s32: Awaited<ReturnType<typeof session>>,
  s31: Awaited<ReturnType<typeof session>>,
  workDir: string,
) {
  const args = c.args.map((a) => a.replaceAll("$WORK", workDir));
  const post = await s32.capture(args);
  if (!post.contentType.startsWith("application/vnd.kubernetes.protobuf")) {
    throw new Error(`${c.name}: kubectl 1.32 sent ${post.contentType}, not protobuf`);
  }
  await Deno.writeFile(`${OUT_DIR}${c.name}.pb`, post.body);
  let expected: string;
  if (c.expected === "dry-run") {
    // Flags after `--` would become the container's command.
    const end = args.includes("--") ? args.indexOf("--") : args.length;
    const dryRun = [...args.slice(0, end), "--dry-run=client", "-o", "json", ...args.slice(end)];
    expected = await s32.run(dryRun);
  } else {
    const legacy = await s31.capture(args);
    if (!legacy.contentType.startsWith("application/json")) {
      throw new Error(`${c.name}: kubectl 1.31 sent ${legacy.contentType}`);
    }
    expected = new TextDecoder().decode(legacy.body);
  }
  const pretty = JSON.stringify(JSON.parse(expected), null, 2) + "\n";
  await Deno.writeTextFile(`${OUT_DIR}${c.name}.json`, pretty);
  return `${c.name}: ${post.body.length} bytes → ${post.path}`;
}

async function main() {
  const only = new Set(Deno.args);
  const workDir = await Deno.makeTempDir({ prefix: "kube-protobuf-capture-" });
  await prepareInputs(workDir);
  const s32 = await session("32", workDir);
  const s31 = await session("31", workDir);
  try {
    for (const c of CASES) {
      if (only.size > 0 && !only.has(c.name)) continue;
      const line = await captureCase(c, s32, s31, workDir);
      await Deno.stdout.write(new TextEncoder().encode(line + "\n"));
    }
    // Keep the JSON fixtures in the repository's format so `deno fmt --check` stays clean.
    await new Deno.Command(Deno.execPath(), { args: ["fmt", OUT_DIR], stderr: "null" }).output();
  } finally {
    await s32.close();
    await s31.close();
    await Deno.remove(workDir, { recursive: true });
  }
}

/** Files some commands read: a TLS pair for `create secret tls`, a binary file for binaryData. */
async function prepareInputs(workDir: string) {
  const { cert, key } = await selfSignedCert();
  await Deno.writeTextFile(`${workDir}/tls.crt`, cert);
  await Deno.writeTextFile(`${workDir}/tls.key`, key);
  await Deno.writeFile(`${workDir}/blob.bin`, new Uint8Array([0, 1, 2, 0xff, 0xfe, 0x80]));
  await Deno.writeTextFile(`${workDir}/app.properties`, "color=blue\nsize=3\n");
}

if (import.meta.main) await main();
