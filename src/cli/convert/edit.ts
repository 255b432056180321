// One object being converted: a clone of its YAML document edited in place (so comments and key order
// survive), and the record of what was dropped or carried with a difference, each at its source line.
import { type Document, isMap, isNode, isPair, isScalar, isSeq, type Node, type Pair } from "yaml";
import { formatPath, type Path } from "./source.ts";
import type { Drop, SourceDoc } from "./types.ts";

export class Edit {
  readonly src: SourceDoc;
  /** The output document: a clone of the source's, edited. */
  readonly doc: Document;
  readonly drops: Drop[] = [];
  readonly notes: Drop[] = [];
  /** Sequences rebuilt with items in a new order: output index → source index, to report source lines. */
  readonly #remaps: { at: Path; from: number[] }[] = [];

  constructor(src: SourceDoc) {
    this.src = src;
    this.doc = src.doc.clone();
  }

  /** The plain value at `path` (undefined when absent). */
  value(path: Path): unknown {
    const node = this.doc.getIn(path, true);
    return isNode(node) ? node.toJSON() : node;
  }

  /** The plain value at `path` in the source document (`path` in output coordinates). */
  sourceValue(path: Path): unknown {
    const node = this.src.doc.getIn(this.sourcePath(path), true);
    return isNode(node) ? node.toJSON() : node;
  }

  has(path: Path): boolean {
    return this.doc.hasIn(path);
  }

  /** The keys of the mapping at `path`, in order ([] when it is not a mapping). */
  keys(path: Path): string[] {
    const node = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    if (!isMap(node)) return [];
    return node.items.map((p) => String(isScalar(p.key) ? p.key.value : p.key));
  }

  /** Sets a value; an existing scalar keeps its comments. */
  set(path: Path, value: unknown): void {
    this.doc.setIn(path, value);
  }

  remove(path: Path): void {
    this.doc.deleteIn(path);
  }

  /** The path as it was in the source document (indices of rebuilt sequences mapped back). */
  sourcePath(path: Path): Path {
    const out = [...path];
    // Latest first: each was recorded in the coordinates of its time.
    for (const { at, from } of [...this.#remaps].reverse()) {
      if (out.length <= at.length || !at.every((p, i) => out[i] === p)) continue;
      const index = out[at.length];
      if (typeof index === "number" && from[index] !== undefined) out[at.length] = from[index];
    }
    return out;
  }

  #record(path: Path, reason: string): Drop {
    const source = this.sourcePath(path);
    return { file: this.src.file, line: this.src.lineOf(source), path: formatPath(source), reason };
  }

  /** Reports `path` as not carried, and removes it. */
  drop(path: Path, reason: string): void {
    this.report(path, reason);
    this.remove(path);
  }

  /** Reports `path` as not carried, leaving the caller to remove it (with its sequence, say). */
  report(path: Path, reason: string): void {
    this.drops.push(this.#record(path, reason));
  }

  /** Reports `path` as carried with a difference the user should know. */
  note(path: Path, reason: string): void {
    this.notes.push(this.#record(path, reason));
  }

  /** The pair of `key` in the mapping at `path`. */
  pair(path: Path, key: string): Pair | undefined {
    const node = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    if (!isMap(node)) return undefined;
    return node.items.find((p): p is Pair => isPair(p) && isScalar(p.key) && p.key.value === key);
  }

  /** Renames a key where it stands, with a new value (keeps the key's comments and the map's order). */
  rename(path: Path, from: string, to: string, value?: unknown): void {
    const pair = this.pair(path, from);
    if (!pair || !isScalar(pair.key)) return;
    pair.key.value = to;
    if (value === undefined) return;
    const next = this.doc.createNode(value);
    // A comment on the old value (`plugins: # why`) stays with the new one.
    if (isNode(pair.value)) {
      if (pair.value.commentBefore) next.commentBefore = pair.value.commentBefore;
      if (pair.value.comment) next.comment = pair.value.comment;
    }
    pair.value = next;
  }

  /** Appends an item to the sequence at `path` (its other items keep their styles and comments). */
  append(path: Path, value: unknown): void {
    const node = this.doc.getIn(path, true);
    if (isSeq(node)) node.items.push(this.doc.createNode(value));
  }

  /** Adds `key` to the mapping at `path` just before `before` (at the end when `before` is absent). */
  insertBefore(path: Path, key: string, value: unknown, before: string): void {
    const map = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    const at = this.pair(path, before);
    if (!isMap(map) || !at) {
      this.set([...path, key], value);
      return;
    }
    map.items.splice(map.items.indexOf(at), 0, this.doc.createPair(key, value));
  }

  /** The items of the sequence at `path` as nodes ([] when it is not one). */
  items(path: Path): Node[] {
    const node = this.doc.getIn(path, true);
    return isSeq(node) ? node.items.filter((i): i is Node => isNode(i)) : [];
  }

  /**
   * Replaces the sequence at `path` with `items`, `from[i]` being the source index item i came from;
   * an empty result removes the field.
   */
  rebuild(path: Path, items: Node[], from: number[]): void {
    const node = this.doc.getIn(path, true);
    if (!isSeq(node)) return;
    if (items.length === 0) {
      this.remove(path);
      return;
    }
    node.items = items;
    this.#remaps.push({ at: path, from });
  }
}
