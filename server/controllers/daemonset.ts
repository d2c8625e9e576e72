/**
 * The DaemonSet controller (one pod per eligible node, rolling update). Not yet built: a placeholder so the loop is wired.
 *
 * @module
 */
import type { StoreSet } from "../apiserver/handler.ts";
import type { ControllerOptions } from "./shared_informers.ts";

/** Runs the DaemonSet controller until the signal aborts. */
export function startDaemonSetController(
  _stores: StoreSet,
  _options: ControllerOptions,
): Promise<void> {
  return Promise.resolve();
}
