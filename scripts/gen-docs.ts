// Writes docs/errors.md from src/errors.ts (the one table of codes); --check fails when it is stale.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
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

if (process.argv.includes("--check")) {
  if ((await readFile(path, "utf8").catch(() => "")) !== text) {
    console.error(
      "docs/errors.md is out of date with src/errors.ts. Run `npm run gen:docs` and commit the result.",
    );
    process.exit(1);
  }
  console.log("docs/errors.md is current");
} else {
  await writeFile(path, text);
  console.log("wrote docs/errors.md");
}
