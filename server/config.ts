/**
 * Server configuration from K3s's flag names, `<config-dir>/config.yaml` and `K3TS_*`
 * environment variables (flags win over the environment, which wins over the file).
 *
 * @module
 */
import { ipv4Range } from "./apiserver/ip_range.ts";

/** Everything `k3ts server` is configured by. */
export interface ServerConfig {
  dataDir: string;
  configDir: string;
  httpsListenPort: number;
  bindAddress: string;
  advertiseAddress?: string;
  tlsSan: string[];
  writeKubeconfig: string;
  writeKubeconfigMode: number;
  token?: string;
  clusterCidr: string;
  serviceCidr: string;
  clusterDomain: string;
  disableAgent: boolean;
  nodeName: string;
  logLevel: "debug" | "info" | "warn" | "error";
  /** Seconds without a Lease renewal before a node is marked Unknown (upstream: 40). */
  nodeMonitorGracePeriod: number;
}

/** A flag of `k3ts server`. */
interface FlagSpec {
  name: string;
  key: keyof ServerConfig | "config";
  kind: "string" | "number" | "seconds" | "boolean" | "list" | "mode";
  help: string;
}

/** The flags, in `--help` order. */
export const SERVER_FLAGS: readonly FlagSpec[] = [
  {
    name: "config",
    key: "config",
    kind: "string",
    help: "Load configuration from this YAML file (default <config-dir>/config.yaml)",
  },
  {
    name: "data-dir",
    key: "dataDir",
    kind: "string",
    help: "Folder to hold state (default /var/lib/k3ts as root, ~/.k3ts otherwise)",
  },
  {
    name: "https-listen-port",
    key: "httpsListenPort",
    kind: "number",
    help: "HTTPS port of the API and supervisor (default 6443)",
  },
  {
    name: "bind-address",
    key: "bindAddress",
    kind: "string",
    help: "Address to listen on (default 0.0.0.0)",
  },
  {
    name: "advertise-address",
    key: "advertiseAddress",
    kind: "string",
    help: "Address agents and the kubernetes Service use (default: node IP)",
  },
  {
    name: "tls-san",
    key: "tlsSan",
    kind: "list",
    help: "Extra hostname or IP in the serving certificate (repeatable)",
  },
  {
    name: "write-kubeconfig",
    key: "writeKubeconfig",
    kind: "string",
    help: "Where to write the admin kubeconfig (default <config-dir>/k3ts.yaml)",
  },
  {
    name: "write-kubeconfig-mode",
    key: "writeKubeconfigMode",
    kind: "mode",
    help: "File mode of the admin kubeconfig, octal (default 600)",
  },
  {
    name: "token",
    key: "token",
    kind: "string",
    help: "Shared secret agents and servers join with (default: generated)",
  },
  {
    name: "cluster-cidr",
    key: "clusterCidr",
    kind: "string",
    help: "Pod network (default 10.42.0.0/16)",
  },
  {
    name: "service-cidr",
    key: "serviceCidr",
    kind: "string",
    help: "Service network (default 10.43.0.0/16)",
  },
  {
    name: "cluster-domain",
    key: "clusterDomain",
    kind: "string",
    help: "Cluster DNS domain (default cluster.local)",
  },
  { name: "disable-agent", key: "disableAgent", kind: "boolean", help: "Run no local agent" },
  {
    name: "node-name",
    key: "nodeName",
    kind: "string",
    help: "This node's name (default: hostname)",
  },
  {
    name: "node-monitor-grace-period",
    key: "nodeMonitorGracePeriod",
    kind: "seconds",
    help: "Seconds without a node heartbeat before it is NotReady (default 40)",
  },
  {
    name: "log-level",
    key: "logLevel",
    kind: "string",
    help: "debug, info, warn or error (default info)",
  },
];

/** A configuration problem, reported to the user without a stack trace. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

function home(): string {
  return Deno.env.get("HOME") ?? ".";
}

/** The default data and config folders: system-wide as root, per user otherwise. */
export function defaultDirs(): { dataDir: string; configDir: string } {
  return isRoot()
    ? { dataDir: "/var/lib/k3ts", configDir: "/etc/k3ts" }
    : { dataDir: `${home()}/.k3ts`, configDir: `${home()}/.k3ts` };
}

type RawConfig = Partial<Record<string, unknown>>;

/** Parses `--flag value`, `--flag=value` and boolean flags into raw values by flag name. */
export function parseFlags(args: string[]): RawConfig {
  const raw: RawConfig = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) throw new ConfigError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = SERVER_FLAGS.find((f) => f.name === name);
    if (!spec) throw new ConfigError(`unknown flag --${name} (see k3ts server --help)`);
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (spec.kind === "boolean") value = "true";
    else {
      if (i + 1 >= args.length) throw new ConfigError(`flag --${name} needs a value`);
      value = args[++i];
    }
    if (spec.kind === "list") {
      raw[name] = [...((raw[name] as string[] | undefined) ?? []), ...value.split(",")];
    } else raw[name] = value;
  }
  return raw;
}

