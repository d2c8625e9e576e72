/**
 * The certificates the server keeps and how long each has left: the data behind
 * `k3ts certificate check` and the expiry warnings posted at start.
 *
 * Listing reads the DER only (no crypto library): one directory read and one parse per file,
 * cheap enough to run at every start and on a timer.
 *
 * @module
 */
import { baseName, joinPath } from "./_path.ts";
import { decodePem } from "./pem.ts";
import { extendedKeyUsages, isCertificateAuthority, Oid, parseCertificate } from "./der.ts";
import { clusterTlsPaths } from "./bootstrap.ts";

/** Certificates with this many days left or fewer are reported as `WARNING`. */
export const EXPIRY_WARNING_DAYS = 30;

const DAY_MS = 86_400_000;

/** What a certificate may be used for: signing certificates, serving TLS, or TLS client auth. */
export type CertificateUsageKind = "CA" | "server" | "client";

/** Where a certificate stands at a given time (the words `k3s certificate check` prints). */
export type CertificateStatus = "OK" | "WARNING" | "EXPIRED" | "NOT YET VALID";

/**
 * The K3s service names `--service` accepts, and the certificate files (in
 * `<dataDir>/server/tls`) each one covers. CAs belong to no service: they are never rotated
 * with the leaves.
 */
export const CERTIFICATE_SERVICES: Readonly<Record<string, readonly string[]>> = (() => {
  const paths = clusterTlsPaths("");
  return {
    admin: [baseName(paths.adminCert)],
    "api-server": [baseName(paths.servingCert)],
  };
})();

/** One certificate in a file the server keeps (a file holding a chain yields several). */
export interface CertificateRecord {
  /** The file, `<dataDir>/server/tls/<file>`. */
  path: string;
  /** The file name, e.g. `client-admin.crt`. */
  file: string;
  /** The `--service` name covering the file; undefined for CAs and unknown files. */
  service?: string;
  /** Subject CN; empty when the certificate has none. */
  subject: string;
  /** Subject O values (the Kubernetes groups of a client certificate). */
  organizations: string[];
  /**
   * `CA` for a certificate authority; otherwise `server` and/or `client` from the extended key
   * usages (empty when the certificate has no EKU extension, i.e. any usage).
   */
  usages: CertificateUsageKind[];
  /** Start of validity. */
  notBefore: Date;
  /** End of validity. */
  notAfter: Date;
  /** Whole days until `notAfter` (see {@link daysRemaining}; negative once expired). */
  daysRemaining: number;
  /** OK, WARNING (at most {@link EXPIRY_WARNING_DAYS} days left), EXPIRED or NOT YET VALID. */
  status: CertificateStatus;
}

/** A `.crt` file that holds no readable certificate. */
export interface UnreadableCertificate {
  /** The file. */
  path: string;
  /** The file name. */
  file: string;
  /** What is wrong with it. */
  reason: string;
}

/** Every certificate under `<dataDir>/server/tls`, at one point in time. */
export interface ClusterCertificateInventory {
  /** The directory that was read. */
  dir: string;
  /** The time days and statuses were computed for. */
  checkedAt: Date;
  /** The WARNING threshold the statuses were computed with, in days. */
  warnWithinDays: number;
  /** Certificates, ordered by file name (a file's chain in file order). */
  certificates: CertificateRecord[];
  /** `.crt` files that could not be parsed. */
  unreadable: UnreadableCertificate[];
}

/** Options for {@link listClusterCertificates}. */
export interface InventoryOptions {
  /** The time to compute days and statuses for; now when omitted. */
  now?: Date;
  /** The WARNING threshold in days; {@link EXPIRY_WARNING_DAYS} when omitted. */
  warnWithinDays?: number;
}

/**
 * The status of a validity window at `now`. A certificate is valid through its `notAfter`
 * second (RFC 5280), so it is EXPIRED only after it.
 *
 * @param validity The certificate's notBefore and notAfter.
 * @param now The time to judge at.
 * @param warnWithinDays WARNING when this many days or fewer are left.
 * @returns The status.
 */
export function certificateStatus(
  validity: { notBefore: Date; notAfter: Date },
  now: Date,
  warnWithinDays: number = EXPIRY_WARNING_DAYS,
): CertificateStatus {
  const time = now.getTime();
  if (time < validity.notBefore.getTime()) return "NOT YET VALID";
  const left = validity.notAfter.getTime() - time;
  if (left < 0) return "EXPIRED";
  return left <= warnWithinDays * DAY_MS ? "WARNING" : "OK";
}

