// AnalysisTemplate and ClusterAnalysisTemplate: args carry; each metric is converted or dropped whole; a
// template left without metrics is not written (ramp needs at least one).
import { AnalysisTemplateSpec } from "../../../api/index.ts";
import { check, findingPath } from "../check.ts";
import type { Edit } from "../edit.ts";
import { pruneUnknown, schemaOf, unsupportedReason } from "../prune.ts";
import type { Path } from "../source.ts";
import { fixNameRefs, type TemplateInfo } from "./analysis-ref.ts";
import { convertMetadata } from "./metadata.ts";
import { convertMetric } from "./metrics.ts";
import { argoReason } from "./reasons.ts";

const SPEC: Path = ["spec"];
const METRICS: Path = ["spec", "metrics"];

/** Keeps the metrics at the indices `keep` (each list item a node of the current list). */
function keepMetrics(edit: Edit, keep: number[]): void {
  const items = edit.items(METRICS);
  if (keep.length === items.length) return;
  edit.rebuild(
    METRICS,
    keep.map((i) => items[i] as NonNullable<(typeof items)[number]>),
    keep,
  );
}

/** Drops, one at a time, each metric ramp's own rules still refuse (a value it reads differently). */
function dropRefused(edit: Edit, kept: string[], dropped: string[]): void {
  for (let round = 0; round < 64; round++) {
    const metric = check(edit)
      .map((f) => ({ f, path: findingPath(f) }))
      .find(({ path }) => path[0] === "spec" && path[1] === "metrics" && typeof path[2] === "number");
    if (!metric) return;
    const i = metric.path[2] as number;
    edit.report([...METRICS, i], `metric dropped: ramp refuses ${metric.f.message} (fix: ${metric.f.fix})`);
    const [name] = kept.splice(i, 1);
    if (name !== undefined) dropped.push(name);
    keepMetrics(
      edit,
      kept.map((_, j) => (j < i ? j : j + 1)),
    );
  }
}

/** Converts the template in place; what it kept and whether it can be written. */
export function convertTemplate(edit: Edit): TemplateInfo {
  convertMetadata(edit);
  const schema = schemaOf(AnalysisTemplateSpec);
  const refusal = (path: Path) => unsupportedReason(schema, path.slice(SPEC.length));
  const count = edit.items(METRICS).length;
  const keep: number[] = [];
  const kept: string[] = [];
  const dropped: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = String(edit.value([...METRICS, i, "name"]) ?? "");
    if (convertMetric(edit, [...METRICS, i], refusal)) {
      keep.push(i);
      kept.push(name);
    } else dropped.push(name);
  }
  keepMetrics(edit, keep);
  pruneUnknown(edit, SPEC, schema, argoReason);
  if (kept.length > 0) dropRefused(edit, kept, dropped);
  fixNameRefs(edit, SPEC, kept, dropped);
  const written = kept.length > 0;
  if (!written)
    edit.report(
      METRICS,
      count === 0
        ? "the template has no metrics: not written"
        : "no metric of the template could be converted: the template is not written",
    );
  return { written, kept, dropped };
}
