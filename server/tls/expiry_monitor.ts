/**
 * The server's certificate expiry check: at start and then once per interval, log and post an
 * Event for every certificate within the warning window.
 *
 * Checking only at start would almost never warn: a start renews every leaf with fewer than
 * 120 days left, so right after it only the CAs can be close to expiry. A leaf reaches the
 * 30-day window while the server keeps running (about 335 days after its last renewal), and
 * time passing has no watch to react to, so a timer is the right tool here.
 *
 * @module
 */
import type { Logger } from "../log.ts";
import { type CertificateExpiryEvent, expiryWarnings } from "./expiry_warnings.ts";
import { EXPIRY_WARNING_DAYS, listClusterCertificates } from "./inventory.ts";
import { pause } from "../../kube/pause.ts";

/** Once a day: the window is counted in days. */
export const DEFAULT_EXPIRY_CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** Options for {@link startCertificateExpiryMonitor}. */
export interface CertificateExpiryMonitorOptions {
  /** The server data dir. */
  dataDir: string;
  /** Receives one warning line per certificate in the window. */
  logger: Logger;
  /** Creates the Event (e.g. through the in-process Event store); errors go to `onError`. */
  postEvent?: (event: CertificateExpiryEvent) => Promise<unknown>;
  /** The server's Node, when it has one; the Events are about kube-system otherwise. */
  node?: { name: string; uid?: string };
  /** The host name for the Events' source; the node name when omitted. */
  host?: string;
  /** Warn for certificates with at most this many days left; {@link EXPIRY_WARNING_DAYS}. */
  withinDays?: number;
  /** Time between checks; {@link DEFAULT_EXPIRY_CHECK_INTERVAL_MS}. */
  intervalMs?: number;
  /** Stops the monitor. */
  signal: AbortSignal;
  /** Receives a failed check's or post's error; the monitor keeps running. */
  onError?: (error: unknown) => void;
  /** The clock; `new Date()` when omitted (tests pass one). */
  now?: () => Date;
}

/**
 * Runs one check: lists the certificates, logs a warning for each unreadable file and each
 * certificate in the window, and posts an Event for the latter.
 *
 * @param options Everything but the interval and signal matter here.
 * @returns How many certificates were in the window.
 */
export async function checkCertificateExpiry(
  options: Omit<CertificateExpiryMonitorOptions, "intervalMs" | "signal">,
): Promise<number> {
  const now = options.now?.() ?? new Date();
  const withinDays = options.withinDays ?? EXPIRY_WARNING_DAYS;
  const inventory = await listClusterCertificates(options.dataDir, {
    now,
    warnWithinDays: withinDays,
  });
  for (const file of inventory.unreadable) {
    options.logger.warn("Certificate file is not readable", {
      path: file.path,
      reason: file.reason,
    });
  }
  const warnings = expiryWarnings(inventory, now, {
    withinDays,
    node: options.node,
    host: options.host,
  });
  for (const warning of warnings) {
    options.logger.warn(warning.message, warning.logFields);
    if (!options.postEvent) continue;
    try {
      await options.postEvent(warning.event);
    } catch (error) {
      options.onError?.(error);
    }
  }
  return warnings.length;
}

/**
 * Checks certificate expiry now, then once per interval until `signal` aborts.
 *
 * @param options Data dir, logger, Event sink, Node, window, interval and the stop signal.
 * @returns A promise that resolves once the monitor has stopped.
 * @example
 * ```ts
 * const stopped = startCertificateExpiryMonitor({
 *   dataDir,
 *   logger: log,
 *   postEvent: (event) => stores.forKind("", "Event").create("default", event),
 *   signal: stop.signal,
 * });
 * ```
 */
export async function startCertificateExpiryMonitor(
  options: CertificateExpiryMonitorOptions,
): Promise<void> {
  const { signal } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_EXPIRY_CHECK_INTERVAL_MS;
  while (!signal.aborted) {
    try {
      await checkCertificateExpiry(options);
    } catch (error) {
      options.onError?.(error);
    }
    await pause(intervalMs, signal);
  }
}
