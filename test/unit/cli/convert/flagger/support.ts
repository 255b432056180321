// Reading Flagger fixtures as the converter's input and writing its result as text, for the unit tests.
import { readFileSync } from "node:fs";
import { LineCounter, parseAllDocuments } from "yaml";
import { convertFlagger } from "../../../../../src/cli/convert/flagger/index.ts";
import type { Drop, SourceDoc } from "../../../../../src/cli/convert/types.ts";

export const DIR = "test/fixtures/convert/flagger";

/** The documents of a YAML text, each able to say on which line a field starts. */
export function sourceDocs(file: string, text: string): SourceDoc[] {
  const counter = new LineCounter();
  return parseAllDocuments(text, { lineCounter: counter }).map((doc) => ({
    file,
    doc,
    lineOf(path) {
      const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
      return node?.range ? counter.linePos(node.range[0]).line : undefined;
    },
  }));
}

export const readDocs = (file: string): SourceDoc[] => sourceDocs(file, readFileSync(file, "utf8"));

/** `file:line: path: reason`, `note:` for notes. */
export const reportLine = (d: Drop, note: boolean): string =>
  `${d.file}${d.line === undefined ? "" : `:${d.line}`}: ${d.path ? `${d.path}: ` : ""}${note ? "note: " : ""}${d.reason}`;

/** The converter's outputs as one YAML stream and its report as lines. */
export function convertText(file: string, inline: boolean) {
  const result = convertFlagger(readDocs(file), { inline });
  const yaml = result.outputs.map((o) => o.doc.toString({ lineWidth: 0 })).join("---\n");
  const report = [
    ...result.drops.map((d) => reportLine(d, false)),
    ...result.notes.map((d) => reportLine(d, true)),
  ].join("\n");
  return { result, yaml, report: `${report}\n` };
}