/**
 * Whole days from `now` to `notAfter`, rounded toward zero: 364 for a certificate issued today
 * for a year, -35 for one that expired 35 and a half days ago, 0 within a day either side.
 *
 * @param notAfter The end of validity.
 * @param now The time to count from.
 * @returns The days left, negative once expired.
 */
export function daysRemaining(notAfter: Date, now: Date): number {
  return Math.trunc((notAfter.getTime() - now.getTime()) / DAY_MS) || 0;
}

/** The `--service` name covering a certificate file name, if any. */
export function serviceOfFile(file: string): string | undefined {
  return Object.entries(CERTIFICATE_SERVICES).find(([, files]) => files.includes(file))?.[0];
}

const BEGIN = "-----BEGIN CERTIFICATE-----";
const END = "-----END CERTIFICATE-----";

/** DER of every CERTIFICATE block in a PEM file, in order. */
function certificateBlocks(pem: string): Uint8Array[] {
  const blocks: Uint8Array[] = [];
  for (let start = pem.indexOf(BEGIN); start >= 0; start = pem.indexOf(BEGIN, start + 1)) {
    const end = pem.indexOf(END, start);
    if (end < 0) throw new TypeError("a CERTIFICATE block has no END line");
    blocks.push(decodePem(pem.slice(start, end + END.length), "CERTIFICATE"));
  }
  if (blocks.length === 0) throw new TypeError("no PEM CERTIFICATE block");
  return blocks;
}

function usagesOf(fields: ReturnType<typeof parseCertificate>): CertificateUsageKind[] {
  if (isCertificateAuthority(fields)) return ["CA"];
  const usages = extendedKeyUsages(fields) ?? [];
  const kinds: CertificateUsageKind[] = [];
  if (usages.includes(Oid.serverAuth)) kinds.push("server");
  if (usages.includes(Oid.clientAuth)) kinds.push("client");
  return kinds;
}

function recordsOf(
  path: string,
  pem: string,
  now: Date,
  warnWithinDays: number,
): CertificateRecord[] {
  const file = baseName(path);
  return certificateBlocks(pem).map((der) => {
    const fields = parseCertificate(der);
    const usages = usagesOf(fields);
    const attribute = (oid: string) =>
      fields.subject.filter((a) => a.oid === oid).map((a) => a.value);
    const service = usages.includes("CA") ? undefined : serviceOfFile(file);
    return {
      path,
      file,
      ...(service ? { service } : {}),
      subject: attribute(Oid.commonName)[0] ?? "",
      organizations: attribute(Oid.organization),
      usages,
      notBefore: fields.notBefore,
      notAfter: fields.notAfter,
      daysRemaining: daysRemaining(fields.notAfter, now),
      status: certificateStatus(fields, now, warnWithinDays),
    };
  });
}

async function certificateFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      // Atomic writes leave `<name>.crt.<hex>.tmp` only while in flight; they do not end in .crt.
      if ((entry.isFile || entry.isSymlink) && entry.name.endsWith(".crt")) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return names.sort();
}

/**
 * Lists every certificate file the server keeps (`<dataDir>/server/tls/*.crt`: the CAs, the
 * serving certificate, the admin client certificate and any leaf added later) with subject,
 * usages, validity, days left and status. Backups made by `k3ts certificate rotate` live in
 * sibling `tls-<time>` directories and are not listed.
 *
 * @param dataDir The server data dir.
 * @param options The time to judge at and the WARNING threshold.
 * @returns The inventory; empty lists when the directory does not exist.
 * @throws {Deno.errors.PermissionDenied} When the directory cannot be read.
 * @example
 * ```ts
 * const { certificates } = await listClusterCertificates("/var/lib/k3ts");
 * for (const c of certificates) console.log(c.file, c.subject, c.daysRemaining, c.status);
 * ```
 */
export async function listClusterCertificates(
  dataDir: string,
  options: InventoryOptions = {},
): Promise<ClusterCertificateInventory> {
  const now = options.now ?? new Date();
  const warnWithinDays = options.warnWithinDays ?? EXPIRY_WARNING_DAYS;
  const { dir } = clusterTlsPaths(dataDir);
  const files = await certificateFiles(dir);
  const inventory: ClusterCertificateInventory = {
    dir,
    checkedAt: now,
    warnWithinDays,
    certificates: [],
    unreadable: [],
  };
  const texts = await Promise.allSettled(
    files.map((file) => Deno.readTextFile(joinPath(dir, file))),
  );
  files.forEach((file, i) => {
    const path = joinPath(dir, file);
    const text = texts[i];
    try {
      if (text.status === "rejected") throw text.reason;
      inventory.certificates.push(...recordsOf(path, text.value, now, warnWithinDays));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      inventory.unreadable.push({ path, file, reason });
    }
  });
  return inventory;
}
