// `kubectl ramp get rollout NAME`: a summary and a tree of revisions, ReplicaSets, pods and AnalysisRuns,
// after Argo Rollouts' `get rollout`. Pure: the same objects and `now` always give the same text.
import { describeStep } from "../../strategy/canary/describe.ts";
import { weightAt } from "../../strategy/canary/steps.ts";
import { age, type Paint, plain, table } from "./format.ts";
import {
  type AnalysisRunView,
  analysisRunView,
  type PodView,
  podView,
  type ReplicaSetView,
  type RolloutTree,
  type RolloutView,
  replicaSetView,
  rolloutView,
} from "./view.ts";

export type TreeOptions = { now: number; paint?: Paint; wide?: boolean };

type Tone = "ok" | "warn" | "bad" | "dim";
const ICONS: Record<Tone, string> = { ok: "✔", warn: "◌", bad: "✖", dim: "•" };

/** The icon and color of a phase or status word. */
function tone(word: string): { tone: Tone; icon: string } {
  switch (word) {
    case "Healthy":
    case "Successful":
    case "Running":
    case "Completed":
    case "Pass":
      return { tone: "ok", icon: ICONS.ok };
    case "Paused":
    case "Inconclusive":
    case "Marginal":
      return { tone: "warn", icon: "॥" };
    case "Degraded":
    case "Failed":
    case "Fail":
    case "Error":
    case "CrashLoopBackOff":
    case "ImagePullBackOff":
    case "ErrImagePull":
      return { tone: "bad", icon: ICONS.bad };
    case "ScaledDown":
      return { tone: "dim", icon: ICONS.dim };
    default:
      return { tone: "warn", icon: ICONS.warn };
  }
}

/** "✔ Healthy", colored; `as` picks the icon when it differs from the word (a pod Running but not ready). */
const badge = (word: string, paint: Paint, as = word) => {
  const t = tone(as);
  return paint[t.tone](`${t.icon} ${word}`);
};

/** "4/5": the step being executed, 1-based; "5/5" once all are done. */
export function stepOf(v: RolloutView): string {
  const count = v.status.stepCount ?? v.steps.length;
  const index = v.status.currentStepIndex;
  if (v.strategy !== "Canary" || count === 0 || index === undefined) return "-";
  return `${Math.min(index + 1, count)}/${count}`;
}

function summary(v: RolloutView, rsViews: ReplicaSetView[], paint: Paint): string[] {
  const s = v.status;
  const rows: [string, string][] = [
    ["Name:", v.name],
    ["Namespace:", v.namespace],
    ["Status:", s.phase ? badge(s.phase, paint) : "-"],
  ];
  if (s.message) rows.push(["Message:", s.message]);
  if (s.abort) rows.push(["Aborted:", paint.bad(`${s.abort.reason}: ${s.abort.message}`)]);
  rows.push(["Strategy:", v.strategy]);
  if (v.strategy === "Canary") {
    const index = s.currentStepIndex ?? 0;
    const step = v.steps[index];
    rows.push(["  Step:", `${stepOf(v)}${step ? ` (${describeStep(step)})` : ""}`]);
    if (v.steps.length > 0) rows.push(["  SetWeight:", String(weightAt(v.steps, index))]);
    rows.push(["  ActualWeight:", String(s.canary?.weight ?? 0)]);
  }
  const images = imagesByRole(v, rsViews);
  images.forEach((line, i) => {
    rows.push([i === 0 ? "Images:" : "", line]);
  });
  rows.push(
    ["Replicas:", ""],
    ["  Desired:", String(v.replicas)],
    ["  Current:", String(s.replicas ?? 0)],
    ["  Updated:", String(s.updatedReplicas ?? 0)],
    ["  Ready:", String(s.readyReplicas ?? 0)],
    ["  Available:", String(s.availableReplicas ?? 0)],
  );
  if (v.restartAt) {
    const done = s.restartedAt === v.restartAt;
    rows.push(["Restart:", done ? `done (pods newer than ${v.restartAt})` : `pending (${v.restartAt})`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, val]) => (val === "" ? k : `${k.padEnd(width)}${val}`));
}

/** "app:2 (canary)": each version's images with its role; the spec's when no ReplicaSet has pods. */
function imagesByRole(v: RolloutView, rsViews: ReplicaSetView[]): string[] {
  const lines: string[] = [];
  for (const rs of rsViews) {
    const role = roleOf(v, rs);
    if (!role && rs.desired === 0) continue;
    for (const image of rs.images) lines.push(role ? `${image} (${role})` : image);
  }
  return lines.length > 0 ? lines : v.images;
}

function roleOf(v: RolloutView, rs: ReplicaSetView): string | undefined {
  if (rs.hash === v.status.stableRS) return "stable";
  if (rs.hash === v.status.currentPodHash) return v.strategy === "BlueGreen" ? "preview" : "canary";
  return undefined;
}

type Node = {
  name: string;
  kind: string;
  status: string;
  /** The word whose icon and color the status takes, when not the status itself. */
  toneOf?: string;
  age: string;
  info: string;
  children: Node[];
};

