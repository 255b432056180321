// Writes docs/errors.md (from src/errors.ts) and docs/reference.md (from the API schemas); --check fails when stale.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderReference } from "../src/crd/reference.ts";
import { ERROR_CODES } from "../src/errors.ts";

const path = join(import.meta.dirname, "..", "docs", "errors.md");
const rows = Object.entries(ERROR_CODES).map(([code, d]) => `| \`${code}\` | ${d.summary} | ${d.fix} |`);
const text = `# Error codes

Generated from \`src/errors.ts\` by \`npm run gen:docs\`. Each code is stable: it is the \`reason\` of the
Rollout's \`Stalled\`/\`Ready\` conditions, of Warning Events, and of \`status.abort.reason\`, so alerts and
scripts can match on it.

| code | meaning | what to do |
|---|---|---|
${rows.join("\n")}
`;

const docs = join(import.meta.dirname, "..", "docs");
const files = new Map([
  [path, text],
  [join(docs, "reference.md"), renderReference()],
]);
if (process.argv.includes("--check")) {
  for (const [file, want] of files) {
    if ((await readFile(file, "utf8").catch(() => "")) !== want) {
      console.error(`${file} is out of date. Run \`npm run gen:docs\` and commit the result.`);
      process.exit(1);
    }
  }
  console.log("docs are current");
} else {
  for (const [file, want] of files) await writeFile(file, want);
  console.log(`wrote ${[...files.keys()].map((f) => f.replace(/.*docs\//, "docs/")).join(", ")}`);
}
