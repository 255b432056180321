// One metric of an AnalysisTemplate. A metric ramp cannot run with the same meaning is dropped whole and
// reported, never left to pass on anything: a metric with no condition records values and passes on data.
import { CelError, compileCel } from "../../../cel/index.ts";
import { isObject } from "../../../json.ts";
import type { Edit } from "../edit.ts";
import type { Path } from "../source.ts";
import { exprToCel } from "./expr-to-cel.ts";
import type { Refusal } from "./traffic.ts";
import { convertDatadog, convertGraphite, convertNewRelic } from "./vendors.ts";

const CONDITIONS = ["successCondition", "failureCondition"] as const;
const ARG = /[{][{] *args[.][A-Za-z0-9_.-]+ *[}][}]/g;

/** Why the metric at `at` cannot be carried at all, or undefined. */
function metricRefusal(edit: Edit, at: Path, refusal: Refusal): string | undefined {
  const provider = edit.value([...at, "provider"]);
  const kinds = isObject(provider) ? Object.keys(provider) : [];
  const kind = kinds[0];
  if (kinds.length !== 1 || kind === undefined) return "a metric needs exactly one provider";
  const refused = refusal([...at, "provider", kind]);
  if (refused) return `the ${kind} provider is not supported by ramp: ${refused}`;
  if (kind === "prometheus" && edit.has([...at, "provider", "prometheus", "rangeQuery"]))
    return (
      "prometheus.rangeQuery: ramp asks instant queries; rewrite the query over a range " +
      "(e.g. avg_over_time(q[5m])) so the conditions see one value per series"
    );
  const limit = edit.value([...at, "consecutiveSuccessLimit"]);
  if (limit !== undefined && Number(limit) !== 0)
    return (
      `consecutiveSuccessLimit ${String(limit)} (wait for that many successes in a row): ramp has no such ` +
      "limit; a metric ends after count measurements"
    );
  return undefined;
}

/** expr → CEL for each condition; the reason when one cannot be translated (or would not compile). */
function translateConditions(edit: Edit, at: Path): string | undefined {
  for (const field of CONDITIONS) {
    const expr = edit.value([...at, field]);
    if (typeof expr !== "string") continue;
    const r = exprToCel(expr);
    if (!r.ok) return `${field} "${expr}" has no CEL translation (${r.reason}): rewrite it in CEL`;
    try {
      // ramp pastes args into a condition before compiling it (src/analysis/resolve.ts), as Argo does.
      compileCel(r.cel.replace(ARG, "0"), { result: "dyn" });
    } catch (err) {
      if (!(err instanceof CelError)) throw err;
      return `${field} "${expr}" translates to "${r.cel}", which is not valid CEL (${err.message})`;
    }
    if (r.cel !== expr) edit.set([...at, field], r.cel);
    for (const note of r.notes) edit.note([...at, field], note);
  }
  return undefined;
}

/** Web jsonBody (an object sent as JSON) becomes ramp's body text with the Content-Type Argo sets. */
function convertJsonBody(edit: Edit, at: Path): void {
  const web = [...at, "provider", "web"];
  const body = edit.value([...web, "jsonBody"]);
  if (body === undefined) return;
  edit.rename(web, "jsonBody", "body", JSON.stringify(body));
  const headers = edit.value([...web, "headers"]);
  const list = Array.isArray(headers) ? headers.filter(isObject) : [];
  const header = { key: "Content-Type", value: "application/json" };
  // A Content-Type of the user's own stays; added to the list where there is one (its quoting kept).
  const own = list.some((h) => String(h.key).toLowerCase() === "content-type");
  if (!own && list.length > 0) edit.append([...web, "headers"], header);
  else if (!own) edit.set([...web, "headers"], [header]);
  edit.note(
    [...web, "jsonBody"],
    "sent as body (JSON text) with Content-Type: application/json, as Argo does",
  );
}

/**
 * Converts the metric at `at` in place; false when it must be dropped (already reported), which the
 * caller does by rebuilding the list.
 */
export function convertMetric(edit: Edit, at: Path, refusal: Refusal): boolean {
  const why =
    metricRefusal(edit, at, refusal) ??
    (edit.has([...at, "provider", "job"]) ? undefined : translateConditions(edit, at));
  if (why) {
    edit.report(at, `metric dropped: ${why}`);
    return false;
  }
  // Removed without loss of meaning: noted, not dropped.
  const moot: [Path, string][] = [
    [[...at, "consecutiveSuccessLimit"], "0 disables it (Argo's default): removed, ramp has no such limit"],
  ];
  if (edit.has([...at, "provider", "job"]))
    for (const field of CONDITIONS)
      moot.push([
        [...at, field],
        "a job metric's conditions are not evaluated (nor in Argo): the Job decides",
      ]);
  for (const [path, reason] of moot)
    if (edit.has(path)) {
      edit.note(path, reason);
      edit.remove(path);
    }
  convertJsonBody(edit, at);
  convertDatadog(edit, at);
  convertNewRelic(edit, at);
  convertGraphite(edit, at);
  return true;
}
