/**
 * The server's certificates at start: created on first start, reused afterwards, renewed or
 * re-issued only when needed (K3s behaviour). A restart that changes nothing reads eight files
 * and decodes four certificates; no crypto library is loaded.
 *
 * @module
 */
import { joinPath } from "./_path.ts";
import { decodePem } from "./pem.ts";
import {
  type CertificateFields,
  parseCertificate,
  type SubjectAltNames,
  subjectAltNames,
} from "./der.ts";
import { isIssuedBy } from "./_issuer.ts";
import { createCertificateAuthority } from "./ca.ts";
import { signLeaf, uniqueSans } from "./_sign.ts";
import { exportPrivateKeyPem, generateKeyPair, publicKeyOf } from "./keys.ts";
import { readTextIfExists, writeFileAtomic } from "./files.ts";
import type { CertificateProfile, CertKeyPair } from "./types.ts";

/** Leaf certificates with fewer days left than this are renewed at start (K3s: 120). */
export const RENEW_BEFORE_DAYS = 120;

const DAY_MS = 86_400_000;

/** DNS SANs every serving certificate carries. */
const DEFAULT_DNS_SANS = [
  "kubernetes",
  "kubernetes.default",
  "kubernetes.default.svc",
  "kubernetes.default.svc.cluster.local",
  "localhost",
];
const DEFAULT_IP_SANS = ["127.0.0.1", "::1"];

/** Options for {@link ensureClusterTls}. */
export interface ClusterTlsOptions {
  /** The server data dir; files go to `<dataDir>/server/tls/`. */
  dataDir: string;
  /** Extra serving SANs: node IPs, `--tls-san` values, the `kubernetes` service IP. */
  sans: { dns: string[]; ips: string[] };
  /** The host name added as a SAN; `Deno.hostname()` when omitted. */
  hostname?: string;
  /** The current time (tests pass one to exercise renewal). */
  now?: Date;
}

/** Where {@link ensureClusterTls} keeps each file. */
export interface ClusterTlsPaths {
  /** `<dataDir>/server/tls`. */
  dir: string;
  /** `server-ca.crt`. */
  serverCaCert: string;
  /** `server-ca.key`. */
  serverCaKey: string;
  /** `client-ca.crt`. */
  clientCaCert: string;
  /** `client-ca.key`. */
  clientCaKey: string;
  /** `serving-kube-apiserver.crt`. */
  servingCert: string;
  /** `serving-kube-apiserver.key`. */
  servingKey: string;
  /** `client-admin.crt`. */
  adminCert: string;
  /** `client-admin.key`. */
  adminKey: string;
}

/** Why a certificate was (re)written at this start. */
export type CertificateChangeReason =
  | "created"
  | "expiring"
  | "missing-sans"
  | "wrong-issuer"
  | "unreadable";

/** One certificate written at this start, for the caller's log. */
export interface CertificateChange {
  /** File name without extension, e.g. `serving-kube-apiserver`. */
  name: string;
  /** Why it was written. */
  reason: CertificateChangeReason;
}

/** The server's TLS material. */
export interface ClusterTls {
  /** Signs serving certificates; its PEM is what `/cacerts` returns. */
  serverCa: CertKeyPair;
  /** Signs client certificates; the API server trusts it for client auth. */
  clientCa: CertKeyPair;
  /** The API server's serving certificate. */
  serving: CertKeyPair;
  /** `system:admin` in `system:masters`, for the admin kubeconfig. */
  admin: CertKeyPair;
  /** File locations. */
  paths: ClusterTlsPaths;
  /** SANs of the serving certificate in use (IPs canonical). */
  servingSans: SubjectAltNames;
  /** Certificates written at this start; empty on a restart that reused everything. */
  changes: CertificateChange[];
}

/** The paths {@link ensureClusterTls} uses under `dataDir`. */
export function clusterTlsPaths(dataDir: string): ClusterTlsPaths {
  const dir = joinPath(dataDir, "server", "tls");
  const file = (name: string) => joinPath(dir, name);
  return {
    dir,
    serverCaCert: file("server-ca.crt"),
    serverCaKey: file("server-ca.key"),
    clientCaCert: file("client-ca.crt"),
    clientCaKey: file("client-ca.key"),
    servingCert: file("serving-kube-apiserver.crt"),
    servingKey: file("serving-kube-apiserver.key"),
    adminCert: file("client-admin.crt"),
    adminKey: file("client-admin.key"),
  };
}

