// Copies crds/*.yaml into chart/crds/ (Helm installs CRDs from there); with --check, fails when they differ.
import { copyFile, mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const from = join(root, "crds");
const to = join(root, "chart", "crds");
const check = process.argv.includes("--check");

const yaml = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith(".yaml")).sort();
const source = await yaml(from);
if (!check) await mkdir(to, { recursive: true });
const target = await yaml(to).catch(() => []);
const differ: string[] = [];
for (const name of source) {
  const want = await readFile(join(from, name), "utf8");
  const have = await readFile(join(to, name), "utf8").catch(() => "");
  if (want === have) continue;
  if (check) differ.push(name);
  else await copyFile(join(from, name), join(to, name));
}
for (const name of target.filter((f) => !source.includes(f))) {
  if (check) differ.push(name);
  else await rm(join(to, name));
}
if (check && differ.length > 0) {
  console.error(`chart/crds/ differs from crds/ (${differ.join(", ")}).`);
  console.error("Run `npm run gen:crds` (or `npm run chart:crds`) and commit the result.");
  process.exit(1);
}
console.log(check ? "chart/crds/ matches crds/" : `copied ${source.length} CRDs to chart/crds/`);
