// Reads multi-document YAML files (examples, fixtures) into plain objects.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [k: string]: unknown };
};

export const repoRoot = join(import.meta.dirname, "..");

/** Every document of a YAML file, in order; throws naming the file on a parse error. */
export function readDocuments(path: string): KubeObject[] {
  const docs = parseAllDocuments(readFileSync(path, "utf8"));
  return docs.flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value as KubeObject];
  });
}

/** Paths of every .yaml file under a directory of the repo, recursively. */
export function yamlFilesUnder(dir: string): string[] {
  const abs = join(repoRoot, dir);
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