const CERT_MODE = 0o644;
const KEY_MODE = 0o600;

interface StoredPair {
  cert?: string;
  key?: string;
}

async function loadOrCreateCa(
  name: string,
  stored: StoredPair,
  files: { cert: string; key: string },
  now: Date,
  changes: CertificateChange[],
): Promise<{ pair: CertKeyPair; fields: CertificateFields }> {
  if (stored.cert !== undefined && stored.key !== undefined) {
    try {
      const fields = parseCertificate(decodePem(stored.cert, "CERTIFICATE"));
      return { pair: { certPem: stored.cert, keyPem: stored.key }, fields };
    } catch (cause) {
      // Replacing a CA silently would break every agent that pinned it: stop instead.
      throw new Error(`${files.cert} is not a readable certificate; fix or remove it`, { cause });
    }
  }
  if (stored.cert !== undefined || stored.key !== undefined) {
    const missing = stored.cert === undefined ? files.cert : files.key;
    throw new Error(`${missing} is missing while its pair exists; restore it or remove both`);
  }
  const pair = await createCertificateAuthority({
    commonName: `${name}@${Math.floor(now.getTime() / 1000)}`,
    now,
  });
  await writeFileAtomic(files.key, pair.keyPem, { mode: KEY_MODE });
  await writeFileAtomic(files.cert, pair.certPem, { mode: CERT_MODE });
  changes.push({ name: name.replace(/^k3ts-/, ""), reason: "created" });
  return { pair, fields: parseCertificate(decodePem(pair.certPem, "CERTIFICATE")) };
}

interface LeafSpec {
  name: string;
  files: { cert: string; key: string };
  ca: { pair: CertKeyPair; fields: CertificateFields };
  profile: CertificateProfile;
  /** SANs the certificate must carry; existing extra SANs are kept (K3s only adds). */
  requiredSans?: SubjectAltNames;
}

/** Decides whether a stored leaf can be kept, and why not. */
function leafProblem(
  stored: StoredPair,
  spec: LeafSpec,
  now: Date,
): { reason?: CertificateChangeReason; sans?: SubjectAltNames } {
  if (stored.cert === undefined || stored.key === undefined) return { reason: "created" };
  let fields: CertificateFields;
  try {
    fields = parseCertificate(decodePem(stored.cert, "CERTIFICATE"));
  } catch {
    return { reason: "unreadable" };
  }
  const sans = subjectAltNames(fields);
  if (!isIssuedBy(fields, spec.ca.fields)) return { reason: "wrong-issuer", sans };
  if (fields.notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) {
    return { reason: "expiring", sans };
  }
  const required = spec.requiredSans;
  if (
    required &&
    (required.dns.some((name) => !sans.dns.includes(name)) ||
      required.ips.some((ip) => !sans.ips.includes(ip)))
  ) {
    return { reason: "missing-sans", sans };
  }
  return { sans };
}

async function ensureLeaf(
  spec: LeafSpec,
  stored: StoredPair,
  now: Date,
  changes: CertificateChange[],
): Promise<{ pair: CertKeyPair; sans: SubjectAltNames }> {
  const { reason, sans: existing } = leafProblem(stored, spec, now);
  if (!reason) {
    return {
      pair: { certPem: stored.cert!, keyPem: stored.key! },
      sans: existing ?? { dns: [], ips: [] },
    };
  }
  // Keep the SANs clients already rely on; add the required ones.
  const sans = spec.requiredSans
    ? uniqueSans(
      [...(existing?.dns ?? []), ...spec.requiredSans.dns],
      [...(existing?.ips ?? []), ...spec.requiredSans.ips],
    )
    : { dns: [], ips: [] };
  // Renewal keeps a readable existing key, like K3s; a new key is made otherwise.
  let keyPem = stored.key;
  let publicKey: CryptoKey | undefined;
  if (keyPem !== undefined) publicKey = await publicKeyOf(keyPem).catch(() => undefined);
  if (!publicKey || keyPem === undefined) {
    const keys = await generateKeyPair();
    publicKey = keys.publicKey;
    keyPem = await exportPrivateKeyPem(keys.privateKey);
    await writeFileAtomic(spec.files.key, keyPem, { mode: KEY_MODE });
  }
  const certPem = await signLeaf(spec.ca.pair, {
    ...spec.profile,
    dnsNames: sans.dns,
    ips: sans.ips,
    now,
  }, publicKey);
  await writeFileAtomic(spec.files.cert, certPem, { mode: CERT_MODE });
  changes.push({ name: spec.name, reason });
  return { pair: { certPem, keyPem }, sans };
}

