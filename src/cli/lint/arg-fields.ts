// Metric fields written as "{{args.NAME}}" (count, the limits, interval, initialDelay): the arg must be
// declared, and a literal value a Rollout passes must resolve to what the field needs, or the run it
// starts would end Error (src/analysis/resolve.ts).
import { argsOf, DURATION_FIELDS, INT_FIELDS, resolveField } from "../../analysis/resolve.ts";
import { isObject } from "../../json.ts";
import type { Doc, Finding } from "./lint.ts";

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObject) : []);
const obj = (v: unknown): Obj => (isObject(v) ? v : {});
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The args every run has (src/analysis/build.ts). */
const BUILTIN = ["rollout-name", "namespace", "canary-hash", "stable-hash"];
const FIELDS = [...INT_FIELDS, ...DURATION_FIELDS];

export type MakeFinding = (doc: Doc, path: string, message: string, fix: string) => Finding;

/** Each templated field of a template's metrics: index, field and the text as written. */
function templated(
  template: Doc,
): { i: number; field: (typeof FIELDS)[number]; raw: string; name: string }[] {
  return list(obj(template.object.spec).metrics).flatMap((m, i) =>
    FIELDS.flatMap((field) => {
      const raw = str(m[field]);
      return raw !== undefined && argsOf(raw).length > 0 ? [{ i, field, raw, name: str(m.name) ?? "" }] : [];
    }),
  );
}

/** Templated fields that name an arg the template does not declare (the run would end Error). */
export function undeclaredArgFindings(template: Doc, finding: MakeFinding): Finding[] {
  const declared = new Set([...BUILTIN, ...list(obj(template.object.spec).args).map((a) => str(a.name))]);
  return templated(template).flatMap(({ i, field, raw }) =>
    argsOf(raw)
      .filter((a) => !declared.has(a))
      .map((a) =>
        finding(
          template,
          `spec.metrics[${i}].${field}`,
          `"${raw}" names the arg "${a}", which the template does not declare: the run would end Error`,
          `add { name: ${a} } to spec.args (the Rollout then passes its value)`,
        ),
      ),
  );
}

/**
 * A Rollout's literal args against a template's templated fields: a value that resolves to no number (or
 * duration) would end the run Error. `argsPath` is the Rollout's `…analysis.args`.
 */
export function argValueFindings(
  rollout: Doc,
  argsPath: string,
  given: Obj[],
  template: Doc,
  finding: MakeFinding,
): Finding[] {
  const values: Record<string, string> = {};
  for (const a of list(obj(template.object.spec).args)) {
    const name = str(a.name);
    const value = str(a.value);
    if (name && value !== undefined) values[name] = value;
  }
  for (const a of given) {
    const name = str(a.name);
    if (!name) continue;
    const value = str(a.value);
    if (value === undefined) delete values[name];
    else values[name] = value;
  }
  const out: Finding[] = [];
  for (const { field, raw, name } of templated(template)) {
    if (argsOf(raw).some((a) => values[a] === undefined)) continue;
    try {
      resolveField(name, field, raw, values);
    } catch (err) {
      out.push(
        finding(
          rollout,
          argsPath,
          `template "${template.name ?? ""}": ${(err as Error).message} (the run would end Error)`,
          `give ${argsOf(raw)
            .map((a) => `"${a}"`)
            .join(", ")} a value that ${field} accepts`,
        ),
      );
    }
  }
  return out;
}
