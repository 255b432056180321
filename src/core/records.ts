// What the state machines hand the reconcile besides their state: Events to record, and why a rollout aborted.
import type { ErrorCode } from "../errors.ts";

/** A Kubernetes Event the reconcile should record: the only edge-triggered effect. */
export type RecordParams = { type: "Normal" | "Warning"; reason: string; message: string };

export type AbortRecord = { reason: ErrorCode; message: string; by?: string | undefined; at: string };
