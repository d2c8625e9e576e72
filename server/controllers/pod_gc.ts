/**
 * The pod garbage collector (terminated pods past a threshold, orphaned pods). Not yet built: a placeholder so the loop is wired.
 *
 * @module
 */
import type { StoreSet } from "../apiserver/handler.ts";
import type { ControllerOptions } from "./shared_informers.ts";

/** Runs the PodGc controller until the signal aborts. */
export function startPodGcController(
  _stores: StoreSet,
  _options: ControllerOptions,
): Promise<void> {
  return Promise.resolve();
}
