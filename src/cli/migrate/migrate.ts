// `kubectl ramp migrate rollout|canary NAME`: read the source, refuse what cannot or should not be taken
// over (with why), convert it, work out the version to adopt, plan, then print the plan (--dry-run) or
// apply it.
import type { V1Deployment, V1ReplicaSet } from "@kubernetes/client-node";
import { HASH_LABEL } from "../../api/labels.ts";
import type { Drop } from "../convert/types.ts";
import { applyPlan } from "./apply.ts";
import { argoDeleteSteps, argoRevision } from "./argo.ts";
import type { MigrateClient } from "./client.ts";
import { convertSource } from "./convert.ts";
import { flaggerDeleteSteps, templateLabels, unpinnedMismatches } from "./flagger.ts";
import { flaggerRevision } from "./flagger-source.ts";
import { rolloutHash } from "./hash.ts";
import {
  controllerOf,
  type KubeObject,
  MIGRATED_FROM_ANNOTATION,
  type Migration,
  type RampObjects,
  type Source,
} from "./model.ts";
import { planMigration } from "./plan.ts";
import { preflight, sourceId } from "./preflight.ts";
import { rampObjects } from "./ramp-objects.ts";
import { type Read, readSource, type SourceKind } from "./read-source.ts";
import { API, renderPlan, type Step, target } from "./steps.ts";

export type MigrateOptions = {
  dryRun: boolean;
  force: boolean;
  deleteSource: boolean;
  /** How long to wait for the controller (and the garbage collector). */
  timeoutMs: number;
};

export type Io = {
  out: (line: string) => void;
  err: (line: string) => void;
  signal?: AbortSignal | undefined;
};

/** A refusal: the lines say why, and nothing was written. */
export class Refused extends Error {
  readonly lines: string[];
  constructor(lines: string[]) {
    super(lines[0] ?? "refused");
    this.name = "Refused";
    this.lines = lines;
  }
}

const formatDrop = (d: Drop): string =>
  `${d.file}${d.line === undefined ? "" : `:${d.line}`} ${d.path}: ${d.reason}`;

/** Reads, checks and plans; throws Refused (nothing written) when the migration must not happen. */
export async function planFromCluster(
  client: MigrateClient,
  kind: SourceKind,
  ref: { namespace: string; name: string },
  opts: Pick<MigrateOptions, "force" | "deleteSource">,
  io: Io,
): Promise<Planned> {
  const read = await readSource(client, kind, ref.namespace, ref.name);
  if (alreadyMigrated(read)) {
    const src = read.source;
    const del =
      src.kind === "argo"
        ? argoDeleteSteps(ref.namespace, src.rollout)
        : flaggerDeleteSteps(ref.namespace, src.canary);
    return { done: true, source: src, steps: opts.deleteSource ? del : [] };
  }
  const pf = preflight({
    source: read.source,
    name: ref.name,
    stable: read.stable,
    pods: read.pods,
    existing: read.existing,
  });
  if (pf.blocked.length > 0) throw new Refused(pf.blocked);
  const stable = read.stable as V1ReplicaSet;
  if (pf.midRollout.length > 0 && !opts.force)
    throw new Refused([
      `${sourceId(read.source)} is mid-rollout:`,
      ...pf.midRollout.map((r) => `  ${r}`),
      "wait until it is settled, or use --force to take over its stable version now (the version in progress then " +
        "ships again under ramp, from its first step)",
    ]);
  for (const r of pf.midRollout) io.err(`warning: --force: ${r}`);
  const conversion = convertSource(read.source, read.context);
  if (!conversion.converted)
    throw new Refused([
      `the converter wrote no Rollout for ${sourceId(read.source)}:`,
      ...conversion.drops.map((d) => `  ${formatDrop(d)}`),
    ]);
  for (const d of conversion.drops) io.err(`warning: not carried: ${formatDrop(d)}`);
  const ramp = rampObjects({ source: read.source, stable, converted: conversion.converted, ...ref });
  const mismatches =
    read.source.kind === "flagger"
      ? unpinnedMismatches(ramp.rollout, ramp.traffic, templateLabels(stable))
      : [];
  if (mismatches.length > 0) throw new Refused(mismatches);
  const hash = await adoptedHash(client, read, ramp, ref.namespace);
  const migration: Migration = {
    namespace: ref.namespace,
    name: ref.name,
    source: read.source,
    adopted: {
      replicaSet: stable,
      pods: read.pods,
      hash,
      revision: read.source.kind === "argo" ? argoRevision(stable) : flaggerRevision(stable),
    },
    ramp,
  };
  return { done: false, source: read.source, migration, steps: planMigration(migration, opts) };
}

