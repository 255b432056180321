// JSON patches (RFC 6902) built against a copy of a cached object: every op is applied to the copy as it
// is recorded, so later ops see the indices earlier ones produced, and `test` ops guard what was read.

export type JsonPatchOp =
  | { op: "test"; path: string; value: unknown }
  | { op: "add"; path: string; value: unknown }
  | { op: "replace"; path: string; value: unknown }
  | { op: "remove"; path: string };

/** A JSON pointer from path segments: `~` and `/` escaped (label keys such as ramp.dev/x contain a slash). */
export const pointer = (...segments: (string | number)[]): string =>
  segments.map((s) => `/${String(s).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");

const unescapeSegment = (s: string): string => s.replaceAll("~1", "/").replaceAll("~0", "~");

type Container = Record<string, unknown> | unknown[];

/** Structural equality of JSON values (key order does not matter, as for a `test` op). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

export const clone = <T>(v: T): T => structuredClone(v);

export class Patcher {
  readonly doc: Record<string, unknown>;
  readonly ops: JsonPatchOp[] = [];

  constructor(doc: object) {
    this.doc = clone(doc) as Record<string, unknown>;
  }

  /** True when some op would change the object (tests alone change nothing). */
  get changes(): boolean {
    return this.ops.some((o) => o.op !== "test");
  }

  get(path: string): unknown {
    let cur: unknown = this.doc;
    for (const seg of path.split("/").slice(1).map(unescapeSegment)) {
      if (typeof cur !== "object" || cur === null) return undefined;
      cur = Array.isArray(cur) ? cur[Number(seg)] : (cur as Record<string, unknown>)[seg];
    }
    return cur;
  }

  test(path: string, value: unknown): void {
    this.ops.push({ op: "test", path, value: clone(value) });
  }

  /** Sets a member (or inserts into an array at the index, `-` for the end); no op when already equal. */
  add(path: string, value: unknown): void {
    const [parent, key] = this.#parent(path);
    if (!Array.isArray(parent) && jsonEqual(parent[key], value)) return;
    this.ops.push({ op: "add", path, value: clone(value) });
    if (Array.isArray(parent)) parent.splice(key === "-" ? parent.length : Number(key), 0, clone(value));
    else parent[key] = clone(value);
  }

  remove(path: string): void {
    const [parent, key] = this.#parent(path);
    this.ops.push({ op: "remove", path });
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  }

  #parent(path: string): [Container & Record<string, unknown>, string] {
    const i = path.lastIndexOf("/");
    const parent = this.get(path.slice(0, i));
    if (typeof parent !== "object" || parent === null) {
      throw new Error(`json patch: ${path.slice(0, i) || "/"} is not an object or array`);
    }
    return [parent as Container & Record<string, unknown>, unescapeSegment(path.slice(i + 1))];
  }
}
