/**
 * The one structured-logger shape: library code in kube/ (informers, work queues) and in the
 * server logs through it. It lives here because kube/ does not depend on the server;
 * `server/log.ts` re-exports it beside the logrus-style writer it creates.
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