/** The plan, or (`done`) only what is left after a migration that already happened: --delete-source. */
export type Planned =
  | { done: false; source: Source; migration: Migration; steps: Step[] }
  | { done: true; source: Source; steps: Step[] };

/** A ramp Rollout made from this source owns the version that was adopted (or nothing of the source is left). */
function alreadyMigrated(read: Read): boolean {
  const from = read.existing?.metadata.annotations?.[MIGRATED_FROM_ANNOTATION];
  if (!read.existing || from !== sourceId(read.source)) return false;
  return !read.stable || controllerOf(read.stable)?.uid === read.existing.metadata.uid;
}

/**
 * The hash the controller will compute for the Rollout's template. A previous run that already labelled
 * the ReplicaSet for an existing Rollout decided it; otherwise the apiserver stores the new Rollout
 * (a dry run: its defaults and pruning applied, nothing written) and it is hashed as the controller does.
 */
async function adoptedHash(
  client: MigrateClient,
  read: Read,
  ramp: RampObjects,
  namespace: string,
): Promise<string> {
  const labelled = read.stable?.metadata?.labels?.[HASH_LABEL];
  const ours = read.existing?.metadata.annotations?.[MIGRATED_FROM_ANNOTATION] === sourceId(read.source);
  if (ours && labelled) return labelled;
  const t = target(API.rampRollout, namespace, ramp.rollout.metadata.name);
  let stored: unknown = read.existing;
  if (!ours) {
    try {
      stored = await client.create(t, ramp.rollout, { dryRun: true });
    } catch (err) {
      throw new Refused([`the apiserver refuses the converted Rollout: ${messageOf(err)}`]);
    }
  }
  const spec = (stored as KubeObject).spec ?? {};
  const ref = (spec.workloadRef as { name?: unknown } | undefined)?.name;
  const deployment =
    typeof ref === "string"
      ? ((await client.get(target(API.deployment, namespace, ref))) as V1Deployment | undefined)
      : undefined;
  return rolloutHash(stored, namespace, deployment);
}

function messageOf(err: unknown): string {
  const body = err && typeof err === "object" && "body" in err ? err.body : undefined;
  const parsed: unknown = typeof body === "string" ? safeJson(body) : body;
  if (parsed && typeof parsed === "object" && "message" in parsed) return String(parsed.message);
  return err instanceof Error ? err.message : String(err);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The whole command: plan, then print it (--dry-run) or apply it and say what is left to do. */
export async function migrate(
  client: MigrateClient,
  kind: SourceKind,
  ref: { namespace: string; name: string },
  opts: MigrateOptions,
  io: Io,
): Promise<void> {
  const planned = await planFromCluster(client, kind, ref, opts, io);
  const what = sourceId(planned.source);
  if (planned.done) {
    io.out(
      `${what} was migrated to ramp Rollout ${ref.name} already${planned.steps.length > 0 ? "" : ": nothing to do"}`,
    );
    if (opts.dryRun) for (const line of renderPlan(planned.steps)) io.out(line);
    else
      await applyPlan(client, planned.steps, { timeoutMs: opts.timeoutMs, say: io.out, signal: io.signal });
    return;
  }
  const { migration: m, steps } = planned;
  if (opts.dryRun) {
    io.out(
      `Plan to migrate ${what} in namespace ${ref.namespace} to ramp Rollout ${ref.name} (dry run: nothing is written):`,
    );
    for (const line of renderPlan(steps)) io.out(line);
    for (const s of m.ramp.skipped)
      io.out(`not applied (apply it from \`kubectl ramp convert\`'s output): ${s}`);
    return;
  }
  await applyPlan(client, steps, { timeoutMs: opts.timeoutMs, say: io.out, signal: io.signal });
  io.out(
    `ramp Rollout ${ref.name} is Healthy, running ${m.adopted.pods.length} pod(s) of ReplicaSet ` +
      `${m.adopted.replicaSet.metadata?.name ?? ""} as version ${m.adopted.hash}; none was restarted`,
  );
  for (const s of m.ramp.skipped)
    io.out(`not applied (apply it from \`kubectl ramp convert\`'s output): ${s}`);
  if (!opts.deleteSource)
    io.out(
      m.source.kind === "argo"
        ? `Argo Rollout ${m.source.rollout.metadata.name} is left paused, owning nothing running: delete it (or run again with --delete-source) once Argo's controller no longer needs it`
        : `Canary ${m.source.canary.metadata.name} is left suspended: delete it with --delete-source (its revertOnDeletion is turned off first)`,
    );
}
