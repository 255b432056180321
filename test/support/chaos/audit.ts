// Audits everything one Rollout did during a chaos run, from the recorded versions of its status, its
// HTTPRoute and its ReplicaSets (ordered by resourceVersion: one etcd, one total order of writes) and its
// Events. Pure: each check returns findings, so a test can print them all at once with the seed.
import type { RolloutPlan } from "./plan.ts";

export type StatusView = {
  rv: number;
  phase?: string | undefined;
  currentPodHash?: string | undefined;
  stableRS?: string | undefined;
  currentStepIndex?: number | undefined;
  pauseStartTime?: string | null | undefined;
  abort?: { reason?: string } | null | undefined;
  machine?:
    | {
        value?: string;
        context?: { podHash?: string; stepsHash?: string; attempt?: number; stepStartedAt?: string };
      }
    | null
    | undefined;
};
/** One version of the Rollout's HTTPRoute: the canary's share of the weighted rule, in percent. */
export type RouteView = { rv: number; deleted: boolean; canaryPercent: number };
export type ReplicaSetView = { type: string; name: string; uid: string; hash: string };
export type EventView = { reason: string; message: string; count: number; firstTimestamp: string };

export type Timeline = {
  plan: RolloutPlan;
  /** The stable version before the new one shipped. */
  oldHash: string;
  statuses: StatusView[];
  routes: RouteView[];
  replicaSets: ReplicaSetView[];
  events: EventView[];
  /** When each SIGKILL was sent (epoch ms). */
  kills: number[];
};

export type Check = "steps" | "events" | "replicasets" | "weight" | "pause";
export type Finding = { rollout: string; check: Check; detail: string };
export type Audit = {
  findings: Finding[];
  /** StepStarted Events never written: best effort by design, lost when a kill follows the status write. */
  lostEvents: { step: string; killAfterMs: number }[];
  audited: { statuses: number; routes: number; replicaSets: number; events: number };
};

const byRv = <T extends { rv: number }>(xs: T[]): T[] => {
  const seen = new Map<number, T>();
  for (const x of xs) seen.set(x.rv, x);
  return [...seen.values()].sort((a, b) => a.rv - b.rv);
};

/** Status versions of the new version (the first deploy's are before it). */
const newVersion = (t: Timeline): StatusView[] =>
  byRv(t.statuses).filter((s) => s.currentPodHash !== undefined && s.currentPodHash !== t.oldHash);

/** The step index of each status of the new version, repeats folded: must read 0, 1, 2, … by one. */
export function auditSteps(t: Timeline): Finding[] {
  const out: Finding[] = [];
  const f = (detail: string) => out.push({ rollout: t.plan.name, check: "steps", detail });
  const statuses = newVersion(t);
  const indices: number[] = [];
  for (const s of statuses) {
    const i = s.currentStepIndex ?? -1;
    if (indices.at(-1) !== i) indices.push(i);
  }
  if (indices[0] !== 0) f(`the new version's first recorded step is ${indices[0]}, not 0`);
  for (let k = 1; k < indices.length; k++) {
    const [a, b] = [indices[k - 1] ?? 0, indices[k] ?? 0];
    if (b < a) f(`step ${b} again after step ${a} (sequence ${indices.join(",")})`);
    else if (b > a + 1) f(`skipped from step ${a} to step ${b} (sequence ${indices.join(",")})`);
  }
  const last = t.plan.good ? t.plan.steps.length : t.plan.analysisStep;
  if (indices.at(-1) !== last) f(`ended at step ${indices.at(-1)}, expected ${last}`);
  // One machine for the version: a changed steps hash or attempt would have started the steps over.
  const machines = new Set(
    statuses
      .map((s) => s.machine?.context)
      .filter((c) => c?.podHash === statuses[0]?.currentPodHash)
      .map((c) => `${c?.stepsHash}/${c?.attempt ?? 0}`),
  );
  if (machines.size > 1) f(`the steps started over: machines ${[...machines].join(" ")}`);
  return out;
}

const stepOfMessage = (message: string): number | undefined => {
  const m = /^step (\d+)\/(\d+): (.*)$/.exec(message);
  return m ? Number(m[1]) - 1 : undefined;
};

