// The canary state machine: pure, advanced with xstate's transition(); its context lives in status.machine.
import { and, assign, not, setup } from "xstate";
import type { RunPhase } from "../../api/index.ts";
import type { AbortRecord, RecordParams } from "../../core/records.ts";
import type { ErrorCode } from "../../errors.ts";
import type { StepKind } from "./steps.ts";

export const CANARY_MACHINE_VERSION = "canary/v1";

/** One spec step as the machine needs it (the steps are input: never persisted, only hashed). */
export type StepInfo = { kind: StepKind; pauseMs?: number | undefined; describe: string };

/** What the reconcile observed, passed with every event: the machine reads no clock and no cache. */
export type Env = {
  now: number;
  steps: StepInfo[];
  progressDeadlineMs: number;
  progressDeadlineAbort: boolean;
  /** spec.paused, owned by Git. */
  specPaused: boolean;
  canaryAvailable: number;
  /** The pods (and routes) step `index` asks for are in place and available. */
  stepSatisfied: (index: number) => boolean;
  /** Phase of the AnalysisRun of step `index`, once one exists. */
  stepAnalysis: (index: number) => RunPhase | undefined;
  background?: RunPhase | undefined;
  /** The background round `background` was read for: a run of an earlier round says nothing now. */
  backgroundRound?: number | undefined;
  /** The reason a failed analysis gives (metric, value, condition). */
  analysisMessage?: string | undefined;
};

export type CanaryContext = {
  podHash: string;
  stepsHash: string;
  /** When this version's rollout started (kept when only the steps change); absent in older snapshots. */
  startedAt?: string | undefined;
  stepIndex: number;
  stepStartedAt: string;
  userPaused: boolean;
  /** Why it is paused: a pause step, an inconclusive step analysis, or an inconclusive background run. */
  pauseReason?: "step" | "inconclusive" | "backgroundInconclusive" | undefined;
  progressAt: string;
  progressMark: number;
  /** Held by a pause in Git or by a user at the last tick: the progress clock restarts on release. */
  held: boolean;
  deadlineExceeded: boolean;
  fullPromotion: boolean;
  /** Incremented by retry: analysis runs are named per attempt, so a retry starts fresh ones. */
  attempt: number;
  /** Incremented when a person promotes past an inconclusive background run: a fresh one starts. */
  backgroundRound?: number | undefined;
  abort?: AbortRecord | undefined;
};

export type CanaryInput = { podHash: string; stepsHash: string; now: number; startedAt?: string | undefined };

type By = { by?: string | undefined };
export type CanaryEvent =
  | { type: "TICK"; env: Env }
  | ({ type: "PROMOTE"; env: Env; stepIndex?: number | undefined } & By)
  | ({ type: "PROMOTE_FULL"; env: Env } & By)
  | ({ type: "ABORT"; env: Env; reason: ErrorCode; message: string } & By)
  | ({ type: "RETRY"; env: Env } & By)
  | ({ type: "PAUSE"; env: Env } & By)
  | ({ type: "RESUME"; env: Env } & By);

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (s: string) => Date.parse(s);
const step = (env: Env, i: number) => env.steps[i];
const position = (c: CanaryContext, env: Env) =>
  `${Math.min(c.stepIndex + 1, env.steps.length)}/${env.steps.length}`;
const failed = (p: RunPhase | undefined) => p === "Failed" || p === "Error";
const sameRound = (c: CanaryContext, env: Env) => (env.backgroundRound ?? 0) === (c.backgroundRound ?? 0);

const analysisAbort = (env: Env, phase: RunPhase | undefined, what: string): AbortRecord => ({
  reason: phase === "Error" ? "AnalysisError" : "AnalysisFailed",
  message: env.analysisMessage ?? `${what} ended ${phase ?? "Failed"}`,
  at: iso(env.now),
  by: "analysis",
});

