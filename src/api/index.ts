// The ramp.dev/v1alpha1 API: every schema, and the types inferred from them.
export const GROUP = "ramp.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;

export * from "./analysis.ts";
export * from "./analysis-ref.ts";
export * from "./bluegreen.ts";
export * from "./canary.ts";
export * from "./duration.ts";
export * from "./meta.ts";
export * from "./metric.ts";
export * from "./notification-ledger.ts";
export * from "./notifier.ts";
export * from "./rollout.ts";
export * from "./rollout-status.ts";
export * from "./traffic.ts";
