// Managed rules (Gateway API) and HTTP routes (Istio): the entries ramp adds for setHeaderRoute and
// setMirrorRoute, kept as one contiguous block, in managedRoutes order, right before the weighted entry.
import { type Patcher, pointer } from "./json-patch.ts";

type Named = { name?: string };

/**
 * Makes the list at `path` hold exactly `desired` (by name, in order) right before `anchor`, touching no
 * other entry. Entries whose name is in `managed` are ramp's; any difference rewrites the whole block,
 * each removal guarded by a `test` of the entry's name.
 */
export function syncManaged<T extends Named>(opts: {
  p: Patcher;
  path: string[];
  managed: ReadonlySet<string>;
  desired: T[];
  /** The entry the block goes before (the first weighted rule or route). */
  anchor: object;
  same: (current: T, desired: T) => boolean;
}): void {
  const { p, managed, desired } = opts;
  const list = p.get(pointer(...opts.path)) as T[];
  const isManaged = (e: T) => e.name !== undefined && managed.has(e.name);
  const at = list.indexOf(opts.anchor as T);
  const block = list.slice(at - desired.length, at);
  const inPlace =
    at - desired.length >= 0 &&
    list.filter(isManaged).length === desired.length &&
    block.every((e, k) => {
      const want = desired[k];
      return want !== undefined && e.name === want.name && opts.same(e, want);
    });
  if (inPlace) return;
  for (let i = list.length - 1; i >= 0; i--) {
    const e = list[i];
    if (!e || !isManaged(e)) continue;
    p.test(pointer(...opts.path, i, "name"), e.name);
    p.remove(pointer(...opts.path, i));
  }
  let pos = list.indexOf(opts.anchor as T);
  for (const d of desired) p.add(pointer(...opts.path, pos++), d);
}
