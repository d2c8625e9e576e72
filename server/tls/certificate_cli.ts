/**
 * `k3ts certificate check` and `k3ts certificate rotate`: K3s's `certificate` command for the
 * files in `<dataDir>/server/tls`. It works on the files alone, so it runs whether or not the
 * server is up; a running server uses renewed certificates after its next restart, as K3s.
 *
 * @module
 */
import { RENEW_BEFORE_DAYS } from "./bootstrap.ts";
import { CERTIFICATE_SERVICES, EXPIRY_WARNING_DAYS, listClusterCertificates } from "./inventory.ts";
import { CertificateRenewalError, renewLeafCertificates } from "./renewal.ts";
import {
  renderCertificateJson,
  renderCertificateTable,
  renderCertificateText,
  rfc3339,
} from "./certificate_report.ts";

/** Options for {@link runCertificateCommand}. */
export interface CertificateCommandOptions {
  /** The server data dir, unless `--data-dir` names another. */
  dataDir: string;
  /** The current time; now when omitted (tests pass one). */
  now?: Date;
  /** Receives normal output; the process's stdout when omitted. */
  stdout?: (text: string) => void;
  /** Receives errors and help after a usage error; the process's stderr when omitted. */
  stderr?: (text: string) => void;
}

const SERVICE_NAMES = Object.keys(CERTIFICATE_SERVICES).join(", ");

/** `k3ts certificate --help`. */
export const CERTIFICATE_HELP = `k3ts certificate - inspect and renew the server's certificates

Usage:
  k3ts certificate check  [--output text|table|json] [--service NAME]... [--data-dir DIR]
  k3ts certificate rotate [--service NAME]... [--new-keys] [--data-dir DIR]

Commands:
  check    List every certificate with subject, usages, expiry and status (WARNING with
           ${EXPIRY_WARNING_DAYS} days or fewer left, EXPIRED after)
  rotate   Renew leaf certificates now, signed by the same CAs (CAs are never renewed);
           restart the server afterwards to use them

A server start also renews every leaf certificate with fewer than ${RENEW_BEFORE_DAYS} days left.
Services: ${SERVICE_NAMES}.
Run 'k3ts certificate <command> --help' for a command's flags.
`;

interface FlagSpec {
  name: string;
  short?: string;
  /** Takes a value (otherwise a switch). */
  value: boolean;
  help: string;
}

const HELP_FLAG: FlagSpec = { name: "help", short: "h", value: false, help: "Show this help" };
const DATA_DIR_FLAG: FlagSpec = {
  name: "data-dir",
  short: "d",
  value: true,
  help: "Server data dir (default /var/lib/k3ts as root, ~/.k3ts otherwise)",
};
const SERVICE_FLAG: FlagSpec = {
  name: "service",
  short: "s",
  value: true,
  help: `Only these services (${SERVICE_NAMES}); repeatable or comma-separated`,
};

const COMMANDS: Record<string, { usage: string; flags: FlagSpec[] }> = {
  check: {
    usage: "k3ts certificate check [flags]\n\nLists the server's certificates and their expiry.",
    flags: [
      {
        name: "output",
        short: "o",
        value: true,
        help: "Output format: text, table or json (default text)",
      },
      SERVICE_FLAG,
      DATA_DIR_FLAG,
      HELP_FLAG,
    ],
  },
  rotate: {
    usage: "k3ts certificate rotate [flags]\n\nRenews leaf certificates now (the previous files " +
      "are backed up to\n<data-dir>/server/tls-<unix time>); restart the server to use them.",
    flags: [
      SERVICE_FLAG,
      {
        name: "new-keys",
        value: false,
        help: "Make new private keys instead of keeping the current ones",
      },
      DATA_DIR_FLAG,
      HELP_FLAG,
    ],
  },
};

/** A bad command line: reported with a pointer to the help, exit code 1. */
class UsageError extends Error {}

function commandHelp(command: string): string {
  const { usage, flags } = COMMANDS[command];
  const lines = flags.map((flag) => {
    const names = `${flag.short ? `-${flag.short}, ` : "    "}--${flag.name}${
      flag.value ? " value" : ""
    }`;
    return `  ${names.padEnd(26)}${flag.help}`;
  });
  return `${usage}\n\nFlags:\n${lines.join("\n")}\n`;
}

/** Parses `--name value`, `--name=value`, `-n value`, `-n=value` and switches. */
function parseFlags(command: string, args: readonly string[]): Map<string, string[]> {
  const { flags } = COMMANDS[command];
  const values = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const match = /^(--?)([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!match || arg === "-" || arg === "--") {
      throw new UsageError(`unexpected argument "${arg}"`);
    }
    const [, dashes, name, inline] = match;
    const flag = flags.find((f) => dashes === "--" ? f.name === name : f.short === name);
    if (!flag) throw new UsageError(`unknown flag ${dashes}${name} for 'certificate ${command}'`);
    let value = "true";
    if (flag.value) {
      if (inline !== undefined) value = inline;
      else if (i + 1 < args.length) value = args[++i];
      else throw new UsageError(`flag --${flag.name} needs a value`);
      if (value === "") throw new UsageError(`flag --${flag.name} needs a non-empty value`);
    } else if (inline !== undefined) {
      throw new UsageError(`flag --${flag.name} takes no value`);
    }
    values.set(flag.name, [...(values.get(flag.name) ?? []), value]);
  }
  return values;
}

