// Where converted objects go: stdout as one multi-document stream, or a directory with one file per object
// (`<kind>-<name>.yaml`, lowercase); and the report of what was not carried, one line per field.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Drop, OutputDoc } from "./types.ts";

/** One document's YAML, as the input wrote it where it was kept (comments, order, quoting). */
export function renderDoc(o: OutputDoc): string {
  // The stream adds its own separators: a document's own `---` (after a file's header comment) would
  // leave an empty document between two.
  if (o.doc.directives) o.doc.directives.docStart = null;
  return o.doc.toString({ lineWidth: 0 });
}

/** Every output as one stream, `---` between documents. */
export function renderStream(outputs: OutputDoc[]): string {
  return outputs.map(renderDoc).join("---\n");
}

/** The file name of an output: `<kind>-<name>.yaml`, with the namespace when two would collide. */
export function fileNames(outputs: OutputDoc[]): string[] {
  const base = (o: OutputDoc) => `${o.kind}-${o.name}`.toLowerCase().replace(/[^a-z0-9.-]+/g, "-");
  const counts = new Map<string, number>();
  for (const o of outputs) counts.set(base(o), (counts.get(base(o)) ?? 0) + 1);
  const taken = new Set<string>();
  return outputs.map((o) => {
    let name = base(o);
    if ((counts.get(name) ?? 0) > 1 && o.namespace) name = `${o.kind}-${o.namespace}-${o.name}`.toLowerCase();
    let unique = name;
    for (let n = 2; taken.has(unique); n++) unique = `${name}-${n}`;
    taken.add(unique);
    return `${unique}.yaml`;
  });
}

/** Writes one file per output into `dir` (created when missing); the paths written. */
export function writeDir(dir: string, outputs: OutputDoc[]): string[] {
  mkdirSync(dir, { recursive: true });
  const names = fileNames(outputs);
  return outputs.map((o, i) => {
    const path = join(dir, names[i] ?? `object-${i}.yaml`);
    writeFileSync(path, renderDoc(o));
    return path;
  });
}

/** `file:line: path: reason` (a note says so); the path is left out for a whole object. */
export function formatDrop(d: Drop, note = false): string {
  const where = d.line === undefined ? d.file : `${d.file}:${d.line}`;
  return `${where}: ${d.path ? `${d.path}: ` : ""}${note ? "note: " : ""}${d.reason}`;
}

/** Drops and notes in file and line order. */
export function formatReport(drops: Drop[], notes: Drop[]): string[] {
  const all = [...drops.map((d) => ({ d, note: false })), ...notes.map((d) => ({ d, note: true }))];
  const files = [...new Set(all.map(({ d }) => d.file))];
  all.sort(
    (a, b) =>
      files.indexOf(a.d.file) - files.indexOf(b.d.file) ||
      (a.d.line ?? 0) - (b.d.line ?? 0) ||
      Number(a.note) - Number(b.note),
  );
  return all.map(({ d, note }) => formatDrop(d, note));
}
