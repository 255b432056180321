// The apiserver's own side of a pass: its request counter (apiserver_request_total, by verb, group,
// resource and subresource) before and after, so both controllers' writes and reads are counted by the
// same clock, and its CPU. The control plane is shared, so only the resources a Rollout controller writes
// are attributed to it; pods (written by the ReplicaSet controller and KWOK) and Events (written by every
// component, for every pod) are left out, the Events counted apart.
import { execFileSync } from "node:child_process";
import { kubectl } from "../../../dev/kube.ts";
import { parseExposition } from "../../../dev/scrape.ts";

/** `VERB group/resource[/subresource]` → requests so far. */
export type ApiserverCounts = Record<string, number>;

export async function apiserverCounts(): Promise<ApiserverCounts> {
  const res = await kubectl(["get", "--raw", "/metrics"], { timeoutMs: 60_000 });
  if (res.code !== 0) throw new Error(`kubectl get --raw /metrics: ${res.stderr}`);
  const counts: ApiserverCounts = {};
  for (const s of parseExposition(res.stdout).find("apiserver_request_total")) {
    const { verb = "", group = "", resource = "", subresource = "" } = s.labels;
    const key = `${verb} ${group || "core"}/${resource}${subresource ? `/${subresource}` : ""}`;
    counts[key] = (counts[key] ?? 0) + s.value;
  }
  return counts;
}

const WRITE_VERBS = new Set(["POST", "PUT", "PATCH", "DELETE", "DELETECOLLECTION", "APPLY"]);
const READ_VERBS = new Set(["GET", "LIST"]);

export type ApiserverPass = {
  /** Requests to the Rollout controller's resources during the pass (the harness's own patches included). */
  requests: Record<string, number>;
  /** Writes to them, less the harness's one image patch per shipped Rollout. */
  writes: number;
  reads: number;
  /** Event writes by every component (the ReplicaSet controller and the scheduler write one per pod). */
  eventWrites: number;
};

/** The pass's deltas on `group`'s rollouts and analysisruns (status too) and on ReplicaSets (not status). */
export function apiserverPass(
  before: ApiserverCounts,
  after: ApiserverCounts,
  group: string,
  harnessWrites: number,
): ApiserverPass {
  const mine = (resource: string) =>
    resource === `${group}/rollouts` ||
    resource === `${group}/rollouts/status` ||
    resource === `${group}/analysisruns` ||
    resource === `${group}/analysisruns/status` ||
    resource === "apps/replicasets" ||
    resource === "apps/replicasets/scale";
  const requests: Record<string, number> = {};
  let writes = 0;
  let reads = 0;
  let eventWrites = 0;
  for (const [key, value] of Object.entries(after)) {
    const d = value - (before[key] ?? 0);
    if (d <= 0) continue;
    const [verb = "", resource = ""] = key.split(" ");
    if (WRITE_VERBS.has(verb) && (resource === "core/events" || resource === "events.k8s.io/events"))
      eventWrites += d;
    if (!mine(resource)) continue;
    requests[key] = d;
    if (WRITE_VERBS.has(verb)) writes += d;
    if (READ_VERBS.has(verb)) reads += d;
  }
  return { requests, writes: Math.max(0, writes - harnessWrites), reads, eventWrites };
}

/** Other Rollout controllers running on this machine (ramp's or Argo's), but for `except`. */
export function otherControllers(except: number[]): string[] {
  let out = "";
  try {
    out = execFileSync("pgrep", ["-af", String.raw`controller/main\.(ts|js)|rollouts-controller`], {
      encoding: "utf8",
    });
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
  return out
    .split("\n")
    .filter((l) => l.trim() !== "")
    .filter((l) => !except.includes(Number(l.split(" ")[0])))
    .filter((l) => !l.includes("pgrep"));
}
