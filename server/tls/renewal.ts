/**
 * Renewing leaf certificates on demand (`k3ts certificate rotate`), outside a server start.
 *
 * Each leaf is re-issued from its own content (subject, SANs, usages) by the CA in the same
 * directory that issued it, for 365 days from now, keeping its key unless a new one is asked
 * for. Agents and kubeconfigs keep trusting the server because the CAs never change here. Every
 * file is checked before anything is written, and the directory is backed up first (as K3s
 * does, to `<dataDir>/server/tls-<unix time>`), so a refusal leaves the data dir untouched.
 *
 * The running server keeps serving the certificates it loaded: a restart picks up the renewed
 * ones and rewrites the admin kubeconfig.
 *
 * @module
 */
import { baseName, joinPath, parentDir } from "./_path.ts";
import { decodePem } from "./pem.ts";
import { type CertificateFields, Oid, parseCertificate, subjectAltNames } from "./der.ts";
import { isIssuedBy } from "./_issuer.ts";
import { signLeaf } from "./_sign.ts";
import { exportPrivateKeyPem, generateKeyPair, importSigningKey, publicKeyOf } from "./keys.ts";
import { readTextIfExists, writeFileAtomic } from "./files.ts";
import { clusterTlsPaths } from "./bootstrap.ts";
import { type CertificateRecord, listClusterCertificates } from "./inventory.ts";
import type { CertificateProfile, CertificateUsage, CertKeyPair } from "./types.ts";

const CERT_MODE = 0o644;
const KEY_MODE = 0o600;

