// Label selectors: matching a pod template's labels, and the string form the scale subresource needs.
import type { LabelSelector } from "../api/index.ts";

type Labels = Record<string, string> | undefined;

/** True when `labels` satisfy every matchLabels entry and matchExpressions requirement. */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(l, e.key);
    const value = l[e.key];
    const values = e.values ?? [];
    if (e.operator === "In" && !(has && value !== undefined && values.includes(value))) return false;
    if (e.operator === "NotIn" && has && value !== undefined && values.includes(value)) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

/** `app=web,tier in (a,b)`: the form kubectl and the HPA read from status.selector. */
export function selectorString(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(",");
    if (e.operator === "In") parts.push(`${e.key} in (${values})`);
    if (e.operator === "NotIn") parts.push(`${e.key} notin (${values})`);
    if (e.operator === "Exists") parts.push(e.key);
    if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  return parts.join(",");
}
