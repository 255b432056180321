// YAML text (or an object read from the cluster) as SourceDocs: one per object, each able to say on which
// line of its file a field starts. A `kind: List` (what `kubectl get -o yaml` prints) becomes its items.
import { Document, isMap, isNode, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml";
import type { Drop, SourceDoc } from "./types.ts";

export type Path = (string | number)[];

const IDENT = /^[A-Za-z_$][\w$-]*$/;

/** `["spec", "steps", 2, "setWeight"]` → `spec.steps[2].setWeight`; an odd key (a/b.c) as `[a/b.c]`. */
export const formatPath = (path: readonly (string | number)[]): string =>
  path
    .map((p, i) =>
      typeof p === "number" ? `[${p}]` : IDENT.test(p) ? `${i === 0 ? "" : "."}${p}` : `[${p}]`,
    )
    .join("");

type Ranged = { range?: [number, number, number] | null };

/** The node where a field starts: the key of a mapping entry (its value may start lines below), else the node. */
function startOf(doc: Document, path: Path): Ranged | undefined {
  const last = path.at(-1);
  const parent = doc.getIn(path.slice(0, -1), true);
  if (typeof last === "string" && isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
    if (pair && isScalar(pair.key)) return pair.key;
  }
  return doc.getIn(path, true) as Ranged | undefined;
}

/** The line of the deepest field of `path` that exists: a missing field points at its parent. */
function lineFinder(doc: Document, counter: LineCounter, prefix: Path): SourceDoc["lineOf"] {
  return (path) => {
    const full = [...prefix, ...path];
    for (let n = full.length; n >= 0; n--) {
      const node = n === 0 ? (doc.contents as Ranged | null) : startOf(doc, full.slice(0, n));
      if (node?.range) return counter.linePos(node.range[0]).line;
    }
    return undefined;
  };
}

/** A document of its own made of one node (a List's item), keeping the node's comments. */
function docOf(node: Node): Document {
  const doc = new Document();
  doc.contents = node.clone() as Node;
  return doc;
}

/** The items of a `kind: …List` document, or undefined when it is not one. */
function listItems(doc: Document): Node[] | undefined {
  const kind = doc.get("kind");
  const items = doc.get("items", true);
  if (typeof kind !== "string" || !kind.endsWith("List") || !isSeq(items)) return undefined;
  return items.items.filter((i): i is Node => isNode(i));
}

/** Every object in `text`; a document that is not YAML is reported (and converts to nothing). */
export function parseSource(file: string, text: string): { docs: SourceDoc[]; errors: Drop[] } {
  const counter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: counter });
  const all: Document.Parsed[] = Array.isArray(parsed) ? parsed : [];
  const docs: SourceDoc[] = [];
  const errors: Drop[] = [];
  for (const doc of all) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors)
        errors.push({
          file,
          line: e.linePos?.[0]?.line,
          path: "",
          reason: `YAML: ${e.message.split("\n")[0]}`,
        });
      continue;
    }
    if (doc.contents === null || !isMap(doc.contents)) {
      if (doc.contents !== null && doc.toJS() !== null)
        errors.push({ file, line: 1, path: "", reason: "not a Kubernetes object (a YAML mapping)" });
      continue;
    }
    const items = listItems(doc);
    if (!items) {
      docs.push({ file, doc, lineOf: lineFinder(doc, counter, []) });
      continue;
    }
    items.forEach((item, i) => {
      if (isMap(item)) docs.push({ file, doc: docOf(item), lineOf: lineFinder(doc, counter, ["items", i]) });
    });
  }
  return { docs, errors };
}

/** An object from the apiserver (no file, no lines): `cluster:<kind>/<namespace>/<name>` unless given. */
export function objectSource(obj: object, file?: string): SourceDoc {
  const meta = (obj as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } }).metadata;
  const kind = String((obj as { kind?: unknown }).kind ?? "object");
  const where = [meta?.namespace, meta?.name].filter((s) => typeof s === "string").join("/");
  return {
    file: file ?? `cluster:${kind}/${where}`,
    doc: new Document(obj),
    lineOf: () => undefined,
  };
}
