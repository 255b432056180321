// One Flagger input document as the converter reads it: typed access by path, and a record of which fields
// were carried or reported, so any field left over is reported too ("every field not carried is listed").
import { isMap, isPair, isSeq } from "yaml";
import { isObject } from "../../../json.ts";
import type { Drop, SourceDoc } from "../types.ts";

export type Path = (string | number)[];
export type Json = Record<string, unknown>;

/** `["spec", "analysis", "metrics", 0, "name"]` → `spec.analysis.metrics[0].name` (as lint writes paths). */
export const dotted = (path: Path): string =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${p}`)).join("");

/** Where drops and notes go: one list each for the whole conversion. */
export type Report = { drops: Drop[]; notes: Drop[] };

// Fields the apiserver writes: never the user's intent, so never reported.
const SERVER_FIELDS = new Set([
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
  "ownerReferences",
  "finalizers",
  "generateName",
]);
const CLIENT_ANNOTATIONS = ["kubectl.kubernetes.io/last-applied-configuration"];

export class Source {
  readonly obj: Json;
  readonly src: SourceDoc;
  readonly report: Report;
  readonly #used = new Set<string>();
  readonly #reported = new Set<string>();

  constructor(src: SourceDoc, report: Report) {
    this.src = src;
    this.report = report;
    const value: unknown = src.doc.toJS();
    this.obj = isObject(value) ? value : {};
  }

  get kind(): string {
    return typeof this.obj.kind === "string" ? this.obj.kind : "";
  }
  get name(): string {
    return this.str(["metadata", "name"]) ?? "";
  }
  get namespace(): string | undefined {
    return this.str(["metadata", "namespace"]);
  }
  /** `Canary shop/web` for messages. */
  get title(): string {
    return `${this.kind} ${this.namespace ? `${this.namespace}/` : ""}${this.name}`;
  }

  get(path: Path): unknown {
    let node: unknown = this.obj;
    for (const p of path) {
      if (Array.isArray(node) && typeof p === "number") node = node[p];
      else if (isObject(node) && typeof p === "string") node = node[p];
      else return undefined;
    }
    return node;
  }
  str(path: Path): string | undefined {
    const v = this.get(path);
    return typeof v === "string" ? v : undefined;
  }
  num(path: Path): number | undefined {
    const v = this.get(path);
    return typeof v === "number" && Number.isFinite(v) ? v : undefined;
  }
  bool(path: Path): boolean | undefined {
    const v = this.get(path);
    return typeof v === "boolean" ? v : undefined;
  }
  rec(path: Path): Json | undefined {
    const v = this.get(path);
    return isObject(v) ? v : undefined;
  }
  list(path: Path): unknown[] {
    const v = this.get(path);
    return Array.isArray(v) ? v : [];
  }
  has(path: Path): boolean {
    return this.get(path) !== undefined;
  }

  line(path: Path): number | undefined {
    // A missing field points at its nearest parent that is there.
    for (let n = path.length; n >= 0; n--) {
      const line = this.src.lineOf(path.slice(0, n));
      if (line !== undefined) return this.#keyLine(path.slice(0, n), line);
    }
    return undefined;
  }

  /**
   * A block map or list starts at its first item, the line after its key (and after any comment or blank
   * line there): a report points at the key.
   */
  #keyLine(path: Path, line: number): number {
    const node = this.src.doc.getIn(path, true);
    if (typeof path.at(-1) !== "string" || !(isMap(node) || isSeq(node)) || node.flow) return line;
    const first = node.items[0] as unknown;
    const item = (isPair(first) ? first.key : first) as {
      commentBefore?: string | null;
      spaceBefore?: boolean;
    } | null;
    const lines = (c: string | null | undefined) => (c ? c.split("\n").length : 0);
    return line - 1 - lines(node.commentBefore) - lines(item?.commentBefore) - (item?.spaceBefore ? 1 : 0);
  }
  /** `file:line` of a field, for comments in the output. */
  where(path: Path): string {
    const line = this.line(path);
    return `${this.src.file}${line === undefined ? "" : `:${line}`}`;
  }

  /** Whether any field of it was read into an output. */
  touched(): boolean {
    return this.#used.size > 0;
  }
  /** Marks fields (and everything under them) as carried into the output. */
  use(...paths: Path[]): void {
    for (const p of paths) this.#used.add(dotted(p));
  }
  /** A field not carried, with what to do instead; marks it handled. Skipped when the field is absent. */
  drop(path: Path, reason: string): void {
    if (!this.has(path) && path.length > 0) return;
    this.use(path);
    // A MetricTemplate read by two Canaries is reported once.
    if (this.#reported.has(dotted(path))) return;
    this.#reported.add(dotted(path));
    this.report.drops.push(this.#entry(path, reason));
  }
  /** `drop`, unless the field (a parent, or a part of it) was already carried. */
  dropUnused(path: Path, reason: string): void {
    if (!this.#covered(path) && !this.#anyUnder(path)) this.drop(path, reason);
  }
  /** The whole object is not carried (reported without a field path, at its first line). */
  dropAll(reason: string): void {
    this.use([]);
    this.report.drops.push({ file: this.src.file, line: this.line([]), path: "", reason });
  }
  /** Something carried with a caveat the user must know (not a loss). */
  note(path: Path, reason: string): void {
    this.report.notes.push(this.#entry(path, reason));
  }

  #entry(path: Path, reason: string): Drop {
    return { file: this.src.file, line: this.line(path), path: dotted(path), reason };
  }

  #covered(path: Path): boolean {
    for (let n = path.length; n >= 0; n--) if (this.#used.has(dotted(path.slice(0, n)))) return true;
    return false;
  }
  #anyUnder(path: Path): boolean {
    const prefix = dotted(path);
    for (const u of this.#used) if (u.startsWith(`${prefix}.`) || u.startsWith(`${prefix}[`)) return true;
    return false;
  }

  /** Reports every field under `root` that was neither carried nor reported. */
  leftovers(root: Path, reason: string): void {
    const walk = (node: unknown, path: Path) => {
      if (this.#covered(path)) return;
      if (this.#anyUnder(path)) {
        if (Array.isArray(node)) for (const [i, v] of node.entries()) walk(v, [...path, i]);
        else if (isObject(node)) for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
        return;
      }
      if (node === null || (isObject(node) && Object.keys(node).length === 0)) return;
      if (Array.isArray(node) && node.length === 0) return;
      this.drop(path, reason);
    };
    walk(this.get(root), root);
  }

  /** The metadata a converted object keeps: labels and annotations, without what clients and servers add. */
  metadataToCarry(): { labels?: Record<string, string>; annotations?: Record<string, string> } {
    const meta = this.rec(["metadata"]) ?? {};
    for (const k of Object.keys(meta)) if (SERVER_FIELDS.has(k)) this.use(["metadata", k]);
    this.use(["metadata", "name"], ["metadata", "namespace"]);
    const out: { labels?: Record<string, string>; annotations?: Record<string, string> } = {};
    const labels = stringMap(meta.labels);
    if (labels) {
      out.labels = labels;
      this.use(["metadata", "labels"]);
    }
    const annotations = stringMap(meta.annotations);
    if (annotations) {
      for (const a of CLIENT_ANNOTATIONS) delete annotations[a];
      this.use(["metadata", "annotations"]);
      if (Object.keys(annotations).length > 0) out.annotations = annotations;
    }
    return out;
  }
}

/** A map of strings, or undefined when empty or not one. */
export function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === "string") out[k] = x;
  return Object.keys(out).length > 0 ? out : undefined;
}
