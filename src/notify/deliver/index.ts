// Delivery of rendered notifications: queues per destination, retries, the address policy, metrics.
export { Deliveries, type DeliveriesOptions } from "./deliveries.ts";
export {
  FAILURE_REASONS,
  type FailureReason,
  LOST_REASONS,
  type NotifyMetrics,
  notifyMetrics,
} from "./metrics.ts";
export { safeUrl } from "./redact.ts";
export type { HttpRequest, Job, Outcome } from "./types.ts";
