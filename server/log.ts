/**
 * The server's one log format, logrus-style like K3s: `time="..." level=info msg="..." k=v`.
 * Library code logs through {@link Logger}, never `console.*`, so tests can silence it.
 *
 * @module
 */
import type { Logger } from "../kube/logger.ts";

export { type Logger, silentLogger } from "../kube/logger.ts";

/** Log levels in increasing severity. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function format(level: LogLevel, msg: string, fields?: Record<string, unknown>): string {
  let line = `time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(msg)}`;
  for (const [k, v] of Object.entries(fields ?? {})) {
    line += ` ${k}=${typeof v === "string" && /^[\w.:/@-]+$/.test(v) ? v : JSON.stringify(v)}`;
  }
  return line + "\n";
}

/** A logger writing to stderr at or above `level`. */
export function createLogger(level: LogLevel = "info"): Logger {
  const encoder = new TextEncoder();
  const write = (l: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[l] < ORDER[level]) return;
    Deno.stderr.writeSync(encoder.encode(format(l, msg, fields)));
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
