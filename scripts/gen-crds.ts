// Writes crds/*.yaml from the zod schemas; with --check, fails when the committed files are stale.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderCrds } from "../src/crd/render.ts";

const dir = join(import.meta.dirname, "..", "crds");
const check = process.argv.includes("--check");
const files = renderCrds();
const stale: string[] = [];

for (const [name, text] of files) {
  const path = join(dir, name);
  const current = await readFile(path, "utf8").catch(() => "");
  if (current === text) continue;
  if (check) stale.push(name);
  else await writeFile(path, text);
}
const extra = (await readdir(dir)).filter((f) => f.endsWith(".yaml") && !files.has(f));
if (check && (stale.length > 0 || extra.length > 0)) {
  console.error(`crds/ is out of date with src/api (stale: ${[...stale, ...extra].join(", ")}).`);
  console.error("Run `npm run gen:crds` and commit the result.");
  process.exit(1);
}
console.log(check ? "crds/ is current" : `wrote ${files.size} CRDs to crds/`);
