// Writes docs/errors.md (from src/errors.ts) and docs/reference.md (from the API schemas and the field
// proofs); --check fails when they are stale. Both first check src/crd/field-proofs.ts against the schemas.
import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FIELD_PROOFS } from "../src/crd/field-proofs.ts";
import { checkProofs, proofReport } from "../src/crd/proof-check.ts";
import { referenceFields, renderReference } from "../src/crd/reference.ts";
import { ERROR_CODES } from "../src/errors.ts";

const root = join(import.meta.dirname, "..");
const path = join(root, "docs", "errors.md");
const rows = Object.entries(ERROR_CODES).map(([code, d]) => `| \`${code}\` | ${d.summary} | ${d.fix} |`);
const text = `# Error codes

Generated from \`src/errors.ts\` by \`npm run gen:docs\`. Each code is stable: it is the \`reason\` of the
Rollout's \`Stalled\`/\`Ready\` conditions, of Warning Events, and of \`status.abort.reason\`, so alerts and
scripts can match on it.

| code | meaning | what to do |
|---|---|---|
${rows.join("\n")}
`;

// A test file is read once, however many fields name it.
const sources = new Map<string, string | undefined>();
const readTest = (file: string): string | undefined => {
  if (!sources.has(file)) {
    try {
      sources.set(file, readFileSync(join(root, file), "utf8"));
    } catch {
      sources.set(file, undefined);
    }
  }
  return sources.get(file);
};
const report = proofReport(checkProofs(referenceFields(), FIELD_PROOFS, readTest));
for (const line of report.errors) console.error(line);
if (!report.ok) process.exit(1);

const docs = join(root, "docs");
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
