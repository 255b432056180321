// The overview's rows: one Map keyed by namespace/name that events upsert into, and the filtering and
// grouping the page shows. Pure, so the page's behaviour with 1,000 rows is tested without a browser.
import type { OverviewEvent, RolloutSummary } from "../../../contract.ts";

export type Phase = RolloutSummary["phase"];
export const PHASES: readonly Phase[] = ["Healthy", "Progressing", "Paused", "Degraded", "Unknown"];

export const rowKey = (namespace: string, name: string): string => `${namespace}/${name}`;

/** Is `next` older than `prev`? resourceVersions are compared as numbers when both are, else never stale. */
function isStale(prev: string, next: string): boolean {
  if (!/^\d+$/.test(prev) || !/^\d+$/.test(next)) return false;
  return BigInt(next) < BigInt(prev);
}

/**
 * Apply one stream event to the rows, in place. Returns whether anything changed, so the page re-renders
 * only then. An upsert replaces only its own entry (the other rows keep their identity, so memoised rows
 * skip rendering); a stale or identical upsert changes nothing.
 */
export function applyOverviewEvent(rows: Map<string, RolloutSummary>, event: OverviewEvent): boolean {
  switch (event.type) {
    case "snapshot": {
      const before = new Map(rows);
      rows.clear();
      for (const r of event.rollouts) {
        const key = rowKey(r.namespace, r.name);
        const old = before.get(key);
        // Keep the old object when nothing changed, so a re-sent snapshot re-renders nothing.
        rows.set(key, old && old.resourceVersion === r.resourceVersion ? old : r);
      }
      return true;
    }
    case "upsert": {
      const r = event.rollout;
      const key = rowKey(r.namespace, r.name);
      const old = rows.get(key);
      if (
        old &&
        (old.resourceVersion === r.resourceVersion || isStale(old.resourceVersion, r.resourceVersion))
      )
        return false;
      rows.set(key, r);
      return true;
    }
    case "delete":
      return rows.delete(rowKey(event.namespace, event.name));
  }
}

export type Filter = { name: string; label: string; phase: Phase | "" };
export const NO_FILTER: Filter = { name: "", label: "", phase: "" };

/** `app=web, tier` → [["app","web"],["tier",undefined]]: a bare key asks only that the label exists. */
export function parseLabelSelector(text: string): [string, string | undefined][] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => {
      const eq = part.indexOf("=");
      if (eq < 0) return [part, undefined];
      return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
    });
}

/** Does a row pass the filter? Name is a case-insensitive substring; every label pair must match. */
export function matchesFilter(row: RolloutSummary, filter: Filter): boolean {
  if (filter.phase !== "" && row.phase !== filter.phase) return false;
  const name = filter.name.trim().toLowerCase();
  if (name !== "" && !row.name.toLowerCase().includes(name)) return false;
  for (const [key, value] of parseLabelSelector(filter.label)) {
    const have = row.labels[key];
    if (have === undefined) return false;
    if (value !== undefined && have !== value) return false;
  }
  return true;
}

export type Group = { namespace: string; rows: RolloutSummary[] };

const sameRows = (a: RolloutSummary[], b: RolloutSummary[]): boolean =>
  a.length === b.length && a.every((r, i) => r === b[i]);

/**
 * The filtered rows grouped by namespace, namespaces and names sorted. A group whose rows are the very
 * objects of `previous` is returned as that same Group object, so an unchanged namespace skips rendering.
 */
export function groupRows(rows: Iterable<RolloutSummary>, filter: Filter, previous: Group[] = []): Group[] {
  const byNs = new Map<string, RolloutSummary[]>();
  for (const r of rows) {
    if (!matchesFilter(r, filter)) continue;
    const list = byNs.get(r.namespace);
    if (list) list.push(r);
    else byNs.set(r.namespace, [r]);
  }
  const prev = new Map(previous.map((g) => [g.namespace, g]));
  return [...byNs.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, list]) => {
      list.sort((a, b) => a.name.localeCompare(b.name));
      const old = prev.get(namespace);
      return old && sameRows(old.rows, list) ? old : { namespace, rows: list };
    });
}