/** A renewal that cannot be done; nothing was written. */
export class CertificateRenewalError extends Error {
  /**
   * @param message What prevents the renewal and what to do about it.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CertificateRenewalError";
  }
}

/** Options for {@link renewLeafCertificates}. */
export interface RenewLeafCertificatesOptions {
  /** The server data dir; certificates are in `<dataDir>/server/tls`. */
  dataDir: string;
  /** File names to renew (e.g. `client-admin.crt`); every leaf certificate when omitted. */
  files?: readonly string[];
  /** Make new private keys instead of keeping the existing ones. */
  newKeys?: boolean;
  /** Copy the directory to `<dataDir>/server/tls-<unix time>` before writing. */
  backup?: boolean;
  /** The issuing time; now when omitted (tests pass one). */
  now?: Date;
}

/** One renewed certificate. */
export interface RenewedCertificate {
  /** The certificate file. */
  path: string;
  /** Its file name. */
  file: string;
  /** Subject CN. */
  subject: string;
  /** End of the new validity. */
  notAfter: Date;
  /**
   * The private key: `kept`, `new` (asked for with `newKeys`), or `replaced` because the old
   * one was missing or unreadable.
   */
  key: "kept" | "new" | "replaced";
}

/** What {@link renewLeafCertificates} did. */
export interface RenewalResult {
  /** The renewed certificates, by file name. */
  renewed: RenewedCertificate[];
  /** Where the previous files were copied, when a backup was asked for. */
  backupDir?: string;
}

interface LoadedCa {
  path: string;
  fields: CertificateFields;
  pair: CertKeyPair;
}

interface LeafPlan {
  path: string;
  file: string;
  keyPath: string;
  profile: CertificateProfile;
  ca: LoadedCa;
  /** The public half of the kept key; undefined when a new key is made. */
  publicKey?: CryptoKey;
  key: RenewedCertificate["key"];
}

function keyPathOf(certPath: string): string {
  return certPath.replace(/\.crt$/, ".key");
}

async function loadCa(path: string): Promise<LoadedCa | undefined> {
  const [certPem, keyPem] = await Promise.all([
    Deno.readTextFile(path),
    readTextIfExists(keyPathOf(path)),
  ]);
  // A CA without its key (e.g. one only trusted here) can sign nothing: not a candidate.
  if (keyPem === undefined) return undefined;
  const fields = parseCertificate(decodePem(certPem, "CERTIFICATE"));
  try {
    await importSigningKey(keyPem);
  } catch (cause) {
    throw new CertificateRenewalError(`CA key ${keyPathOf(path)} is not usable`, { cause });
  }
  return { path, fields, pair: { certPem, keyPem } };
}

function usageOf(path: string, usages: CertificateRecord["usages"]): CertificateUsage {
  const server = usages.includes("server");
  const client = usages.includes("client");
  if (server && client) return "both";
  if (server) return "server";
  if (client) return "client";
  throw new CertificateRenewalError(
    `${path} allows neither server nor client auth; k3ts did not write it and cannot renew it`,
  );
}

async function planLeaf(
  path: string,
  usages: CertificateRecord["usages"],
  cas: readonly LoadedCa[],
  newKeys: boolean,
  now: Date,
): Promise<LeafPlan> {
  const file = baseName(path);
  const text = await Deno.readTextFile(path);
  if (text.split("-----BEGIN CERTIFICATE-----").length > 2) {
    throw new CertificateRenewalError(
      `${path} holds a certificate chain; k3ts writes single certificates and cannot renew it`,
    );
  }
  const fields = parseCertificate(decodePem(text, "CERTIFICATE"));
  const ca = cas.find((candidate) => isIssuedBy(fields, candidate.fields));
  if (!ca) {
    throw new CertificateRenewalError(
      `no CA with its key in ${parentDir(path)} issued ${path}; remove it and restart the ` +
        "server to re-create it",
    );
  }
  if (ca.fields.notAfter.getTime() < now.getTime()) {
    throw new CertificateRenewalError(
      `CA ${ca.path} expired at ${ca.fields.notAfter.toISOString()}; ${path} cannot be ` +
        "renewed with it, and k3ts does not rotate CAs",
    );
  }
  const attribute = (oid: string) =>
    fields.subject.filter((a) => a.oid === oid).map((a) => a.value);
  const commonName = attribute(Oid.commonName)[0];
  if (!commonName) throw new CertificateRenewalError(`${path} has no subject CN`);
  const sans = subjectAltNames(fields);
  const profile: CertificateProfile = {
    commonName,
    organizations: attribute(Oid.organization),
    dnsNames: sans.dns,
    ips: sans.ips,
    usage: usageOf(path, usages),
  };
  const keyPath = keyPathOf(path);
  if (newKeys) return { path, file, keyPath, profile, ca, key: "new" };
  const keyPem = await readTextIfExists(keyPath);
  const publicKey = keyPem === undefined
    ? undefined
    : await publicKeyOf(keyPem).catch(() => undefined);
  // Like a start, a missing or unreadable key is replaced rather than blocking the renewal.
  if (!publicKey) return { path, file, keyPath, profile, ca, key: "replaced" };
  return { path, file, keyPath, profile, ca, publicKey, key: "kept" };
}

/**
 * Copies every file of `<dataDir>/server/tls` (modes kept) to a new
 * `<dataDir>/server/tls-<unix time>` directory, mode 0700.
 *
 * @param dataDir The server data dir.
 * @param now The time in the directory name.
 * @returns The backup directory.
 */
export async function backupClusterTls(dataDir: string, now: Date = new Date()): Promise<string> {
  const { dir } = clusterTlsPaths(dataDir);
  const base = joinPath(parentDir(dir), `tls-${Math.floor(now.getTime() / 1000)}`);
  let backup = base;
  for (let n = 2;; n++) {
    try {
      await Deno.mkdir(backup, { mode: 0o700 });
      break;
    } catch (error) {
      // Two rotations in one second: keep both backups.
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      backup = `${base}-${n}`;
    }
  }
  await Deno.chmod(backup, 0o700);
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile) continue;
    const source = joinPath(dir, entry.name);
    const target = joinPath(backup, entry.name);
    const mode = (await Deno.stat(source)).mode! & 0o777;
    await writeFileAtomic(target, await Deno.readFile(source), { mode });
  }
  return backup;
}

