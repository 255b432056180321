// The migration as a pure function of what was read: the source's objects, the version to adopt and the
// ramp objects to create → the ordered steps. `--dry-run` prints this list; apply runs it.
import { argoSteps } from "./argo.ts";
import { flaggerSteps } from "./flagger.ts";
import type { Migration } from "./model.ts";
import type { Step } from "./steps.ts";

export type PlanOptions = { deleteSource: boolean };

export function planMigration(m: Migration, opts: PlanOptions): Step[] {
  return m.source.kind === "argo" ? argoSteps(m, m.source, opts) : flaggerSteps(m, m.source, opts);
}
