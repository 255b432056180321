// The apiserver's own count of each controller's requests: both controllers run as one ServiceAccount
// (identity.ts) whose requests the apiserver's flow control sorts into three FlowSchemas, so the deltas of
// apiserver_flowcontrol_dispatched_requests_total over a pass are that controller's writes, reads and
// other requests (watches, discovery), whoever else uses the control plane. apiserver_request_total by
// resource is kept beside them for detail; it counts every client (the harness, kube's controllers, tests).
import { execFileSync } from "node:child_process";
import { kubectl } from "../../../dev/kube.ts";
import { parseExposition } from "../../../dev/scrape.ts";
import { FLOW } from "./identity.ts";

export type ApiserverCounts = {
  /** Requests of the bench's ServiceAccount, by FlowSchema. */
  flows: { writes: number; reads: number; other: number };
  /** `VERB group/resource[/subresource]` → requests of every client. */
  byResource: Record<string, number>;
};

export async function apiserverCounts(): Promise<ApiserverCounts> {
  const res = await kubectl(["get", "--raw", "/metrics"], { timeoutMs: 60_000 });
  if (res.code !== 0) throw new Error(`kubectl get --raw /metrics: ${res.stderr}`);
  const scraped = parseExposition(res.stdout);
  const flow = (name: string) =>
    scraped
      .find("apiserver_flowcontrol_dispatched_requests_total", { flow_schema: name })
      .reduce((n, s) => n + s.value, 0);
  const byResource: Record<string, number> = {};
  for (const s of scraped.find("apiserver_request_total")) {
    const { verb = "", group = "", resource = "", subresource = "" } = s.labels;
    const key = `${verb} ${group || "core"}/${resource}${subresource ? `/${subresource}` : ""}`;
    byResource[key] = (byResource[key] ?? 0) + s.value;
  }
  return {
    flows: { writes: flow(FLOW.writes), reads: flow(FLOW.reads), other: flow(FLOW.other) },
    byResource,
  };
}

export type ApiserverPass = {
  /** The controller's own requests as the apiserver dispatched them. */
  writes: number;
  reads: number;
  other: number;
  /** Requests by every client to the Rollout controller's resources (its group's, and ReplicaSets). */
  allClientsByResource: Record<string, number>;
};

/** The pass's deltas; `group` picks the resources listed by resource (rollouts, analysisruns, replicasets). */
export function apiserverPass(before: ApiserverCounts, after: ApiserverCounts, group: string): ApiserverPass {
  const allClientsByResource: Record<string, number> = {};
  for (const [key, value] of Object.entries(after.byResource)) {
    const d = value - (before.byResource[key] ?? 0);
    const resource = key.split(" ")[1] ?? "";
    const mine = resource.startsWith(`${group}/`) || resource.startsWith("apps/replicasets");
    if (d > 0 && mine) allClientsByResource[key] = d;
  }
  return {
    writes: after.flows.writes - before.flows.writes,
    reads: after.flows.reads - before.flows.reads,
    other: after.flows.other - before.flows.other,
    allClientsByResource,
  };
}

/** Other Rollout controllers running on this machine (ramp's or Argo's), but for `except`. */
export function otherControllers(except: number[]): string[] {
  let out = "";
  try {
    out = execFileSync(
      "pgrep",
      ["-af", String.raw`controller/main\.(ts|js)|bundle/main\.js|rollouts-controller`],
      {
        encoding: "utf8",
      },
    );
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
  return (
    out
      .split("\n")
      .filter((l) => l.trim() !== "")
      .filter((l) => !except.includes(Number(l.split(" ")[0])))
      // Controllers are started with --kubeconfig here; a harness that merely names one in its script is not.
      .filter((l) => l.includes(" --kubeconfig "))
  );
}
