// Actions that change the Rollout's spec: restart and set image. Unlike promote or abort they are changes
// Git owns, so each result carries a warning for GitOps setups.

import { ActionRefused } from "./actions.ts";
import type { RolloutRef, SpecClient } from "./client.ts";

export type SpecActionResult = { message: string; warning: string };

export const GITOPS_WARNING =
  "this changed the Rollout's spec: in a GitOps setup the change belongs in Git, or your GitOps tool reverts it";

type Container = { name?: string; image?: string };
type RawRollout = {
  metadata?: { resourceVersion?: string };
  spec?: {
    restartAt?: string;
    workloadRef?: { name?: string };
    template?: { spec?: { containers?: Container[]; initContainers?: Container[] } };
  };
  status?: { stableRS?: string; currentPodHash?: string };
};

const label = (ref: RolloutRef) => `rollout "${ref.name}"`;

/** RFC 3339 to the second: pod creation times have no fraction, so a fraction would restart new pods too. */
/**
 * The next whole second after now: creationTimestamps have whole-second precision, so a pod created earlier
 * in this second would otherwise look as new as the restart; the controller starts only once it has passed.
 */
export const restartTime = (now: Date): string =>
  `${new Date(Math.floor(now.getTime() / 1000) * 1000 + 1000).toISOString().slice(0, 19)}Z`;

/** Sets spec.restartAt: the controller replaces every pod created before it, maxUnavailable at a time. */
export async function restartRollout(
  client: SpecClient,
  ref: RolloutRef,
  opts: { now?: Date } = {},
): Promise<SpecActionResult & { restartAt: string }> {
  const r = (await client.get(ref)) as RawRollout;
  const restartAt = restartTime(opts.now ?? new Date());
  await client.patch(ref, { spec: { restartAt } }, "merge");
  const busy = r.status?.stableRS !== undefined && r.status.stableRS !== r.status.currentPodHash;
  const when = busy ? " once the version being rolled out is promoted" : "";
  return {
    restartAt,
    message: `${label(ref)} restarting: pods created before ${restartAt} are replaced${when}, maxUnavailable at a time`,
    warning: GITOPS_WARNING,
  };
}

/** One `CONTAINER=IMAGE` argument; `*` names every container. */
export type ImageChange = { container: string; image: string };

/** Parses `CONTAINER=IMAGE`; undefined when the argument has another shape. */
export function parseImageChange(arg: string): ImageChange | undefined {
  const eq = arg.indexOf("=");
  const container = arg.slice(0, eq);
  const image = arg.slice(eq + 1);
  if (eq <= 0 || image === "" || /\s/.test(arg)) return undefined;
  return { container, image };
}

/**
 * A Rollout with spec.workloadRef has no template of its own: the Deployment's is the one to change (Git
 * owns it), and ramp ships the change. Refused with the command that does it.
 */
export function refuseWorkloadRef(
  r: { spec?: { workloadRef?: { name?: string } } },
  ref: RolloutRef,
  instead: (deployment: string) => string,
): void {
  const name = r.spec?.workloadRef?.name;
  if (name === undefined) return;
  throw new ActionRefused(
    `${label(ref)} runs the pod template of Deployment "${name}" (spec.workloadRef): change the ` +
      `Deployment instead (${instead(name)}); ramp ships its new template as a new version`,
  );
}

/** Changes container images in spec.template (containers and initContainers), like `kubectl set image`. */
export async function setImage(
  client: SpecClient,
  ref: RolloutRef,
  changes: ImageChange[],
): Promise<SpecActionResult & { changed: string[] }> {
  const r = (await client.get(ref)) as RawRollout;
  refuseWorkloadRef(
    r,
    ref,
    (d) => `kubectl set image deployment/${d} ${changes.map((c) => `${c.container}=${c.image}`).join(" ")}`,
  );
  const spec = r.spec?.template?.spec ?? {};
  const lists = [
    ["containers", spec.containers ?? []],
    ["initContainers", spec.initContainers ?? []],
  ] as const;
  const names = lists.flatMap(([, cs]) => cs.map((c) => c.name ?? ""));
  for (const ch of changes) {
    if (ch.container !== "*" && !names.includes(ch.container))
      throw new ActionRefused(
        `${label(ref)} has no container "${ch.container}" (containers: ${names.join(", ") || "none"})`,
      );
  }
  const ops: object[] = [];
  const changed: string[] = [];
  for (const [field, cs] of lists) {
    cs.forEach((c, i) => {
      const ch = changes.findLast((x) => x.container === c.name || x.container === "*");
      if (!ch || c.image === ch.image) return;
      const path = `/spec/template/spec/${field}/${i}`;
      ops.push({ op: "test", path: `${path}/name`, value: c.name });
      ops.push({ op: "replace", path: `${path}/image`, value: ch.image });
      changed.push(`${c.name}=${ch.image} (was ${c.image ?? "unset"})`);
    });
  }
  if (ops.length === 0)
    return { changed, message: `${label(ref)} unchanged: the images are already set`, warning: "" };
  // The resourceVersion test makes the patch fail rather than apply to a spec changed since the read.
  const rv = r.metadata?.resourceVersion;
  await client.patch(
    ref,
    rv ? [{ op: "test", path: "/metadata/resourceVersion", value: rv }, ...ops] : ops,
    "json",
  );
  return {
    changed,
    message: `${label(ref)} image updated: ${changed.join(", ")}`,
    warning: GITOPS_WARNING,
  };
}