/**
 * Renews leaf certificates in `<dataDir>/server/tls` now. CAs are never renewed.
 *
 * @param options Data dir, which files, whether to make new keys or back up first, and the
 * clock.
 * @returns The renewed certificates and the backup directory.
 * @throws {CertificateRenewalError} When there are no certificates, a named file is missing or
 * is a CA, a file is unreadable, or no usable CA issued a leaf. Nothing is written then.
 * @example
 * ```ts
 * const { renewed, backupDir } = await renewLeafCertificates({ dataDir, backup: true });
 * ```
 */
export async function renewLeafCertificates(
  options: RenewLeafCertificatesOptions,
): Promise<RenewalResult> {
  const now = options.now ?? new Date();
  const inventory = await listClusterCertificates(options.dataDir, { now });
  if (inventory.certificates.length === 0 && inventory.unreadable.length === 0) {
    throw new CertificateRenewalError(
      `no certificates in ${inventory.dir}: check --data-dir (a server creates them at its ` +
        "first start)",
    );
  }
  if (inventory.unreadable.length > 0) {
    const list = inventory.unreadable.map((u) => `${u.path} (${u.reason})`).join(", ");
    throw new CertificateRenewalError(
      `cannot read ${list}; remove or restore it and restart the server`,
    );
  }
  // A file is a CA or a leaf by its first certificate (a chain file leads with its leaf).
  const firstOfFile = new Map<string, CertificateRecord>();
  for (const c of inventory.certificates) if (!firstOfFile.has(c.file)) firstOfFile.set(c.file, c);
  const caPaths: string[] = [];
  const leaves = new Map<string, CertificateRecord>();
  for (const [file, c] of firstOfFile) {
    if (c.usages.includes("CA")) caPaths.push(c.path);
    else leaves.set(file, c);
  }
  const selected = options.files ?? [...leaves.keys()];
  for (const file of selected) {
    if (leaves.has(file)) continue;
    throw new CertificateRenewalError(
      firstOfFile.has(file)
        ? `${file} is a CA certificate; k3ts renews only leaf certificates`
        : `${file} does not exist in ${inventory.dir}`,
    );
  }
  if (selected.length === 0) {
    throw new CertificateRenewalError(`no leaf certificates in ${inventory.dir}`);
  }
  let plans: LeafPlan[];
  try {
    const cas = (await Promise.all(caPaths.map(loadCa)))
      .filter((ca) => ca !== undefined);
    plans = await Promise.all(selected.map((file) => {
      const leaf = leaves.get(file)!;
      return planLeaf(leaf.path, leaf.usages, cas, options.newKeys ?? false, now);
    }));
  } catch (error) {
    if (error instanceof CertificateRenewalError) throw error;
    throw new CertificateRenewalError(`cannot renew: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // Every certificate and key is made before the first write: a failure while signing leaves
  // the directory as it was, and key and certificate disagree only between two renames.
  const issued = await Promise.all(plans.map(async (plan) => {
    let publicKey = plan.publicKey;
    let newKeyPem: string | undefined;
    if (!publicKey) {
      const keys = await generateKeyPair();
      publicKey = keys.publicKey;
      newKeyPem = await exportPrivateKeyPem(keys.privateKey);
    }
    const certPem = await signLeaf(plan.ca.pair, { ...plan.profile, now }, publicKey);
    return { plan, certPem, newKeyPem };
  }));
  const backupDir = options.backup ? await backupClusterTls(options.dataDir, now) : undefined;
  const renewed: RenewedCertificate[] = [];
  for (const { plan, certPem, newKeyPem } of issued) {
    if (newKeyPem !== undefined) {
      await writeFileAtomic(plan.keyPath, newKeyPem, { mode: KEY_MODE });
    }
    await writeFileAtomic(plan.path, certPem, { mode: CERT_MODE });
    renewed.push({
      path: plan.path,
      file: plan.file,
      subject: plan.profile.commonName,
      notAfter: parseCertificate(decodePem(certPem, "CERTIFICATE")).notAfter,
      key: plan.key,
    });
  }
  return { renewed, ...(backupDir ? { backupDir } : {}) };
}
