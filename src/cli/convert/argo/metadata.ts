// What every converted object needs whatever its kind: ramp's apiVersion, no status or server-written
// metadata (an object read from the cluster has them), and Argo's notification annotations that are
// left (a Rollout's subscriptions are converted first, by notifications.ts) reported.
import type { Edit } from "../edit.ts";

export const RAMP_API_VERSION = "ramp.dev/v1alpha1";

/** Written by the apiserver or Argo's controller, never by a person: removed with one note. */
const SERVER_METADATA = [
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
];
const SERVER_ANNOTATIONS = [
  "kubectl.kubernetes.io/last-applied-configuration",
  "rollout.argoproj.io/revision",
  "rollout.argoproj.io/workload-generation",
];
const NOTIFICATIONS = "notifications.argoproj.io/";

/** Sets ramp's apiVersion, strips what the server wrote, drops Argo's notification annotations left. */
export function convertMetadata(edit: Edit): void {
  edit.set(["apiVersion"], RAMP_API_VERSION);
  const removed: string[] = [];
  if (edit.has(["status"])) {
    edit.remove(["status"]);
    removed.push("status");
  }
  for (const key of SERVER_METADATA) {
    if (!edit.has(["metadata", key])) continue;
    edit.remove(["metadata", key]);
    removed.push(`metadata.${key}`);
  }
  const annotations = ["metadata", "annotations"];
  for (const key of edit.keys(annotations)) {
    if (SERVER_ANNOTATIONS.includes(key)) {
      edit.remove([...annotations, key]);
      removed.push(`metadata.annotations[${key}]`);
    } else if (key.startsWith(NOTIFICATIONS)) {
      edit.drop(
        [...annotations, key],
        "Argo notification annotation: ramp reads only notifications.ramp.dev/subscribe.<event>.<notifier> " +
          "on a Rollout (convert maps Argo's subscribe.<trigger>.<service> there)",
      );
    }
  }
  if (edit.keys(annotations).length === 0 && edit.has(annotations)) edit.remove(annotations);
  if (removed.length > 0)
    edit.note([], `written by the cluster, not carried: ${removed.join(", ")} (ramp writes its own)`);
}