/** The certificate files of the `--service` values, or undefined for "all". */
function filesOfServices(values: string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  const files: string[] = [];
  for (const name of values.flatMap((v) => v.split(",")).map((v) => v.trim())) {
    const covered = CERTIFICATE_SERVICES[name];
    if (!covered) {
      throw new UsageError(`service "${name}" is not recognized; k3ts has: ${SERVICE_NAMES}`);
    }
    files.push(...covered.filter((file) => !files.includes(file)));
  }
  return files;
}

async function check(
  flags: Map<string, string[]>,
  dataDir: string,
  now: Date,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const output = flags.get("output")?.at(-1) ?? "text";
  if (!["text", "table", "json"].includes(output)) {
    throw new UsageError(`invalid output format "${output}": use text, table or json`);
  }
  const files = filesOfServices(flags.get("service"));
  const inventory = await listClusterCertificates(dataDir, { now });
  if (inventory.certificates.length === 0 && inventory.unreadable.length === 0) {
    err(
      `k3ts: no certificates in ${inventory.dir}: check --data-dir (a server creates them at ` +
        "its first start)\n",
    );
    return 1;
  }
  if (files) {
    inventory.certificates = inventory.certificates.filter((c) => files.includes(c.file));
    inventory.unreadable = inventory.unreadable.filter((u) => files.includes(u.file));
  }
  if (output === "text") out(renderCertificateText(inventory));
  else {
    out(output === "json" ? renderCertificateJson(inventory) : renderCertificateTable(inventory));
    for (const u of inventory.unreadable) {
      err(`k3ts: ${u.path} is not a readable certificate: ${u.reason}\n`);
    }
  }
  return inventory.unreadable.length > 0 ? 1 : 0;
}

async function rotate(
  flags: Map<string, string[]>,
  dataDir: string,
  now: Date,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const files = filesOfServices(flags.get("service"));
  let result;
  try {
    result = await renewLeafCertificates({
      dataDir,
      files,
      newKeys: flags.has("new-keys"),
      backup: true,
      now,
    });
  } catch (error) {
    if (!(error instanceof CertificateRenewalError)) throw error;
    err(`k3ts: ${error.message}\n`);
    return 1;
  }
  const keyNote = {
    kept: "",
    new: ", new key",
    replaced: ", new key (the old one was missing or unreadable)",
  };
  const lines = [
    `Backed up the previous certificates to ${result.backupDir}`,
    ...result.renewed.map((r) =>
      `Renewed ${r.file} (${r.subject}) until ${rfc3339(r.notAfter)}${keyNote[r.key]}`
    ),
    "Restart the k3ts server to use the renewed certificates (it rewrites the admin " +
    "kubeconfig at start).",
  ];
  out(lines.map((line) => line + "\n").join(""));
  return 0;
}

function writer(file: { writeSync(bytes: Uint8Array): number }): (text: string) => void {
  const encoder = new TextEncoder();
  return (text) => {
    let bytes = encoder.encode(text);
    while (bytes.length > 0) bytes = bytes.subarray(file.writeSync(bytes));
  };
}

/**
 * Runs `k3ts certificate <args>`.
 *
 * @param args The arguments after `certificate`, e.g. `["check", "--output", "table"]`.
 * @param options The data dir (unless `--data-dir` is given), clock and output sinks.
 * @returns The exit code: 0 on success; 1 on a usage error, when there are no certificates,
 * when a certificate file is unreadable, or when a rotation is refused (nothing is written
 * then). Expiring certificates do not change the exit code of `check`, as in K3s.
 * @example
 * ```ts
 * Deno.exit(await runCertificateCommand(["check", "-o", "table"], { dataDir: "/var/lib/k3ts" }));
 * ```
 */
export async function runCertificateCommand(
  args: readonly string[],
  options: CertificateCommandOptions,
): Promise<number> {
  const out = options.stdout ?? writer(Deno.stdout);
  const err = options.stderr ?? writer(Deno.stderr);
  const [command, ...rest] = args;
  if (command === undefined) {
    err(CERTIFICATE_HELP);
    return 1;
  }
  if (["help", "--help", "-h"].includes(command)) {
    out(CERTIFICATE_HELP);
    return 0;
  }
  if (!(command in COMMANDS)) {
    err(`k3ts: unknown certificate command "${command}"\n\n${CERTIFICATE_HELP}`);
    return 1;
  }
  try {
    const flags = parseFlags(command, rest);
    if (flags.has("help")) {
      out(commandHelp(command));
      return 0;
    }
    const dataDir = flags.get("data-dir")?.at(-1) ?? options.dataDir;
    const now = options.now ?? new Date();
    return await (command === "check" ? check : rotate)(flags, dataDir, now, out, err);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`k3ts: ${error.message} (see 'k3ts certificate ${command} --help')\n`);
      return 1;
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      err(`k3ts: ${error.message}: run as the user that runs the server\n`);
      return 1;
    }
    throw error;
  }
}