/**
 * Ensures the server's CAs, serving certificate and admin client certificate exist and are
 * usable, under `<dataDir>/server/tls/`.
 *
 * First start: creates the server and client CAs (ECDSA P-256, 10 years), the serving
 * certificate (365 days; default Kubernetes names, localhost, the host name, 127.0.0.1, ::1 and
 * `sans`) and the `system:admin` client certificate. Later starts reuse the files; a leaf with
 * fewer than {@link RENEW_BEFORE_DAYS} days left, signed by another CA, or (serving) missing a
 * requested SAN is re-issued, keeping its key and existing SANs. Keys are mode 0600, certificates
 * 0644.
 *
 * @param options Data dir, extra SANs, host name and clock.
 * @returns PEMs, paths, and what was written.
 * @throws {Error} When a CA file is unreadable or half of a CA pair is missing: replacing a CA
 * would orphan every joined agent, so an operator must decide.
 */
export async function ensureClusterTls(options: ClusterTlsOptions): Promise<ClusterTls> {
  const now = options.now ?? new Date();
  const paths = clusterTlsPaths(options.dataDir);
  const read = (path: string) => readTextIfExists(path);
  const [
    serverCaCert,
    serverCaKey,
    clientCaCert,
    clientCaKey,
    servingCert,
    servingKey,
    adminCert,
    adminKey,
  ] = await Promise.all([
    read(paths.serverCaCert),
    read(paths.serverCaKey),
    read(paths.clientCaCert),
    read(paths.clientCaKey),
    read(paths.servingCert),
    read(paths.servingKey),
    read(paths.adminCert),
    read(paths.adminKey),
  ]);
  const changes: CertificateChange[] = [];
  const [serverCa, clientCa] = await Promise.all([
    loadOrCreateCa(
      "k3ts-server-ca",
      { cert: serverCaCert, key: serverCaKey },
      {
        cert: paths.serverCaCert,
        key: paths.serverCaKey,
      },
      now,
      changes,
    ),
    loadOrCreateCa(
      "k3ts-client-ca",
      { cert: clientCaCert, key: clientCaKey },
      {
        cert: paths.clientCaCert,
        key: paths.clientCaKey,
      },
      now,
      changes,
    ),
  ]);
  const hostname = (options.hostname ?? Deno.hostname()).trim().toLowerCase();
  const requiredSans = uniqueSans(
    [...DEFAULT_DNS_SANS, ...(hostname ? [hostname] : []), ...options.sans.dns],
    [...DEFAULT_IP_SANS, ...options.sans.ips],
  );
  const [serving, admin] = await Promise.all([
    ensureLeaf(
      {
        name: "serving-kube-apiserver",
        files: { cert: paths.servingCert, key: paths.servingKey },
        ca: serverCa,
        profile: { commonName: "kube-apiserver", usage: "server" },
        requiredSans,
      },
      { cert: servingCert, key: servingKey },
      now,
      changes,
    ),
    ensureLeaf(
      {
        name: "client-admin",
        files: { cert: paths.adminCert, key: paths.adminKey },
        ca: clientCa,
        profile: { commonName: "system:admin", organizations: ["system:masters"], usage: "client" },
      },
      { cert: adminCert, key: adminKey },
      now,
      changes,
    ),
  ]);
  return {
    serverCa: serverCa.pair,
    clientCa: clientCa.pair,
    serving: serving.pair,
    admin: admin.pair,
    paths,
    servingSans: serving.sans,
    changes,
  };
}
