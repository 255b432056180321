// canary.steps: one action a step in ramp, so a step with several (Argo allows setCanaryScale, setHeaderRoute
// or setMirrorRoute beside another) is split in Argo's order of effect; experiment and plugin steps, and
// route steps without a router, are dropped; setWeight is rescaled when maxTrafficWeight went with routing.
import { isMap, isPair, isScalar, type Node, type Pair, YAMLMap } from "yaml";
import { isObject } from "../../../json.ts";
import type { Edit } from "../edit.ts";
import type { Path } from "../source.ts";
import { argoReason } from "./reasons.ts";
import type { Refusal } from "./traffic.ts";

/** Argo applies these at once when the step starts and then waits on the step's other action. */
const EFFECTS = ["setCanaryScale", "setHeaderRoute", "setMirrorRoute"];
const WAITS = ["setWeight", "pause", "analysis"];
const REFUSED = ["experiment", "plugin"];

export type StepOptions = {
  routed: boolean;
  /** The maxTrafficWeight of a trafficRouting that was dropped: setWeight is out of it. */
  droppedMaxWeight: number | undefined;
  refusal: Refusal;
};

const keyOf = (p: Pair) => String(isScalar(p.key) ? p.key.value : p.key);

/** A mirror match ramp cannot express exactly: mirroring it anyway would copy more requests than asked. */
function inexactMirror(match: unknown): string | undefined {
  if (!Array.isArray(match)) return undefined;
  const bad = match.filter(isObject).flatMap((m) => {
    const method = isObject(m.method) ? Object.keys(m.method) : [];
    const path = isObject(m.path) ? Object.keys(m.path) : [];
    const headers = isObject(m.headers) ? Object.values(m.headers).filter(isObject).flatMap(Object.keys) : [];
    return [
      ...method.filter((k) => k !== "exact").map((k) => `method.${k}`),
      ...path.filter((k) => k === "regex").map((k) => `path.${k}`),
      ...headers.filter((k) => k !== "exact").map((k) => `headers.*.${k}`),
    ];
  });
  return bad.length > 0 ? [...new Set(bad)].join(", ") : undefined;
}

/** Why the action `key` of step `at` cannot be carried, or undefined when it can. */
function refuseAction(edit: Edit, at: Path, key: string, opts: StepOptions): string | undefined {
  if (REFUSED.includes(key)) return `not supported by ramp: ${opts.refusal([...at, key]) ?? ""}`;
  if ((key === "setHeaderRoute" || key === "setMirrorRoute") && !opts.routed)
    return "needs trafficRouting, which was dropped (see above)";
  if (key === "setMirrorRoute") {
    const bad = inexactMirror(edit.value([...at, key, "match"]));
    if (bad)
      return `ramp mirrors by exact method, exact or prefix path and exact header values; ${bad} would mirror more requests than asked`;
  }
  if (!EFFECTS.includes(key) && !WAITS.includes(key)) return argoReason([...at, key]);
  return undefined;
}

/** Normalizes what ramp reads differently in a carried action (pause "30" → 30, setWeight's total). */
function adjustAction(edit: Edit, at: Path, key: string, opts: StepOptions): void {
  if (key === "pause") {
    const d = edit.value([...at, "pause", "duration"]);
    if (typeof d === "string" && /^\d+$/.test(d)) edit.set([...at, "pause", "duration"], Number(d));
  }
  const w = edit.value([...at, "setWeight"]);
  if (key === "setWeight" && opts.droppedMaxWeight && typeof w === "number") {
    const pct = Math.round((w * 100) / opts.droppedMaxWeight);
    edit.set([...at, "setWeight"], pct);
    edit.note(
      [...at, "setWeight"],
      `${w} of maxTrafficWeight ${opts.droppedMaxWeight} is ${pct}% of replicas now that trafficRouting was dropped`,
    );
  }
}

/** The carried actions of step `at`, each as its own one-key step, in Argo's order of effect. */
function splitStep(edit: Edit, at: Path, node: YAMLMap, opts: StepOptions): Node[] {
  const pairs = node.items.filter((p): p is Pair => isPair(p));
  const kept: Pair[] = [];
  for (const p of pairs) {
    const key = keyOf(p);
    const why = refuseAction(edit, at, key, opts);
    if (why) edit.report([...at, key], why);
    else {
      adjustAction(edit, at, key, opts);
      kept.push(p);
    }
  }
  const source = edit.sourceValue(at);
  if (isObject(source) && Object.keys(source).length === 0) edit.report(at, "an empty step does nothing");
  const rank = (p: Pair) => (EFFECTS.includes(keyOf(p)) ? EFFECTS.indexOf(keyOf(p)) : EFFECTS.length);
  const ordered = [...kept].sort((a, b) => rank(a) - rank(b));
  if (kept.length <= 1) {
    node.items = kept;
    return kept.length === 1 ? [node] : [];
  }
  edit.note(
    at,
    `split into ${ordered.length} steps (${ordered.map(keyOf).join(", ")}): ramp takes one action a step; ` +
      "later step indices shift",
  );
  return ordered.map((p, i) => {
    const step = new YAMLMap(edit.doc.schema);
    step.items = [p];
    if (i === 0 && node.commentBefore) step.commentBefore = node.commentBefore;
    return step;
  });
}

/**
 * Converts `<canary>.steps` in place. Returns where each source step now starts (a dropped step: where
 * the next one does), for analysis.startingStep.
 */
export function convertSteps(edit: Edit, canary: Path, opts: StepOptions): (source: number) => number {
  const at = [...canary, "steps"];
  const items = edit.items(at);
  const out: Node[] = [];
  const from: number[] = [];
  items.forEach((node, i) => {
    const steps = isMap(node) ? splitStep(edit, [...at, i], node, opts) : [];
    if (!isMap(node)) edit.report([...at, i], "a step is a mapping with one action");
    for (const s of steps) {
      out.push(s);
      from.push(i);
    }
  });
  if (items.length > 0) edit.rebuild(at, out, from);
  return (source) => {
    const index = from.findIndex((f) => f >= source);
    return index === -1 ? out.length : index;
  };
}