/** StepStarted Events: none repeated (one Event, count 1), none for a step the version never reached. */
export function auditEvents(t: Timeline): { findings: Finding[]; lost: Audit["lostEvents"] } {
  const findings: Finding[] = [];
  const f = (detail: string) => findings.push({ rollout: t.plan.name, check: "events", detail });
  const n = t.plan.steps.length;
  const last = t.plan.good ? n : t.plan.analysisStep;
  const started = new Map<number, EventView[]>();
  // Past the last step, the Promoting Event marks the start of the promotion (index n).
  for (const e of t.events.filter((x) => x.reason === "StepStarted" || x.reason === "Promoting")) {
    const i = e.reason === "Promoting" ? n : stepOfMessage(e.message);
    if (i === undefined) f(`StepStarted with an unexpected message: ${e.message}`);
    else started.set(i, [...(started.get(i) ?? []), e]);
  }
  for (const [i, es] of started) {
    const times = es.reduce((a, e) => a + e.count, 0);
    if (times > 1) f(`step ${i} started ${times} times: ${es.map((e) => e.message).join(" | ")}`);
    if (i > last) f(`step ${i} started, beyond the last step it may reach (${last})`);
  }
  // Step 0 starts with the version (RolloutStarted), so StepStarted is for steps 1..last. An Event is
  // written after the status that starts its step: only a kill after that step began can lose it.
  const lost: Audit["lostEvents"] = [];
  const statuses = newVersion(t);
  for (let i = 1; i <= last; i++) {
    if (started.has(i)) continue;
    const began = Date.parse(
      statuses.find((s) => s.currentStepIndex === i)?.machine?.context?.stepStartedAt ?? "",
    );
    const kill = t.kills.find((k) => k >= began);
    if (kill === undefined) f(`no StepStarted Event for step ${i}, and no kill after it began to explain it`);
    else lost.push({ step: `${t.plan.name} step ${i}`, killAfterMs: kill - began });
  }
  // The machine's other edges happen once per version too (Paused once per pause step).
  const once = ["RolloutStarted", "Paused", "Promoting", "Completed", "Aborted"];
  const times = new Map<string, number>();
  for (const e of t.events.filter((x) => once.includes(x.reason))) {
    const key = `${e.reason}: ${e.message}`;
    times.set(key, (times.get(key) ?? 0) + e.count);
  }
  for (const [key, n] of times) if (n > 1) f(`${key} recorded ${n} times`);
  return { findings, lost };
}

/** One ReplicaSet per version, created once (a second uid under a name is a delete and re-create). */
export function auditReplicaSets(t: Timeline): Finding[] {
  const out: Finding[] = [];
  const uids = new Map<string, Set<string>>();
  const names = new Map<string, Set<string>>();
  for (const r of t.replicaSets) {
    uids.set(r.name, (uids.get(r.name) ?? new Set()).add(r.uid));
    names.set(r.hash, (names.get(r.hash) ?? new Set()).add(r.name));
  }
  for (const [name, u] of uids)
    if (u.size > 1)
      out.push({ rollout: t.plan.name, check: "replicasets", detail: `${name} created ${u.size} times` });
  for (const [hash, n] of names)
    if (n.size > 1)
      out.push({
        rollout: t.plan.name,
        check: "replicasets",
        detail: `version ${hash} has ${[...n].join(", ")}`,
      });
  if (names.size !== 2)
    out.push({ rollout: t.plan.name, check: "replicasets", detail: `${names.size} versions, expected 2` });
  return out;
}

/** The most canary weight a status allows: its step's, none once aborted, all once promoted. */
export function allowedWeight(t: Timeline, s: StatusView | undefined): number {
  if (!s || s.currentPodHash === undefined || s.currentPodHash === t.oldHash) return 0;
  if (s.abort) return 0;
  return t.plan.weights[Math.min(s.currentStepIndex ?? 0, t.plan.steps.length)] ?? 0;
}

