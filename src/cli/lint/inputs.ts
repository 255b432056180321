// The files `-f` names, read for the offline commands (lint, plan): a file, every YAML or JSON file under a
// directory (recursively, sorted), or stdin for "-".
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../context.ts";
import type { LintInput } from "./lint.ts";

const YAML = /\.(ya?ml|json)$/;

/** Each -f name's files with their text; a name that does not exist is a usage error (exit 64). */
export async function readInputs(names: string[], stdin: () => Promise<string>): Promise<LintInput[]> {
  const out: LintInput[] = [];
  for (const name of names) {
    if (name === "-") {
      out.push({ file: "<stdin>", text: await stdin() });
      continue;
    }
    let isDir: boolean;
    try {
      isDir = statSync(name).isDirectory();
    } catch {
      throw new UsageError(`-f ${name}: no such file or directory`);
    }
    const files = isDir
      ? readdirSync(name, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile() && YAML.test(e.name))
          .map((e) => join(e.parentPath, e.name))
          .sort()
      : [name];
    for (const file of files) out.push({ file, text: readFileSync(file, "utf8") });
  }
  return out;
}
