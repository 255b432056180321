// The converted object against ramp's own rules (the lint's schema and CEL checks): what a converter
// missed is caught here, so nothing is written that `kubectl ramp lint` or the apiserver would refuse.
import { isMap, isScalar, isSeq, type Node } from "yaml";
import { type Finding, pathSegments, validate } from "../lint/lint.ts";
import type { Edit } from "./edit.ts";
import type { Path } from "./source.ts";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Mapping keys that are not strings (`key: {{args.x}}` unquoted is a map as a key): no JSON has them. */
function oddKeys(node: unknown, path: Path): Path[] {
  if (isSeq(node)) return node.items.flatMap((item, i) => oddKeys(item, [...path, i]));
  if (!isMap(node)) return [];
  return node.items.flatMap((p) =>
    // A key the converter set is a plain string; one parsed is a Scalar node.
    isScalar(p.key) || typeof p.key !== "object"
      ? oddKeys(p.value, [...path, String(isScalar(p.key) ? p.key.value : p.key)])
      : [path],
  );
}

/** What no Kubernetes object can be, whatever its kind: a name the apiserver refuses, a key not a string. */
function objectFindings(edit: Edit): { path: Path; reason: string }[] {
  const name = edit.value(["metadata", "name"]);
  const out = oddKeys(edit.doc.contents as Node | null, []).map((path) => ({
    path,
    reason: "it holds a key that is not a string (an unquoted {{…}} reads as a YAML map): quote the value",
  }));
  if (typeof name === "string" && !DNS_SUBDOMAIN.test(name))
    out.push({
      path: ["metadata", "name"],
      reason: `metadata.name "${name}" is not a DNS-1123 subdomain (a template placeholder?)`,
    });
  return out;
}

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
  const invalid = objectFindings(edit);
  for (const f of invalid) edit.report(f.path, `not converted: ${f.reason}`);
  if (invalid.length > 0) return false;
  const found = check(edit);
  for (const f of found)
    edit.report(findingPath(f), `not converted: ramp refuses the result: ${f.message} (fix: ${f.fix})`);
  return found.length === 0;
}
