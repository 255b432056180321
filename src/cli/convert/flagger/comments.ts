// Comments in the output: where each converted part came from, and the Canary's own comments carried over
// where a field maps one-to-one.
import { Document, isMap, isPair, isScalar, isSeq, type Node } from "yaml";
import type { OutputDoc, SourceDoc } from "../types.ts";
import type { Json, Path, Source } from "./source.ts";

/** The comment written above a field of the input (or on its line), if any. */
export function sourceComment(src: Source, path: Path): string | undefined {
  const parent = src.src.doc.getIn(path.slice(0, -1), true);
  const last = path.at(-1);
  const texts: string[] = [];
  // A comment above the first entry of a block collection is the collection's.
  const firstOf = (items: unknown[]) =>
    items[0] !== undefined &&
    (last === 0 || (isPair(items[0]) && (isScalar(items[0].key) ? items[0].key.value : undefined) === last));
  if ((isMap(parent) || isSeq(parent)) && parent.commentBefore && firstOf(parent.items))
    texts.push(parent.commentBefore);
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === last);
    if (pair && isScalar(pair.key) && pair.key.commentBefore) texts.push(pair.key.commentBefore);
    const value = pair?.value as Node | null | undefined;
    if (value && isScalar(value) && value.comment) texts.push(value.comment);
  } else if (isSeq(parent) && typeof last === "number") {
    const item = parent.items[last] as Node | undefined;
    if (item?.commentBefore) texts.push(item.commentBefore);
    // A comment above `- name: x` belongs to the item's first key.
    const first = isMap(item) ? item.items[0] : undefined;
    if (first && isScalar(first.key) && first.key.commentBefore) texts.push(first.key.commentBefore);
  }
  return texts.length > 0 ? texts.join("\n") : undefined;
}

/** Puts a comment above the node at `path` of an output document (a map key, or a list item). */
export function commentAt(doc: Document, path: Path, text: string | undefined): void {
  if (!text) return;
  const parent = doc.getIn(path.slice(0, -1), true);
  const last = path.at(-1);
  const add = (node: { commentBefore?: string | null }) => {
    node.commentBefore = node.commentBefore ? `${node.commentBefore}\n${text}` : text;
  };
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === last);
    if (pair && isScalar(pair.key)) add(pair.key);
  } else if (isSeq(parent) && typeof last === "number") {
    const item = parent.items[last] as Node | undefined;
    if (item) add(item);
  }
}

/** A comment as YAML writes it: each line after "#". */
export const asComment = (text: string): string =>
  text
    .split("\n")
    .map((l) => ` ${l}`)
    .join("\n");

/** An output document from a plain object, with a header comment; it stands where `source` stood. */
export function outputDoc(obj: Json, header: string, source: SourceDoc): OutputDoc {
  // YAML 1.1 rules when writing, as kubectl reads them: "yes", "on", "y" stay strings (quoted).
  const doc = new Document(obj, { aliasDuplicateObjects: false, version: "1.1" });
  doc.commentBefore = asComment(header);
  const meta = obj.metadata as { name: string; namespace?: string };
  return { kind: String(obj.kind), name: meta.name, namespace: meta.namespace, doc, source };
}