type ParamArgs = { context: CanaryContext; event: CanaryEvent };
/**
 * A record action whose message is computed from the context after the transition's assigns; a message
 * of undefined records nothing.
 */
const record = (
  type: RecordParams["type"],
  reason: string,
  message: (a: ParamArgs) => string | undefined,
) => ({
  type: "record" as const,
  params: (a: ParamArgs): RecordParams | undefined => {
    const text = message(a);
    return text === undefined ? undefined : { type, reason, message: text };
  },
});
/** StepStarted for the step advanced into; past the last step the Promoting Event says it instead. */
const stepStarted = record("Normal", "StepStarted", ({ context, event }) => {
  const s = step(event.env, context.stepIndex);
  return s ? `step ${position(context, event.env)}: ${s.describe}` : undefined;
});
const by = (e: CanaryEvent) => ("by" in e && e.by ? ` by ${e.by}` : "");
const promoted = ({ event }: ParamArgs) => `promoted${by(event)}`;
const promotedFull = ({ event }: ParamArgs) =>
  `fully promoted${by(event)}: remaining steps and analyses skipped`;
const advance = ["advance" as const, stepStarted];

export const canaryMachine = setup({
  types: {
    context: {} as CanaryContext,
    events: {} as CanaryEvent,
    input: {} as CanaryInput,
  },
  guards: {
    held: ({ context, event }) => context.userPaused || event.env.specPaused,
    released: ({ context }) => context.held,
    allStepsDone: ({ context, event }) => context.stepIndex >= event.env.steps.length,
    atPauseStep: ({ context, event }) => step(event.env, context.stepIndex)?.kind === "pause",
    atAnalysisStep: ({ context, event }) => step(event.env, context.stepIndex)?.kind === "analysis",
    analysisSucceeded: ({ context, event }) => event.env.stepAnalysis(context.stepIndex) === "Successful",
    analysisFailed: ({ context, event }) => failed(event.env.stepAnalysis(context.stepIndex)),
    analysisInconclusive: ({ context, event }) =>
      event.env.stepAnalysis(context.stepIndex) === "Inconclusive",
    backgroundFailed: ({ context, event }) => sameRound(context, event.env) && failed(event.env.background),
    backgroundInconclusive: ({ context, event }) =>
      sameRound(context, event.env) && event.env.background === "Inconclusive",
    pausedForBackground: ({ context }) => context.pauseReason === "backgroundInconclusive",
    stepSatisfied: ({ context, event }) => event.env.stepSatisfied(context.stepIndex),
    pauseElapsed: ({ context, event }) => {
      const pause = context.pauseReason === "step" ? step(event.env, context.stepIndex)?.pauseMs : undefined;
      return pause !== undefined && event.env.now >= ms(context.stepStartedAt) + pause;
    },
    deadlinePassed: ({ context, event }) =>
      event.env.canaryAvailable <= context.progressMark &&
      event.env.now - ms(context.progressAt) > event.env.progressDeadlineMs,
    deadlineAbort: ({ context, event }) =>
      event.env.progressDeadlineAbort &&
      event.env.canaryAvailable <= context.progressMark &&
      event.env.now - ms(context.progressAt) > event.env.progressDeadlineMs,
    promoteIsCurrent: ({ context, event }) =>
      event.type !== "PROMOTE" || event.stepIndex === undefined || event.stepIndex === context.stepIndex,
  },
  actions: {
    record: (_, _params: RecordParams | undefined) => {},
    advance: assign(({ context, event }) => ({
      stepIndex: context.stepIndex + 1,
      stepStartedAt: iso(event.env.now),
      progressAt: iso(event.env.now),
      progressMark: event.env.canaryAvailable,
      pauseReason: undefined,
      userPaused: false,
      held: false,
      deadlineExceeded: false,
    })),
    enterPause: assign({ pauseReason: "step" as const }),
    enterInconclusive: assign({ pauseReason: "inconclusive" as const }),
    enterBackgroundInconclusive: assign({ pauseReason: "backgroundInconclusive" as const }),
    // A person looked at the inconclusive background run and chose to go on: the same step, a fresh run.
    newBackgroundRound: assign(({ context, event }) => ({
      backgroundRound: (context.backgroundRound ?? 0) + 1,
      pauseReason: undefined,
      progressAt: iso(event.env.now),
      progressMark: event.env.canaryAvailable,
    })),
    // Marked once, not re-stamped every tick: a held Rollout's status stays still.
    hold: assign({ held: true }),
    release: assign(({ event }) => ({
      progressAt: iso(event.env.now),
      progressMark: event.env.canaryAvailable,
      held: false,
    })),
    trackProgress: assign(({ context, event }) =>
      event.env.canaryAvailable > context.progressMark
        ? { progressAt: iso(event.env.now), progressMark: event.env.canaryAvailable, deadlineExceeded: false }
        : {},
    ),
    markDeadline: assign({ deadlineExceeded: true }),
    abortForDeadline: assign(({ event }) => ({
      abort: {
        reason: "ProgressDeadlineExceeded" as const,
        message: `the new version made no progress within ${event.env.progressDeadlineMs / 1000}s (progressDeadlineAbort)`,
        at: iso(event.env.now),
        by: "controller",
      },
    })),
    abortForStepAnalysis: assign(({ context, event }) => ({
      abort: analysisAbort(
        event.env,
        event.env.stepAnalysis(context.stepIndex),
        `the analysis of step ${context.stepIndex}`,
      ),
    })),
    abortForBackground: assign(({ event }) => ({
      abort: analysisAbort(event.env, event.env.background, "the background analysis"),
    })),
    abortByRequest: assign(({ event }) =>
      event.type === "ABORT"
        ? { abort: { reason: event.reason, message: event.message, by: event.by, at: iso(event.env.now) } }
        : {},
    ),
    restart: assign(({ context, event }) => ({
      attempt: context.attempt + 1,
      stepIndex: 0,
      stepStartedAt: iso(event.env.now),
      progressAt: iso(event.env.now),
      progressMark: 0,
      abort: undefined,
      pauseReason: undefined,
      userPaused: false,
      held: false,
      deadlineExceeded: false,
      fullPromotion: false,
    })),
    skipToEnd: assign(({ event }) => ({
      stepIndex: event.env.steps.length,
      fullPromotion: true,
      pauseReason: undefined,
      userPaused: false,
      held: false,
      progressAt: iso(event.env.now),
    })),
    pauseByUser: assign({ userPaused: true }),
    resumeByUser: assign(({ event }) => ({
      userPaused: false,
      held: false,
      progressAt: iso(event.env.now),
    })),
  },
}).createMachine({
  id: "canary",
  context: ({ input }) => ({
    podHash: input.podHash,
    stepsHash: input.stepsHash,
    startedAt: input.startedAt ?? iso(input.now),
    stepIndex: 0,
    stepStartedAt: iso(input.now),
    userPaused: false,
    progressAt: iso(input.now),
    progressMark: 0,
    held: false,
    deadlineExceeded: false,
    fullPromotion: false,
    attempt: 0,
  }),
  initial: "Stepping",
  on: {
    PAUSE: { actions: ["pauseByUser", record("Normal", "Paused", () => "paused by a user")] },
    RESUME: { actions: ["resumeByUser", record("Normal", "Resumed", () => "resumed by a user")] },
  },
  states: {
    Stepping: {
      on: {
        TICK: [
          { guard: "held", actions: "hold" },
          { guard: "released", actions: "release" },
          { guard: "backgroundFailed", target: "Aborted", actions: "abortForBackground" },
          { guard: "backgroundInconclusive", target: "Paused", actions: "enterBackgroundInconclusive" },
          { guard: "allStepsDone", target: "Promoting" },
          { guard: "atPauseStep", target: "Paused", actions: "enterPause" },
          { guard: "analysisSucceeded", actions: advance },
          { guard: "analysisFailed", target: "Aborted", actions: "abortForStepAnalysis" },
          { guard: "analysisInconclusive", target: "Paused", actions: "enterInconclusive" },
          // An analysis takes as long as its metrics say: the progress deadline is for pods (and the
          // clock restarts when the step ends).
          { guard: "atAnalysisStep" },
          { guard: "stepSatisfied", actions: advance },
          { guard: "deadlineAbort", target: "Aborted", actions: ["markDeadline", "abortForDeadline"] },
          { guard: "deadlinePassed", actions: "markDeadline" },
          { actions: "trackProgress" },
        ],
        PROMOTE: { guard: "promoteIsCurrent", actions: [...advance, record("Normal", "Promoted", promoted)] },
        PROMOTE_FULL: {
          target: "Promoting",
          actions: ["skipToEnd", record("Normal", "Promoted", promotedFull)],
        },
        ABORT: { target: "Aborted", actions: "abortByRequest" },
      },
    },
    Paused: {
      // A pause step already has its StepStarted Event; only an inconclusive analysis needs its own.
      entry: record("Normal", "Paused", ({ context, event }) =>
        context.pauseReason === "inconclusive"
          ? `step ${position(context, event.env)}: analysis inconclusive, waiting for promote or abort`
          : context.pauseReason === "backgroundInconclusive"
            ? `step ${position(context, event.env)}: the background analysis was inconclusive, waiting for promote or abort`
            : undefined,
      ),
      on: {
        TICK: [
          { guard: "held", actions: "hold" },
          { guard: "backgroundFailed", target: "Aborted", actions: "abortForBackground" },
          // A timed pause no longer ends by itself once the background run is inconclusive.
          {
            guard: and(["backgroundInconclusive", not("pausedForBackground")]),
            target: "Paused",
            reenter: true,
            actions: "enterBackgroundInconclusive",
          },
          { guard: "pauseElapsed", target: "Stepping", actions: advance },
        ],
        PROMOTE: [
          {
            guard: "pausedForBackground",
            target: "Stepping",
            actions: [
              "newBackgroundRound",
              record(
                "Normal",
                "Promoted",
                ({ event }) => `promoted${by(event)}: a new background analysis starts`,
              ),
            ],
          },
          {
            guard: "promoteIsCurrent",
            target: "Stepping",
            actions: [...advance, record("Normal", "Promoted", promoted)],
          },
        ],
        PROMOTE_FULL: {
          target: "Promoting",
          actions: ["skipToEnd", record("Normal", "Promoted", promotedFull)],
        },
        ABORT: { target: "Aborted", actions: "abortByRequest" },
      },
    },
    Promoting: {
      entry: record("Normal", "Promoting", () => "all steps done: the new version goes to 100%"),
      on: {
        TICK: [
          { guard: "held", actions: "hold" },
          { guard: "released", actions: "release" },
          { guard: "backgroundFailed", target: "Aborted", actions: "abortForBackground" },
          { guard: "backgroundInconclusive", target: "Paused", actions: "enterBackgroundInconclusive" },
          { guard: "stepSatisfied", target: "Completed" },
          { guard: "deadlineAbort", target: "Aborted", actions: ["markDeadline", "abortForDeadline"] },
          { guard: "deadlinePassed", actions: "markDeadline" },
          { actions: "trackProgress" },
        ],
        ABORT: { target: "Aborted", actions: "abortByRequest" },
      },
    },
    Completed: {
      entry: record("Normal", "Completed", ({ context }) => `version ${context.podHash} is now stable`),
    },
    Aborted: {
      entry: record("Warning", "Aborted", ({ context }) =>
        context.abort ? `${context.abort.reason}: ${context.abort.message}` : "aborted",
      ),
      on: {
        RETRY: {
          target: "Stepping",
          actions: ["restart", record("Normal", "Retried", () => "steps start again")],
        },
      },
    },
  },
});