/**
 * No HTTPRoute version gives the canary more than the step in force. A reconcile writes routes before its
 * status, so a route version may already carry the step the next status records: the allowance is the
 * larger of the statuses just before and just after it (auditSteps holds those one step apart).
 */
export function auditWeights(t: Timeline): Finding[] {
  const out: Finding[] = [];
  const statuses = byRv(t.statuses);
  let k = 0;
  for (const r of byRv(t.routes)) {
    if (r.deleted) continue;
    while (k < statuses.length && (statuses[k]?.rv ?? 0) < r.rv) k++;
    const [before, after] = [statuses[k - 1], statuses[k]];
    const allowed = Math.max(allowedWeight(t, before), allowedWeight(t, after ?? before));
    if (r.canaryPercent > allowed + 1e-9) {
      out.push({
        rollout: t.plan.name,
        check: "weight",
        detail: `HTTPRoute rv ${r.rv} gives the canary ${r.canaryPercent}% while the step allows ${allowed}% (status before: step ${before?.currentStepIndex} rv ${before?.rv}; after: step ${after?.currentStepIndex} rv ${after?.rv})`,
      });
    }
  }
  return out;
}

/**
 * Each pause kept one start (pauseStartTime, equal to the step's start) and the next step started no
 * sooner than start + duration, by the controller's record and by its Event (whole seconds).
 */
export function auditPauses(t: Timeline): Finding[] {
  const out: Finding[] = [];
  const f = (detail: string) => out.push({ rollout: t.plan.name, check: "pause", detail });
  const statuses = newVersion(t);
  const n = t.plan.steps.length;
  t.plan.pauseMs.forEach((ms, i) => {
    if (ms === undefined) return;
    const during = statuses.filter((s) => s.currentStepIndex === i && s.phase === "Paused");
    const starts = new Set(during.map((s) => s.pauseStartTime).filter((x): x is string => !!x));
    const next = statuses.find((s) => (s.currentStepIndex ?? 0) > i);
    if (!next) return;
    if (starts.size !== 1) {
      f(`step ${i} was left with ${starts.size} recorded pause starts: ${[...starts].join(", ")}`);
      return;
    }
    const start = [...starts][0] ?? "";
    const mismatched = during.find((s) => s.machine?.context?.stepStartedAt !== start);
    if (mismatched) f(`step ${i}: pauseStartTime ${start} is not the step's start (rv ${mismatched.rv})`);
    const ended = Date.parse(next.machine?.context?.stepStartedAt ?? "");
    const waited = ended - Date.parse(start);
    if (!(waited >= ms)) f(`the ${ms} ms pause of step ${i} ended after ${waited} ms`);
    const event = t.events.find((e) =>
      i + 1 === n
        ? e.reason === "Promoting"
        : e.reason === "StepStarted" && stepOfMessage(e.message) === i + 1,
    );
    const floorStart = Math.floor(Date.parse(start) / 1000) * 1000;
    if (event && Date.parse(event.firstTimestamp) < floorStart + ms)
      f(
        `step ${i + 1} started (Event ${event.firstTimestamp}) before the ${ms} ms pause from ${start} ended`,
      );
  });
  return out;
}

export function auditTimeline(t: Timeline): Audit {
  const events = auditEvents(t);
  return {
    findings: [
      ...auditSteps(t),
      ...events.findings,
      ...auditReplicaSets(t),
      ...auditWeights(t),
      ...auditPauses(t),
    ],
    lostEvents: events.lost,
    audited: {
      statuses: byRv(t.statuses).length,
      routes: byRv(t.routes).length,
      replicaSets: t.replicaSets.length,
      events: t.events.length,
    },
  };
}

/** The audits of a run added up: what was looked at, what was wrong, which Events kills lost. */
export function totals(audits: Audit[]): Audit {
  const sum = (k: keyof Audit["audited"]) => audits.reduce((a, x) => a + x.audited[k], 0);
  return {
    findings: audits.flatMap((a) => a.findings),
    lostEvents: audits.flatMap((a) => a.lostEvents),
    audited: {
      statuses: sum("statuses"),
      routes: sum("routes"),
      replicaSets: sum("replicaSets"),
      events: sum("events"),
    },
  };
}
