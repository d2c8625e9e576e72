/**
 * The scheduler: places pending pods on nodes as kube-scheduler's default profile does, and the
 * pieces other parts of the server share with it (the binding write, the Event recorder).
 *
 * @module
 */
export { type SchedulerOptions, startScheduler } from "./scheduler.ts";
export type { SchedulingQueueOptions } from "./queue.ts";
export {
  type BindOptions,
  bindPod,
  markUnschedulable,
  SCHEDULER_FIELD_MANAGER,
  SCHEDULER_USER,
  setPodScheduledCondition,
} from "./binding.ts";
export { type EventInput, EventRecorder, type EventRecorderOptions } from "./event_recorder.ts";
