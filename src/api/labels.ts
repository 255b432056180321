// The labels, annotations and finalizers ramp puts on what it owns or writes to.
export const HASH_LABEL = "ramp.dev/pod-template-hash";
export const ROLLOUT_LABEL = "ramp.dev/rollout";
export const REVISION_ANNOTATION = "ramp.dev/revision";
/** When a ReplicaSet that left service may be scaled to zero (time as data, survives restarts). */
export const SCALE_DOWN_AT_ANNOTATION = "ramp.dev/scale-down-at";
export const FIELD_MANAGER = "ramp-controller";
/** On a Rollout whose routes ramp writes: its deletion waits until ramp has given the routes back. */
export const TRAFFIC_FINALIZER = "ramp.dev/traffic-cleanup";
/** On a ReplicaSet: the role metadata (canaryMetadata, stableMetadata, …) its pods carry, as JSON. */
export const EPHEMERAL_ANNOTATION = "ramp.dev/ephemeral-metadata";
