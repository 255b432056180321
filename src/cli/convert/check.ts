// The converted object against ramp's own rules (the lint's schema and CEL checks): what a converter
// missed is caught here, so nothing is written that `kubectl ramp lint` or the apiserver would refuse.
import { type Finding, pathSegments, validate } from "../lint/lint.ts";
import type { Edit } from "./edit.ts";

/** ramp's findings on the object as it now stands in `edit.doc`. */
export function check(edit: Edit): Finding[] {
  const object = edit.doc.toJS() as Record<string, unknown>;
  const meta = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  return validate({
    file: edit.src.file,
    document: 1,
    object,
    kind: typeof object.kind === "string" ? object.kind : undefined,
    name: typeof meta.name === "string" ? meta.name : undefined,
    namespace: typeof meta.namespace === "string" ? meta.namespace : undefined,
    lineOf: () => undefined,
  });
}

/** A finding's field as a path. */
export const findingPath = (f: Finding) => pathSegments(f.path);

/** Reports every finding as a drop of the whole object; true when there were none. */
export function refuseOnFindings(edit: Edit): boolean {
  const found = check(edit);
  for (const f of found)
    edit.report(findingPath(f), `not converted: ramp refuses the result: ${f.message} (fix: ${f.fix})`);
  return found.length === 0;
}
