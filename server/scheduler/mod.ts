/**
 * The scheduler: places pending pods on nodes as kube-scheduler's default profile does, and the
 * piece other parts of the server share with it (the binding write). Its Events go through
 * `server/controllers/event_recorder.ts`, as the controllers' do.
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
