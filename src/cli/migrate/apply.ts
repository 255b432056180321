// Runs a migration plan's steps in order, each once, saying what it did. Every step is safe to run again:
// merge patches restate, creates of what exists are kept, deletes of what is gone are done, and a JSON
// patch tests the uid it removes. A failure stops the run; running the command again resumes it.
import { setTimeout as sleep } from "node:timers/promises";
import type { V1ReplicaSet } from "@kubernetes/client-node";
import { conflict, type MigrateClient } from "./client.ts";
import { controllerOf, type KubeObject } from "./model.ts";
import { podsOf } from "./read-source.ts";
import { API, describeTarget, type Step, target, type Wait, type Write } from "./steps.ts";

export type ApplyOptions = {
  /** How long a wait step may take. */
  timeoutMs: number;
  /** One line per step as it completes. */
  say: (line: string) => void;
  signal?: AbortSignal | undefined;
  intervalMs?: number;
};

export async function applyPlan(client: MigrateClient, steps: Step[], opts: ApplyOptions): Promise<void> {
  for (const [i, step] of steps.entries()) {
    opts.signal?.throwIfAborted();
    const done = await run(client, step.write, opts);
    opts.say(`${i + 1}/${steps.length} ${step.description}${done ? `: ${done}` : ""}`);
  }
}

/** Runs one write; returns a word on how it went when that is not simply "done". */
async function run(client: MigrateClient, w: Write, opts: ApplyOptions): Promise<string | undefined> {
  switch (w.verb) {
    case "patch":
      await client.patch(w.target, w.body, w.type);
      return undefined;
    case "create":
      try {
        await client.create(w.target, w.body);
        return undefined;
      } catch (err) {
        if (w.ifAbsent && conflict(err)) return "exists, kept as it is";
        throw err;
      }
    case "delete":
      await client.delete(w.target, w.propagationPolicy, w.uid);
      return undefined;
    case "labelPods":
      return labelPods(client, w);
    case "wait":
      return waitUntil(client, w.until, opts);
  }
}

/** Every live pod of the ReplicaSet now (a pod born since the plan was made too), each in one patch. */
async function labelPods(client: MigrateClient, w: Extract<Write, { verb: "labelPods" }>): Promise<string> {
  const rs = (await client.get(target(API.replicaSet, w.namespace, w.owner.name))) as
    | V1ReplicaSet
    | undefined;
  if (!rs || rs.metadata?.uid !== w.owner.uid)
    throw new Error(`ReplicaSet ${w.owner.name} is gone or was replaced`);
  const pods = await podsOf(client, rs);
  let patched = 0;
  for (const p of pods) {
    const labels = p.metadata?.labels ?? {};
    if (Object.entries(w.labels).every(([k, v]) => labels[k] === v)) continue;
    await client.patch(
      target(API.pod, w.namespace, p.metadata?.name ?? ""),
      { metadata: { labels: w.labels } },
      "merge",
    );
    patched++;
  }
  return `${patched} of ${pods.length} pod(s) patched`;
}

async function waitUntil(
  client: MigrateClient,
  until: Wait,
  opts: ApplyOptions,
): Promise<string | undefined> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = "";
  for (;;) {
    opts.signal?.throwIfAborted();
    const { ok, why } = await check(client, until);
    if (ok) return undefined;
    last = why;
    if (Date.now() > deadline)
      throw new Error(
        `gave up after ${Math.round(opts.timeoutMs / 1000)}s waiting ${describeWait(until)}: ${last}`,
      );
    await sleep(opts.intervalMs ?? 250);
  }
}

const describeWait = (w: Wait): string =>
  w.what === "adopted"
    ? `for ${describeTarget(w.rollout)} to adopt ReplicaSet ${w.replicaSet} and be Healthy`
    : `for ${describeTarget(w.target)} to be ${w.what}`;

async function check(client: MigrateClient, w: Wait): Promise<{ ok: boolean; why: string }> {
  if (w.what === "gone") {
    const o = await client.get(w.target);
    return { ok: o === undefined, why: "it still exists" };
  }
  if (w.what === "released") {
    const rs = (await client.get(w.target)) as KubeObject | undefined;
    const held = rs?.metadata.ownerReferences?.some((r) => r.uid === w.ownerUid) ?? false;
    return { ok: rs !== undefined && !held, why: rs ? "its ownerReference is still there" : "it is gone" };
  }
  const rollout = (await client.get(w.rollout)) as KubeObject | undefined;
  const rs = (await client.get(target(API.replicaSet, w.rollout.namespace, w.replicaSet))) as
    | KubeObject
    | undefined;
  if (!rollout) return { ok: false, why: "the Rollout does not exist" };
  if (!rs) return { ok: false, why: `ReplicaSet ${w.replicaSet} is gone` };
  const owner = controllerOf(rs);
  if (owner?.uid !== rollout.metadata.uid)
    return {
      ok: false,
      why: `ReplicaSet ${w.replicaSet} is controlled by ${owner ? `${owner.kind} ${owner.name}` : "nothing yet"}`,
    };
  const s = rollout.status ?? {};
  const seen = Number(s.observedGeneration ?? -1) >= (rollout.metadata.generation ?? 0);
  const healthy = seen && s.phase === "Healthy" && s.stableRS === w.hash;
  return {
    ok: healthy,
    why: `phase ${String(s.phase ?? "none")}, stable ${String(s.stableRS ?? "none")}${s.message ? `: ${String(s.message)}` : ""}`,
  };
}
