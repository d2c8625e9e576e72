/**
 * `k3ts token create|list|delete|generate`: bootstrap tokens managed through the API, printed
 * as K3s prints them. `create` prints the full join token `K10<CA hash>::<id>.<secret>` when the
 * kubeconfig carries the CA (as K3s does), so an agent joining with it pins the server CA; with
 * no CA at hand it prints the bare `<id>.<secret>`.
 *
 * @module
 */
import { stringify } from "yaml";
import { ApiError } from "../../../kube/errors.ts";
import { KubeClient, resourcePath } from "../../../kube/client/mod.ts";
import type { KubeObject } from "../../../kube/types.ts";
import { caHashOf } from "../../tls/join_token.ts";
import { formatTable, parseGoDuration, shortHumanDuration } from "./_cli_format.ts";
import {
  BOOTSTRAP_TOKEN_ID_PATTERN,
  BOOTSTRAP_TOKEN_NAMESPACE,
  BOOTSTRAP_TOKEN_PATTERN,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  BOOTSTRAP_TOKEN_USAGES,
  type BootstrapToken,
  bootstrapTokenFromSecret,
  bootstrapTokenSecretName,
  bootstrapTokenToSecret,
  formatBootstrapToken,
  generateBootstrapToken,
  isBootstrapTokenId,
  K3S_NODE_TOKEN_GROUP,
  parseBootstrapToken,
  validateBootstrapGroups,
  validateBootstrapUsages,
} from "./bootstrap_tokens.ts";

/** Where `k3ts token` writes and what it talks to. */
export interface TokenCommandOptions {
  /** The admin kubeconfig; `--kubeconfig` overrides it. */
  kubeconfigPath: string;
  /** Standard output; the process's when omitted. */
  stdout?: (text: string) => void;
  /** Standard error; the process's when omitted. */
  stderr?: (text: string) => void;
  /** Milliseconds since the epoch (TTL column, expirations); tests fix it. */
  now?: () => number;
}

const HELP = `Manage bootstrap tokens

Usage:
  k3ts token create [token] [--ttl 24h] [--description text] [--usages signing,authentication]
                    [--groups system:bootstrappers:...]
  k3ts token list [-o text|json|yaml]
  k3ts token delete <id|token>...
  k3ts token generate

Flags:
  --kubeconfig path   Kubeconfig of the cluster (default: the server's admin kubeconfig)
  --ttl duration      Lifetime of a created token, a Go duration; 0 never expires (default 24h)
  --description text  Human-readable note stored with the token
  --usages list       Comma-separated usages: signing, authentication (default both)
  --groups list       Extra groups the token authenticates as
                      (default ${K3S_NODE_TOKEN_GROUP})
  -o, --output fmt    list output: text, json or yaml (default text)
`;

/** A command-line mistake; printed as is. */
class UsageError extends Error {}

const VALUE_FLAGS: Record<string, string[]> = {
  create: ["kubeconfig", "ttl", "description", "usages", "groups"],
  list: ["kubeconfig", "output"],
  delete: ["kubeconfig"],
  generate: [],
};

interface ParsedArgs {
  command: string;
  positionals: string[];
  flags: Map<string, string[]>;
  help: boolean;
}

function parseArgs(args: string[]): ParsedArgs {
  const [first = "help", ...rest] = args;
  const command = first === "--help" || first === "-h" ? "help" : first;
  const parsed: ParsedArgs = { command, positionals: [], flags: new Map(), help: false };
  const allowed = VALUE_FLAGS[command] ?? [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === "--help" || arg === "-h") {
      parsed.help = true;
      continue;
    }
    if (!arg.startsWith("-") || arg === "-") {
      parsed.positionals.push(arg);
      continue;
    }
    const [rawName, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const name = rawName === "-o" ? "output" : rawName.replace(/^--?/, "");
    if (!allowed.includes(name)) throw new UsageError(`unknown flag: ${rawName}`);
    const value = inline ?? rest[++i];
    if (value === undefined) throw new UsageError(`flag needs an argument: ${rawName}`);
    parsed.flags.set(name, [...(parsed.flags.get(name) ?? []), value]);
  }
  return parsed;
}

