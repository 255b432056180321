// kubectl ramp lint -f FILE|DIR|- [-f ...]
// What the command runs, loaded only when it runs: --help and completion never load it.

import type { CliContext } from "../../context.ts";
import { EXIT, UsageError } from "../../context.ts";
import { readInputs } from "../../lint/inputs.ts";
import { formatFindings, lint } from "../../lint/lint.ts";

export async function run(ctx: CliContext): Promise<number> {
  const names = ctx.flags.filename;
  if (!Array.isArray(names) || names.length === 0)
    throw new UsageError("lint needs -f FILE (or -f - for stdin)");
  const inputs = await readInputs(names, ctx.io.stdin);
  const findings = lint(inputs);
  if (ctx.string("output") === "json") {
    ctx.out(JSON.stringify(findings, null, 2));
  } else if (findings.length === 0) {
    ctx.out(`${inputs.length} file${inputs.length === 1 ? "" : "s"} checked: no findings`);
  } else {
    for (const line of formatFindings(findings)) ctx.out(line);
    ctx.err(
      `${findings.length} finding${findings.length === 1 ? "" : "s"} in ${inputs.length} file${inputs.length === 1 ? "" : "s"}`,
    );
  }
  return findings.length === 0 ? EXIT.ok : EXIT.failed;
}
