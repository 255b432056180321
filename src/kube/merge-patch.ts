// RFC 7386 JSON merge patches computed as a diff, so a write carries only what changed.
import { isObject } from "../json.ts";
import { canonicalJson } from "./hash.ts";

type Json = Record<string, unknown>;

/**
 * The merge patch turning `before` into `after` for the keys `after` names: `null` in `after` removes a
 * key, nested objects are diffed, arrays are replaced whole. Keys `after` does not name are left alone.
 */
export function mergePatchDiff(before: Json | undefined, after: Json): Json {
  const patch: Json = {};
  for (const [key, next] of Object.entries(after)) {
    if (next === undefined) continue;
    const prev = before?.[key];
    if (next === null) {
      if (prev !== undefined && prev !== null) patch[key] = null;
    } else if (isObject(next) && isObject(prev)) {
      const removed = Object.keys(prev).filter((k) => !(k in next));
      const sub = mergePatchDiff(prev, { ...next, ...Object.fromEntries(removed.map((k) => [k, null])) });
      if (Object.keys(sub).length > 0) patch[key] = sub;
    } else if (canonicalJson(prev) !== canonicalJson(next)) {
      patch[key] = next;
    }
  }
  return patch;
}
