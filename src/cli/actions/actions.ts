// User actions: promote, abort, retry, pause, resume. Each writes intent to the status subresource,
// never to spec, so a GitOps tool sees no drift; the controller applies it exactly once.
import { randomUUID } from "node:crypto";
import { RolloutStatus, type UserIntent } from "../../api/index.ts";
import type { RolloutClient, RolloutRef } from "./client.ts";

export type ActionResult = { message: string; intent: UserIntent };

/** A refusal: the action makes no sense in the rollout's current state. Exit code 1 in the plugin. */
export class ActionRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ActionRefused";
  }
}

type View = {
  status: RolloutStatus;
  inProgress: boolean;
  aborted: boolean;
  userPaused: boolean;
  specPaused: boolean;
  step: number;
  steps: number;
};

async function view(client: RolloutClient, ref: RolloutRef): Promise<View> {
  const raw = (await client.get(ref)) as { spec?: { paused?: boolean }; status?: unknown };
  const status = RolloutStatus.parse(raw.status ?? {});
  const machine = status.machine;
  const inProgress = !!machine && machine.value !== "Completed" && status.stableRS !== status.currentPodHash;
  return {
    status,
    inProgress,
    aborted: inProgress && machine?.value === "Aborted",
    userPaused: inProgress && machine?.context.userPaused === true,
    specPaused: raw.spec?.paused === true,
    step: status.currentStepIndex ?? 0,
    steps: status.stepCount ?? 0,
  };
}

async function send(
  client: RolloutClient,
  ref: RolloutRef,
  intent: Omit<UserIntent, "id" | "requestedAt" | "requestedBy">,
  message: string,
): Promise<ActionResult> {
  const full: UserIntent = {
    ...intent,
    id: randomUUID(),
    requestedAt: new Date().toISOString(),
    requestedBy: client.user,
  };
  await client.patchStatus(ref, { status: { intent: full } });
  return { message, intent: full };
}

const label = (ref: RolloutRef) => `rollout "${ref.name}"`;
const notInProgress = (ref: RolloutRef, what: string) =>
  new ActionRefused(`${label(ref)} has no rollout in progress: nothing to ${what}`);

/** Ends the current pause or skips to the next step; `full` skips every remaining step and analysis. */
export async function promoteRollout(
  client: RolloutClient,
  ref: RolloutRef,
  opts: { full?: boolean } = {},
): Promise<ActionResult> {
  const v = await view(client, ref);
  if (!v.inProgress) throw notInProgress(ref, "promote");
  if (v.aborted)
    throw new ActionRefused(
      `${label(ref)} is aborted: use \`kubectl ramp retry ${ref.name}\` to start its steps again`,
    );
  if (opts.full)
    return send(
      client,
      ref,
      { action: "promoteFull" },
      `${label(ref)} fully promoted: step ${v.step + 1}/${v.steps} → done`,
    );
  const next = Math.min(v.step + 2, v.steps);
  return send(
    client,
    ref,
    { action: "promote", stepIndex: v.step },
    `${label(ref)} promoted: step ${v.step + 1}/${v.steps} → ${next}/${v.steps}`,
  );
}

export async function abortRollout(
  client: RolloutClient,
  ref: RolloutRef,
  opts: { reason?: string } = {},
): Promise<ActionResult> {
  const v = await view(client, ref);
  if (!v.inProgress) throw notInProgress(ref, "abort");
  if (v.aborted) throw new ActionRefused(`${label(ref)} is already aborted`);
  return send(
    client,
    ref,
    { action: "abort", ...(opts.reason ? { reason: opts.reason } : {}) },
    `${label(ref)} aborted: traffic goes back to stable`,
  );
}

export async function retryRollout(client: RolloutClient, ref: RolloutRef): Promise<ActionResult> {
  const v = await view(client, ref);
  if (!v.aborted) throw new ActionRefused(`${label(ref)} is not aborted: nothing to retry`);
  return send(client, ref, { action: "retry" }, `${label(ref)} retried: steps start again at 1/${v.steps}`);
}

export async function pauseRollout(client: RolloutClient, ref: RolloutRef): Promise<ActionResult> {
  const v = await view(client, ref);
  if (!v.inProgress) throw notInProgress(ref, "pause");
  if (v.aborted) throw new ActionRefused(`${label(ref)} is aborted: nothing to pause`);
  if (v.userPaused) throw new ActionRefused(`${label(ref)} is already paused`);
  return send(client, ref, { action: "pause" }, `${label(ref)} paused at step ${v.step + 1}/${v.steps}`);
}

export async function resumeRollout(client: RolloutClient, ref: RolloutRef): Promise<ActionResult> {
  const v = await view(client, ref);
  if (!v.userPaused) {
    const hint = v.specPaused ? ": it is paused in Git (spec.paused); change it there" : "";
    throw new ActionRefused(`${label(ref)} is not paused by a user${hint}`);
  }
  return send(client, ref, { action: "resume" }, `${label(ref)} resumed at step ${v.step + 1}/${v.steps}`);
}
