// kubectl ramp migrate rollout NAME (Argo Rollouts) | migrate canary NAME (Flagger): a running app moves to
// a ramp Rollout that adopts its stable pods, none restarted.
import type { Command, Option } from "../command.ts";

const OPTIONS: Record<string, Option> = {
  "dry-run": { type: "boolean", help: "Print the plan, each step with the write it makes; write nothing." },
  force: {
    type: "boolean",
    help: "Migrate mid-rollout: take over the stable version; the one in progress ships again under ramp.",
  },
  "delete-source": {
    type: "boolean",
    help: "Once ramp's Rollout is Healthy, delete the source object (no running pod goes with it).",
  },
  timeout: {
    type: "string",
    value: "DURATION",
    help: "How long to wait for ramp's controller to adopt the pods (default 5m).",
  },
};

/** What both commands do, then what is particular to the source. */
const details = (source: string): string =>
  "The ramp Rollout adopts the running stable pods: their ReplicaSet and each pod are labelled as ramp's\n" +
  "version (label patches restart nothing), released from the old owner, and the Rollout, converted as\n" +
  "`kubectl ramp convert` converts, is created with that version's template, so the controller finds it\n" +
  "already deployed. Every Service and route selects live pods at every step. The next version ships\n" +
  "under ramp. Refused, with the reason, while the source is mid-rollout (unless --force).\n" +
  `${source}\n` +
  "Run again after a migration, it only deletes the source (with --delete-source).\n" +
  "Exit codes: 0 migrated (or planned, with --dry-run); 1 refused, or an error from the cluster.";

export const migrateRollout: Command = {
  words: ["migrate", "rollout"],
  usage: "kubectl ramp migrate rollout NAME [--dry-run] [--force] [--delete-source] [--timeout DURATION]",
  names: "argo-rollout",
  summary: "Move a running Argo Rollout to a ramp Rollout, adopting its stable pods without restarting any",
  details: details("The Argo Rollout is left paused, owning nothing running; --delete-source deletes it."),
  examples: [
    ["See what migrating web would write", "kubectl ramp migrate rollout web --dry-run"],
    ["Migrate web, then delete the Argo Rollout", "kubectl ramp migrate rollout web --delete-source"],
  ],
  options: OPTIONS,
  args: { min: 1, max: 1 },
  run: async (ctx) => (await import("./impl/migrate.ts")).run(ctx, "argo"),
};

export const migrateCanary: Command = {
  words: ["migrate", "canary"],
  usage: "kubectl ramp migrate canary NAME [--dry-run] [--force] [--delete-source] [--timeout DURATION]",
  names: "flagger-canary",
  summary:
    "Move a running Flagger Canary to a ramp Rollout, adopting its primary's pods without restarting any",
  details: details(
    "<target>-primary is deleted, its ReplicaSet orphaned (and adopted); the Canary is left suspended;\n" +
      "--delete-source turns off its revertOnDeletion and deletes it.",
  ),
  examples: [
    ["See what migrating podinfo would write", "kubectl ramp migrate canary podinfo --dry-run"],
    ["Migrate podinfo, then delete the Canary", "kubectl ramp migrate canary podinfo --delete-source"],
  ],
  options: OPTIONS,
  args: { min: 1, max: 1 },
  run: async (ctx) => (await import("./impl/migrate.ts")).run(ctx, "flagger"),
};