function fromEnv(): RawConfig {
  const raw: RawConfig = {};
  for (const spec of SERVER_FLAGS) {
    const value = Deno.env.get(`K3TS_${spec.name.toUpperCase().replaceAll("-", "_")}`);
    if (value !== undefined && value !== "") {
      raw[spec.name] = spec.kind === "list" ? value.split(",") : value;
    }
  }
  return raw;
}

async function fromFile(path: string, required: boolean): Promise<RawConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound && !required) return {};
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  // Most config files are absent or empty; the YAML parser is loaded only for one with content.
  if (text.trim() === "") return {};
  const { parse: parseYaml } = await import("yaml");
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid YAML: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must be a YAML mapping`);
  }
  const raw: RawConfig = {};
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    const spec = SERVER_FLAGS.find((f) => f.name === name);
    if (!spec) throw new ConfigError(`config file ${path}: unknown key "${name}"`);
    raw[name] = spec.kind === "list"
      ? (Array.isArray(value) ? value.map(String) : String(value).split(","))
      : value;
  }
  return raw;
}

function convert(spec: FlagSpec, value: unknown): unknown {
  switch (spec.kind) {
    case "number": {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 65535) {
        throw new ConfigError(`--${spec.name}: "${value}" is not a port number (1-65535)`);
      }
      return n;
    }
    case "seconds": {
      // `40` or `40s`, as K3s's duration flags are usually written.
      const n = Number(String(value).replace(/s$/, ""));
      if (!Number.isFinite(n) || n <= 0) {
        throw new ConfigError(`--${spec.name}: "${value}" is not a positive number of seconds`);
      }
      return n;
    }
    case "boolean":
      if (value === true || value === "true" || value === "1") return true;
      if (value === false || value === "false" || value === "0") return false;
      throw new ConfigError(`--${spec.name}: "${value}" is not true or false`);
    case "mode": {
      const text = String(value);
      if (!/^0?[0-7]{3}$/.test(text)) {
        throw new ConfigError(
          `--${spec.name}: "${text}" is not an octal file mode like 600 or 0644`,
        );
      }
      return parseInt(text, 8);
    }
    case "list":
      return (value as string[]).map((s) => s.trim()).filter((s) => s !== "");
    default:
      return String(value);
  }
}

/**
 * Resolves the configuration of `k3ts server`.
 * @throws {ConfigError} for unknown flags, bad values, or an unreadable config file.
 */
export async function loadServerConfig(args: string[]): Promise<ServerConfig> {
  const flags = parseFlags(args);
  const env = fromEnv();
  const dirs = defaultDirs();
  const configPath = (flags.config ?? env.config) as string | undefined;
  const file = await fromFile(
    configPath ?? `${dirs.configDir}/config.yaml`,
    configPath !== undefined,
  );
  const merged: RawConfig = { ...file, ...env, ...flags };
  const config: ServerConfig = {
    dataDir: dirs.dataDir,
    configDir: dirs.configDir,
    httpsListenPort: 6443,
    bindAddress: "0.0.0.0",
    tlsSan: [],
    writeKubeconfig: "",
    writeKubeconfigMode: 0o600,
    clusterCidr: "10.42.0.0/16",
    serviceCidr: "10.43.0.0/16",
    clusterDomain: "cluster.local",
    disableAgent: false,
    nodeName: Deno.hostname().toLowerCase(),
    logLevel: "info",
    nodeMonitorGracePeriod: 40,
  };
  for (const spec of SERVER_FLAGS) {
    if (spec.key === "config" || merged[spec.name] === undefined) continue;
    (config as unknown as Record<string, unknown>)[spec.key] = convert(spec, merged[spec.name]);
  }
  config.writeKubeconfig ||= `${config.configDir}/k3ts.yaml`;
  for (
    const [flag, cidr] of [["cluster-cidr", config.clusterCidr], [
      "service-cidr",
      config.serviceCidr,
    ]]
  ) {
    try {
      ipv4Range(cidr);
    } catch (error) {
      throw new ConfigError(`--${flag}: ${(error as Error).message}`);
    }
  }
  if (Number(config.clusterCidr.split("/")[1]) > 24) {
    throw new ConfigError(
      `--cluster-cidr: ${config.clusterCidr} is narrower than /24: every node gets a /24 of it`,
    );
  }
  if (!["debug", "info", "warn", "error"].includes(config.logLevel)) {
    throw new ConfigError(
      `--log-level: "${config.logLevel}" is not one of debug, info, warn, error`,
    );
  }
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(config.nodeName)) {
    throw new ConfigError(
      `--node-name: "${config.nodeName}" is not a valid node name (lowercase RFC 1123 subdomain)`,
    );
  }
  return config;
}

/** `k3ts server --help`. */
export function serverHelp(): string {
  const lines = SERVER_FLAGS.map((f) =>
    `  --${f.name}${f.kind === "boolean" ? "" : " value"}`.padEnd(34) + f.help
  );
  return `Usage: k3ts server [flags]\n\nRun a k3ts server: Kubernetes API, datastore, supervisor.\n\nFlags (also K3TS_<FLAG_NAME> and keys of <config-dir>/config.yaml):\n${
    lines.join("\n")
  }\n`;
}