function last(flags: Map<string, string[]>, name: string): string | undefined {
  return flags.get(name)?.at(-1);
}

/** Repeated and comma-separated values (`--groups a,b --groups c`), blanks dropped. */
function list(flags: Map<string, string[]>, name: string): string[] | undefined {
  const values = flags.get(name);
  if (!values) return undefined;
  return values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
}

function writer(stream: { writeSync(p: Uint8Array): number }): (text: string) => void {
  const encoder = new TextEncoder();
  return (text) => {
    const bytes = encoder.encode(text);
    let written = 0;
    while (written < bytes.length) written += stream.writeSync(bytes.subarray(written));
  };
}

/**
 * Runs `k3ts token <args>`.
 *
 * @param args The arguments after `token`.
 * @param options Kubeconfig and output streams.
 * @returns The exit code: 0 on success, 1 on any error (printed to stderr).
 * @example
 * ```ts
 * Deno.exit(await runTokenCommand(["create", "--ttl", "2h"], { kubeconfigPath }));
 * ```
 */
export async function runTokenCommand(
  args: string[],
  options: TokenCommandOptions,
): Promise<number> {
  const out = options.stdout ?? writer(Deno.stdout);
  const err = options.stderr ?? writer(Deno.stderr);
  const now = options.now ?? Date.now;
  try {
    const parsed = parseArgs(args);
    if (parsed.help || parsed.command === "help") {
      out(HELP);
      return 0;
    }
    if (!(parsed.command in VALUE_FLAGS)) {
      throw new UsageError(`unknown command "token ${parsed.command}"\n\n${HELP}`);
    }
    if (parsed.command === "generate") {
      out(`${formatBootstrapToken(generateBootstrapToken())}\n`);
      return 0;
    }
    const kubeconfig = last(parsed.flags, "kubeconfig") ?? options.kubeconfigPath;
    using client = await KubeClient.fromKubeconfig(kubeconfig, { userAgent: "k3ts-token" });
    switch (parsed.command) {
      case "create":
        await create(client, parsed, now(), out);
        break;
      case "list":
        await listTokens(client, parsed, now(), out, err);
        break;
      case "delete":
        await remove(client, parsed, out);
        break;
    }
    return 0;
  } catch (error) {
    // Usage, kubeconfig, API and transport errors all carry a message meant for the user.
    err(`k3ts token: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

const secretsPath = (name?: string) =>
  resourcePath({ version: "v1", resource: "secrets", namespace: BOOTSTRAP_TOKEN_NAMESPACE, name });

async function create(
  client: KubeClient,
  parsed: ParsedArgs,
  now: number,
  out: (text: string) => void,
): Promise<void> {
  if (parsed.positionals.length > 1) throw new UsageError("create takes at most one token");
  const given = parsed.positionals[0];
  const token = given === undefined ? generateBootstrapToken() : parseBootstrapToken(given);
  if (!token) {
    throw new UsageError(
      `the bootstrap token "${given}" was not of the form "${BOOTSTRAP_TOKEN_PATTERN}"`,
    );
  }
  const ttlText = last(parsed.flags, "ttl") ?? "24h";
  const ttl = parseGoDuration(ttlText);
  if (typeof ttl === "string") throw new UsageError(`invalid --ttl: ${ttl}`);
  if (ttl < 0) throw new UsageError(`invalid --ttl: ${ttlText} is negative`);
  const usages = list(parsed.flags, "usages") ?? [...BOOTSTRAP_TOKEN_USAGES];
  const groups = list(parsed.flags, "groups") ?? [K3S_NODE_TOKEN_GROUP];
  validateBootstrapUsages(usages);
  validateBootstrapGroups(groups);
  const description = last(parsed.flags, "description");
  const bootstrapToken: BootstrapToken = {
    token,
    ...(description ? { description } : {}),
    // Go's TTL is whole seconds from now; 0 means the token never expires.
    ...(ttl > 0 ? { expires: new Date(now + ttl) } : {}),
    usages: [...new Set(usages)],
    groups: [...new Set(groups)],
  };
  const exists = new UsageError(`a token with id "${token.id}" already exists`);
  try {
    await client.get(secretsPath(bootstrapTokenSecretName(token.id)));
    throw exists;
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 404)) throw error;
  }
  try {
    await client.create(secretsPath(), bootstrapTokenToSecret(bootstrapToken));
  } catch (error) {
    if (error instanceof ApiError && error.reason === "AlreadyExists") throw exists;
    throw error;
  }
  const bare = formatBootstrapToken(token);
  out(`${client.caPem ? `K10${caHashOf(client.caPem)}::${bare}` : bare}\n`);
}

async function listTokens(
  client: KubeClient,
  parsed: ParsedArgs,
  now: number,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<void> {
  const output = last(parsed.flags, "output") ?? "text";
  if (!["text", "json", "yaml"].includes(output)) {
    throw new UsageError(`invalid output format: ${output}`);
  }
  let secrets: KubeObject[];
  try {
    secrets = (await client.list(secretsPath(), {
      fieldSelector: `type=${BOOTSTRAP_TOKEN_SECRET_TYPE}`,
    })).items;
  } catch (error) {
    if (error instanceof ApiError) {
      throw new ApiError(
        error.code,
        error.reason,
        `failed to list bootstrap tokens: ${error.message}`,
        error.details,
      );
    }
    throw error;
  }
  const tokens: BootstrapToken[] = [];
  for (const secret of secrets) {
    try {
      tokens.push(bootstrapTokenFromSecret(secret));
    } catch (error) {
      // As K3s: a malformed Secret is reported and the others are still listed.
      err(`${(error as Error).message}\n`);
    }
  }
  if (output !== "text") {
    const documents = tokens.map((t) => ({
      token: formatBootstrapToken(t.token),
      ...(t.description ? { description: t.description } : {}),
      ...(t.expires ? { expires: isoSeconds(t.expires) } : {}),
      ...(t.usages.length > 0 ? { usages: t.usages } : {}),
      ...(t.groups.length > 0 ? { groups: t.groups } : {}),
    }));
    out(output === "json" ? `${JSON.stringify(documents)}\n` : stringify(documents));
    return;
  }
  const rows = [["TOKEN", "TTL", "EXPIRES", "USAGES", "DESCRIPTION", "EXTRA GROUPS"]];
  for (const t of tokens) {
    rows.push([
      t.token.id,
      t.expires ? shortHumanDuration(t.expires.getTime() - now) : "<forever>",
      t.expires ? isoSeconds(t.expires) : "<never>",
      joinOrNone(t.usages),
      t.description || "<none>",
      joinOrNone(t.groups),
    ]);
  }
  out(formatTable(rows));
}

async function remove(
  client: KubeClient,
  parsed: ParsedArgs,
  out: (text: string) => void,
): Promise<void> {
  if (parsed.positionals.length === 0) {
    throw new UsageError("missing argument; 'token delete' is missing token");
  }
  for (const arg of parsed.positionals) {
    // An id, `<id>.<secret>`, or a full `K10<hash>::<id>.<secret>` join token.
    const id = isBootstrapTokenId(arg) ? arg : parseBootstrapToken(arg.split("::").at(-1)!)?.id;
    if (!id) {
      throw new UsageError(
        `given token didn't match pattern "${BOOTSTRAP_TOKEN_ID_PATTERN}" or "${BOOTSTRAP_TOKEN_PATTERN}"`,
      );
    }
    try {
      await client.delete(secretsPath(bootstrapTokenSecretName(id)));
    } catch (error) {
      if (error instanceof ApiError) {
        throw new ApiError(
          error.code,
          error.reason,
          `failed to delete bootstrap token "${id}": ${error.message}`,
          error.details,
        );
      }
      throw error;
    }
    out(`bootstrap token "${id}" deleted\n`);
  }
}

function joinOrNone(values: string[]): string {
  return values.length > 0 ? values.join(",") : "<none>";
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
