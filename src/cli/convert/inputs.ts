// The documents `convert -f` reads, as kubectl reads -f: a file, a directory's YAML and JSON files (with
// -R, its subdirectories' too), or stdin for "-"; each parsed with its lines, comments and key order.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../context.ts";
import { parseSource } from "./source.ts";
import type { Drop, SourceDoc } from "./types.ts";

const YAML = /\.(ya?ml|json)$/;

/** The YAML and JSON files of a directory (and its subdirectories when `recursive`), sorted. */
function filesOf(dir: string, recursive: boolean): string[] {
  return readdirSync(dir, { recursive, withFileTypes: true })
    .filter((e) => e.isFile() && YAML.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Every object of the -f names; a name that does not exist is a usage error, bad YAML is reported. */
export async function readSources(
  names: string[],
  recursive: boolean,
  stdin: () => Promise<string>,
): Promise<{ docs: SourceDoc[]; errors: Drop[] }> {
  const docs: SourceDoc[] = [];
  const errors: Drop[] = [];
  const add = (file: string, text: string) => {
    const parsed = parseSource(file, text);
    docs.push(...parsed.docs);
    errors.push(...parsed.errors);
  };
  for (const name of names) {
    if (name === "-") {
      add("<stdin>", await stdin());
      continue;
    }
    let isDir: boolean;
    try {
      isDir = statSync(name).isDirectory();
    } catch {
      throw new UsageError(`-f ${name}: no such file or directory`);
    }
    for (const file of isDir ? filesOf(name, recursive) : [name]) add(file, readFileSync(file, "utf8"));
  }
  return { docs, errors };
}
