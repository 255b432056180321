// --sort-by as kubectl takes it: a JSONPath field expression, `.metadata.name` or `{.status.phase}`,
// with `[N]` indexes and `\.` for a dot inside a key (`.metadata.labels.app\.kubernetes\.io/name`).
import { UsageError } from "../context.ts";

type Key = string | number;

/** The keys of a field expression; a usage error when it is not one. */
export function fieldPath(expr: string): Key[] {
  const body = /^\{(.*)\}$/s.exec(expr.trim())?.[1] ?? expr.trim();
  if (!body.startsWith(".") && !body.startsWith("["))
    throw new UsageError(`--sort-by ${expr}: not a field expression such as .metadata.name`);
  const keys: Key[] = [];
  const re = /\.((?:\\.|[^.[\\])+)|\[(\d+)\]|\['([^']*)'\]/y;
  let at = 0;
  while (at < body.length) {
    re.lastIndex = at;
    const m = re.exec(body);
    if (!m) throw new UsageError(`--sort-by ${expr}: cannot read "${body.slice(at)}"`);
    if (m[1] !== undefined) keys.push(m[1].replace(/\\(.)/g, "$1"));
    else if (m[2] !== undefined) keys.push(Number(m[2]));
    else keys.push(m[3] ?? "");
    at = re.lastIndex;
  }
  return keys;
}

function valueAt(obj: unknown, keys: Key[]): unknown {
  let v = obj;
  for (const k of keys) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<Key, unknown>)[k];
  }
  return v;
}

/** Objects sorted by the field (numbers as numbers, the rest as text; missing first), stably. */
export function sortBy<T>(items: T[], expr: string): T[] {
  const keys = fieldPath(expr);
  const decorated = items.map((item, i) => ({ item, i, v: valueAt(item, keys) }));
  decorated.sort((a, b) => {
    if (a.v === undefined || b.v === undefined) return a.v === b.v ? a.i - b.i : a.v === undefined ? -1 : 1;
    if (typeof a.v === "number" && typeof b.v === "number") return a.v - b.v || a.i - b.i;
    const x = typeof a.v === "object" ? JSON.stringify(a.v) : String(a.v);
    const y = typeof b.v === "object" ? JSON.stringify(b.v) : String(b.v);
    return x < y ? -1 : x > y ? 1 : a.i - b.i;
  });
  return decorated.map((d) => d.item);
}
