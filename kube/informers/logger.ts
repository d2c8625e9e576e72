/**
 * The structured logging informers and work queues need. It is declared here because kube/ does
 * not depend on the server; the server's logger (`server/log.ts`) has the same shape and is
 * passed as is.
 *
 * @module
 */

/** A structured logger: a message and key/value fields. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything (tests, quiet callers). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