function rsStatus(rs: ReplicaSetView): string {
  if (rs.desired === 0 && rs.current === 0) return "ScaledDown";
  return rs.ready >= rs.desired && rs.available >= rs.desired && rs.current === rs.desired
    ? "Healthy"
    : "Progressing";
}

function podNode(p: PodView, now: number, wide: boolean): Node {
  const info = [`ready:${p.ready}/${p.containers}`];
  if (p.restarts > 0) info.push(`restarts:${p.restarts}`);
  if (wide && p.node) info.push(`node:${p.node}`);
  if (wide && p.ip) info.push(`ip:${p.ip}`);
  const notReady = p.status === "Running" && p.ready < p.containers;
  return {
    name: `□ ${p.name}`,
    kind: "Pod",
    status: p.status,
    ...(notReady ? { toneOf: "NotReady" } : {}),
    age: age(p.created, now),
    info: info.join(","),
    children: [],
  };
}

function runNode(ar: AnalysisRunView, now: number, wide: boolean): Node {
  return {
    name: `α ${ar.name}`,
    kind: "AnalysisRun",
    status: ar.phase,
    ...(ar.phase === "Running" ? { toneOf: "InProgress" } : {}),
    age: age(ar.created, now),
    info: wide && ar.message ? ar.message : "",
    children: ar.metrics.map((m) => ({
      name: m.name,
      kind: "Metric",
      status: m.phase,
      ...(m.phase === "Running" ? { toneOf: "InProgress" } : {}),
      age: "",
      info: m.judgement
        ? m.judgement.head
        : [
            m.value === undefined ? "no value yet" : `value:${m.value}`,
            `measurements:${m.measurements}`,
          ].join(","),
      // A judgement shows each judged metric on its own row: the verdict and why, in one line.
      children: (m.judgement?.metrics ?? []).map((j) => ({
        name: j.name,
        kind: "Judged",
        status: j.verdict,
        age: "",
        info: j.line,
        children: [],
      })),
    })),
  };
}

/** Rows of the tree: box-drawing prefixes, then NAME KIND STATUS AGE INFO columns. */
function flatten(node: Node, prefix: string, last: boolean, root: boolean, paint: Paint): string[][] {
  const branch = root ? "" : last ? "└──" : "├──";
  const statusCell = node.status === "" ? "" : badge(node.status, paint, node.toneOf);
  const rows = [[`${prefix}${branch}${node.name}`, node.kind, statusCell, node.age, node.info]];
  const childPrefix = root ? "" : `${prefix}${last ? "   " : "│  "}`;
  node.children.forEach((c, i) => {
    rows.push(...flatten(c, childPrefix, i === node.children.length - 1, false, paint));
  });
  return rows;
}

/** The whole `get rollout` output, one string per line. */
export function renderRolloutTree(tree: RolloutTree, opts: TreeOptions): string[] {
  const paint = opts.paint ?? plain;
  const wide = opts.wide ?? false;
  const v = rolloutView(tree.rollout);
  const rsViews = tree.replicaSets.map(replicaSetView).sort((a, b) => b.revision - a.revision);
  const pods = tree.pods.map((p) => ({
    hash: p.metadata?.labels?.["ramp.dev/pod-template-hash"],
    view: podView(p),
  }));
  const runs = tree.analysisRuns.map(analysisRunView).sort((a, b) => a.name.localeCompare(b.name));
  const placed = new Set<string>();
  const revisionNodes: Node[] = rsViews.map((rs) => {
    const role = roleOf(v, rs);
    const rsPods = pods
      .filter((p) => p.hash === rs.hash)
      .map((p) => p.view)
      .sort((a, b) => a.name.localeCompare(b.name));
    const rsRuns = runs.filter((ar) =>
      ar.hash !== undefined ? ar.hash === rs.hash : ar.revision === rs.revision,
    );
    for (const ar of rsRuns) placed.add(ar.name);
    const info = [...(role ? [role] : []), `ready:${rs.ready}/${rs.desired}`].join(",");
    return {
      name: `# revision:${rs.revision}`,
      kind: "",
      status: "",
      age: "",
      info: "",
      children: [
        {
          name: `⧉ ${rs.name}`,
          kind: "ReplicaSet",
          status: rsStatus(rs),
          age: age(rs.created, opts.now),
          info,
          children: rsPods.map((p) => podNode(p, opts.now, wide)),
        },
        ...rsRuns.map((ar) => runNode(ar, opts.now, wide)),
      ],
    };
  });
  const loose = runs.filter((ar) => !placed.has(ar.name)).map((ar) => runNode(ar, opts.now, wide));
  const root: Node = {
    name: `⟳ ${v.name}`,
    kind: "Rollout",
    status: v.status.phase ?? "",
    age: age(v.created, opts.now),
    info: "",
    children: [...revisionNodes, ...loose],
  };
  const rows = [["NAME", "KIND", "STATUS", "AGE", "INFO"], ...flatten(root, "", true, true, paint)];
  return [...summary(v, rsViews, paint), "", ...table(rows)];
}
