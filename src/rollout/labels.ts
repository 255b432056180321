// The labels and annotations ramp puts on what it owns.
export const HASH_LABEL = "ramp.dev/pod-template-hash";
export const ROLLOUT_LABEL = "ramp.dev/rollout";
export const REVISION_ANNOTATION = "ramp.dev/revision";
/** When a ReplicaSet that left service may be scaled to zero (time as data, survives restarts). */
export const SCALE_DOWN_AT_ANNOTATION = "ramp.dev/scale-down-at";
export const FIELD_MANAGER = "ramp-controller";
