// A metric's int-or-string fields (count, the limits, interval, initialDelay) resolved from the run's args,
// as Argo Rollouts resolves them when a run starts. Args from Secrets are known only then, so the run
// reconciler resolves on every pass and never writes the result back.
import { type Metric, parseDuration } from "../api/index.ts";
import { substitute } from "./providers/args.ts";

export const INT_FIELDS = ["count", "failureLimit", "inconclusiveLimit", "consecutiveErrorLimit"] as const;
export const DURATION_FIELDS = ["interval", "initialDelay"] as const;
export type IntField = (typeof INT_FIELDS)[number];
export type DurationField = (typeof DURATION_FIELDS)[number];

/** A metric whose counts and limits are numbers and whose durations parse: what judging reads. */
export type ResolvedMetric = Omit<Metric, IntField> & { [K in IntField]?: number | undefined };

const INT32_MAX = 2147483647;
export const MIN_INTERVAL_MS = 1000;
const MIN: Record<IntField, number> = {
  count: 1,
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 0,
};

/** The args a value names: `{{args.a}}-{{args.b}}` → ["a", "b"]. */
export const argsOf = (raw: string): string[] => [
  ...new Set([...raw.matchAll(/\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}/g)].map((m) => m[1] ?? "")),
];

/** Where to put the fix: the args the value came from, or the field itself when it names none. */
function where(raw: string, field: string): string {
  const names = argsOf(raw);
  if (names.length === 0) return `in ${field}`;
  const quoted = names.map((n) => `"${n}"`).join(", ");
  return `in the analysis arg${names.length === 1 ? "" : "s"} ${quoted}`;
}

function fill(metric: string, field: string, raw: string, args: Record<string, string>): string {
  const missing = argsOf(raw).find((a) => args[a] === undefined);
  if (missing !== undefined)
    throw new Error(
      `metric "${metric}": ${field} "${raw}" names the arg "${missing}", which the run does not have: ` +
        "declare it in the template's args",
    );
  return substitute(raw, args, (v) => v);
}

/** A count or limit as a number; throws naming the metric, the field, what it resolved to and the fix. */
export function resolveInt(
  metric: string,
  field: IntField,
  raw: number | string,
  args: Record<string, string>,
): number {
  if (typeof raw === "number") return raw;
  const text = fill(metric, field, raw, args);
  const min = MIN[field];
  const bad = (what: string, want: string) =>
    new Error(
      `metric "${metric}": ${field} "${raw}" resolved to "${text}", which ${what}: pass ${want} ${where(raw, field)}`,
    );
  if (!/^[0-9]+$/.test(text)) throw bad("is not a whole number", "an integer");
  const n = Number(text);
  if (n < min) throw bad(`is less than ${min}`, `an integer >= ${min}`);
  if (n > INT32_MAX) throw bad(`is more than ${INT32_MAX}`, "a smaller integer");
  return n;
}

/** An interval or initial delay that parses: whole seconds or a duration such as "30s". */
export function resolveDuration(
  metric: string,
  field: DurationField,
  raw: number | string,
  args: Record<string, string>,
): number | string {
  if (typeof raw === "number") return raw;
  const text = fill(metric, field, raw, args);
  let ms: number;
  try {
    ms = parseDuration(text, field);
  } catch {
    throw new Error(
      `metric "${metric}": ${field} "${raw}" resolved to "${text}", which is not a duration: pass whole seconds ` +
        `(30) or a duration such as "30s", "5m", "1h30m" ${where(raw, field)}`,
    );
  }
  // As admission refuses a literal one: a shorter interval would measure about every 50 ms.
  if (field === "interval" && ms < MIN_INTERVAL_MS)
    throw new Error(
      `metric "${metric}": interval "${raw}" resolved to "${text}", which is less than 1s: pass at least 1s ` +
        `("30s") ${where(raw, field)}`,
    );
  return text;
}

/** A count or limit as a number, an interval or delay as a duration that parses. */
export function resolveField(
  metric: string,
  field: IntField | DurationField,
  raw: number | string,
  args: Record<string, string>,
): number | string {
  return field === "interval" || field === "initialDelay"
    ? resolveDuration(metric, field, raw, args)
    : resolveInt(metric, field, raw, args);
}

/** The metric with every int-or-string field resolved; throws on the first that does not resolve. */
export function resolveMetric(m: Metric, args: Record<string, string>): ResolvedMetric {
  const { count: _c, failureLimit: _f, inconclusiveLimit: _i, consecutiveErrorLimit: _e, ...rest } = m;
  const out: ResolvedMetric = { ...rest };
  for (const f of INT_FIELDS) {
    const v = m[f];
    if (v !== undefined) out[f] = resolveInt(m.name, f, v, args);
  }
  for (const f of DURATION_FIELDS) {
    const v = m[f];
    if (v !== undefined) out[f] = resolveDuration(m.name, f, v, args);
  }
  // As Argo: args go into the conditions as written (result == "{{args.expected}}", result[0] < {{args.max}}).
  for (const f of ["successCondition", "failureCondition"] as const) {
    const v = m[f];
    if (v !== undefined) out[f] = conditionWithArgs(m.name, f, v, args);
  }
  return out;
}

function conditionWithArgs(
  metric: string,
  field: string,
  expr: string,
  args: Record<string, string>,
): string {
  try {
    return substitute(expr, args, (v) => v);
  } catch (err) {
    throw new Error(`metric "${metric}": ${field}: ${(err as Error).message}`, { cause: err });
  }
}
