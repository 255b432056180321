// A Rollout's analysis references (steps, background, blue-green gates) and a template's own dryRun and
// measurementRetention: references to templates and metrics that were dropped go with a report, and
// metric names keep Argo's reading (a regular expression found anywhere in the name; ramp matches whole names).
import { isObject } from "../../../json.ts";
import type { Edit } from "../edit.ts";
import type { Path } from "../source.ts";

/** What became of an input template: the metrics it kept and dropped, and whether it was written. */
export type TemplateInfo = { written: boolean; kept: string[]; dropped: string[] };
/** The input template a reference names (undefined when it is not among the inputs). */
export type TemplateIndex = (
  name: string,
  cluster: boolean,
  namespace: string | undefined,
) => TemplateInfo | undefined;

const argoMatch = (pattern: string, name: string): boolean | undefined => {
  if (pattern === "*") return true;
  try {
    return new RegExp(pattern).test(name);
  } catch {
    return undefined;
  }
};

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The ramp pattern for an Argo one, or null to remove the entry, or undefined to keep it as it is. */
function rampPattern(pattern: string, kept: string[], dropped: string[]): string | null | undefined {
  const hits = kept.filter((n) => argoMatch(pattern, n));
  if (hits.length === 0 && dropped.some((n) => argoMatch(pattern, n))) return null;
  if (pattern === "*" || hits.length === 0) return undefined;
  const whole = kept.filter((n) => new RegExp(`^(?:${pattern})$`).test(n));
  if (whole.length === hits.length) return undefined;
  return hits.length === 1 ? escapeRe(hits[0] ?? "") : `.*(?:${pattern}).*`;
}

/** dryRun and measurementRetention of the block at `at`, read against the metrics they can name. */
export function fixNameRefs(edit: Edit, at: Path, kept: string[], dropped: string[]): void {
  for (const list of ["dryRun", "measurementRetention"]) {
    const items = edit.items([...at, list]);
    const keep: number[] = [];
    items.forEach((_, j) => {
      const path = [...at, list, j, "metricName"];
      const pattern = edit.value(path);
      const next = typeof pattern === "string" ? rampPattern(pattern, kept, dropped) : undefined;
      if (next === null) edit.note([...at, list, j], `names only metrics that were dropped: removed`);
      else keep.push(j);
      if (typeof next === "string") {
        edit.set(path, next);
        edit.note(
          path,
          `ramp matches whole metric names: "${String(pattern)}" (found anywhere by Argo) becomes "${next}"`,
        );
      }
    });
    if (keep.length < items.length)
      edit.rebuild(
        [...at, list],
        keep.map((j) => items[j] as NonNullable<(typeof items)[number]>),
        keep,
      );
  }
}

/** Every analysis block of a Rollout, as paths. */
export function analysisBlocks(edit: Edit): Path[] {
  const canary = ["spec", "strategy", "canary"];
  const bg = ["spec", "strategy", "blueGreen"];
  const steps = edit.items([...canary, "steps"]).map((_, i) => [...canary, "steps", i, "analysis"]);
  return [
    ...steps,
    [...canary, "analysis"],
    [...bg, "prePromotionAnalysis"],
    [...bg, "postPromotionAnalysis"],
  ].filter((p) => edit.has(p));
}

/** Drops references to templates that were not written; a block left with none goes, reported. */
export function convertAnalysisRefs(edit: Edit, index: TemplateIndex, namespace: string | undefined): void {
  for (const at of analysisBlocks(edit)) {
    const refs = edit.value([...at, "templates"]);
    const list = Array.isArray(refs) ? refs : [];
    const infos = list.map((r) =>
      isObject(r) && typeof r.templateName === "string"
        ? index(r.templateName, r.clusterScope === true, namespace)
        : undefined,
    );
    const keep = infos.flatMap((info, j) => (info?.written === false ? [] : [j]));
    if (keep.length === 0 && list.length > 0) {
      const names = list.map((r) => (isObject(r) ? String(r.templateName) : "")).join(", ");
      edit.drop(at, `analysis dropped: none of its templates (${names}) was converted (see their drops)`);
      continue;
    }
    for (const [j, info] of infos.entries())
      if (info?.written === false)
        edit.report(
          [...at, "templates", j],
          "the template was not converted (see its drops): not referenced",
        );
    const items = edit.items([...at, "templates"]);
    if (keep.length < list.length)
      edit.rebuild(
        [...at, "templates"],
        keep.map((j) => items[j] as NonNullable<(typeof items)[number]>),
        keep,
      );
    const known = keep.map((j) => infos[j]);
    if (known.every((i) => i !== undefined))
      fixNameRefs(
        edit,
        at,
        known.flatMap((i) => i?.kept ?? []),
        infos.flatMap((i) => i?.dropped ?? []),
      );
  }
}
