// The blue-green state machine: pure, advanced with xstate's transition(); its context lives in status.machine.
import { assign, setup } from "xstate";
import type { RunPhase } from "../../api/index.ts";
import type { AbortRecord, RecordParams } from "../../core/records.ts";

export const BLUEGREEN_MACHINE_VERSION = "bluegreen/v1";

/** What the reconcile observed; time and spec come in with every event, the machine reads neither. */
export type BlueGreenEnv = {
  now: number;
  specPaused: boolean;
  autoPromotionEnabled: boolean;
  autoPromotionSeconds: number;
  hasPrePromotion: boolean;
  hasPostPromotion: boolean;
  /** The new version has every preview pod available (minReadySeconds included). */
  previewReady: boolean;
  /** The new version has all spec.replicas pods available: the only moment the switch may happen. */
  fullyReady: boolean;
  pre?: RunPhase | undefined;
  post?: RunPhase | undefined;
  analysisMessage?: string | undefined;
};

export type BlueGreenContext = {
  podHash: string;
  /** When this version's rollout started; absent in older snapshots. */
  startedAt?: string | undefined;
  attempt: number;
  userPaused: boolean;
  fullPromotion: boolean;
  /** When the preview became available: autoPromotionSeconds counts from here. */
  availableAt?: string | undefined;
  /** When the active Service moved to the new version: scaleDownDelaySeconds counts from here. */
  switchedAt?: string | undefined;
  pauseReason?: "awaitingPromotion" | "inconclusive" | undefined;
  abort?: AbortRecord | undefined;
};

type By = { by?: string | undefined };
export type BlueGreenEvent =
  | { type: "TICK"; env: BlueGreenEnv }
  | ({ type: "PROMOTE"; env: BlueGreenEnv } & By)
  | ({ type: "PROMOTE_FULL"; env: BlueGreenEnv } & By)
  | ({ type: "ABORT"; env: BlueGreenEnv; reason: AbortRecord["reason"]; message: string } & By)
  | ({ type: "RETRY"; env: BlueGreenEnv } & By)
  | ({ type: "PAUSE"; env: BlueGreenEnv } & By)
  | ({ type: "RESUME"; env: BlueGreenEnv } & By);

const iso = (ms: number) => new Date(ms).toISOString();
const failed = (p: RunPhase | undefined) => p === "Failed" || p === "Error";
type Args = { context: BlueGreenContext; event: BlueGreenEvent };
const record = (type: RecordParams["type"], reason: string, message: (a: Args) => string) => ({
  type: "record" as const,
  params: (a: Args): RecordParams => ({ type, reason, message: message(a) }),
});
const analysisAbort = (env: BlueGreenEnv, phase: RunPhase | undefined, which: string): AbortRecord => ({
  reason: phase === "Error" ? "AnalysisError" : "AnalysisFailed",
  message: env.analysisMessage ?? `the ${which} analysis ended ${phase ?? "Failed"}`,
  at: iso(env.now),
  by: "analysis",
});

/** What a person may do while the new version waits for the switch: promote, promote fully, abort. */
const promotion = {
  PROMOTE: { target: "ScalingUp", actions: ["clearPause", record("Normal", "Promoted", () => "promoted")] },
  PROMOTE_FULL: {
    target: "ScalingUp",
    actions: ["full", record("Normal", "Promoted", () => "fully promoted: analyses skipped")],
  },
  ABORT: { target: "Aborted", actions: "abortByRequest" },
} as const;

export const blueGreenMachine = setup({
  types: {
    context: {} as BlueGreenContext,
    events: {} as BlueGreenEvent,
    input: {} as { podHash: string; now?: number | undefined },
  },
  guards: {
    held: ({ context, event }) => context.userPaused || event.env.specPaused,
    previewReady: ({ event }) => event.env.previewReady,
    fullyReady: ({ event }) => event.env.fullyReady,
    hasPre: ({ context, event }) => event.env.hasPrePromotion && !context.fullPromotion,
    hasPost: ({ context, event }) => event.env.hasPostPromotion && !context.fullPromotion,
    preSucceeded: ({ event }) => event.env.pre === "Successful",
    preFailed: ({ event }) => failed(event.env.pre),
    preInconclusive: ({ event }) => event.env.pre === "Inconclusive",
    postSucceeded: ({ event }) => event.env.post === "Successful",
    postFailed: ({ event }) => failed(event.env.post),
    postInconclusive: ({ event }) => event.env.post === "Inconclusive",
    manualPromotion: ({ event }) => !event.env.autoPromotionEnabled,
    autoPromotionDue: ({ context, event }) =>
      event.env.now >=
      Date.parse(context.availableAt ?? iso(event.env.now)) + event.env.autoPromotionSeconds * 1000,
  },
  actions: {
    record: (_, _params: RecordParams) => {},
    markAvailable: assign(({ context, event }) => ({
      availableAt: context.availableAt ?? iso(event.env.now),
    })),
    markSwitched: assign(({ event }) => ({ switchedAt: iso(event.env.now) })),
    awaitPromotion: assign({ pauseReason: "awaitingPromotion" as const }),
    inconclusive: assign({ pauseReason: "inconclusive" as const }),
    clearPause: assign({ pauseReason: undefined, userPaused: false }),
    full: assign({ fullPromotion: true, pauseReason: undefined, userPaused: false }),
    abortPre: assign(({ event }) => ({ abort: analysisAbort(event.env, event.env.pre, "pre-promotion") })),
    abortPost: assign(({ event }) => ({ abort: analysisAbort(event.env, event.env.post, "post-promotion") })),
    abortByRequest: assign(({ event }) =>
      event.type === "ABORT"
        ? { abort: { reason: event.reason, message: event.message, by: event.by, at: iso(event.env.now) } }
        : {},
    ),
    restart: assign(({ context }) => ({
      attempt: context.attempt + 1,
      abort: undefined,
      availableAt: undefined,
      switchedAt: undefined,
      pauseReason: undefined,
      userPaused: false,
      fullPromotion: false,
    })),
    pauseByUser: assign({ userPaused: true }),
    resumeByUser: assign({ userPaused: false }),
  },
}).createMachine({
  id: "bluegreen",
  context: ({ input }) => ({
    podHash: input.podHash,
    ...(input.now === undefined ? {} : { startedAt: iso(input.now) }),
    attempt: 0,
    userPaused: false,
    fullPromotion: false,
  }),
  initial: "Preview",
  on: {
    PAUSE: { actions: ["pauseByUser", record("Normal", "Paused", () => "paused by a user")] },
    RESUME: { actions: ["resumeByUser", record("Normal", "Resumed", () => "resumed by a user")] },
  },
  states: {
    // The new version comes up behind the preview Service; the active Service has not moved.
    Preview: {
      on: {
        TICK: [{ guard: "held" }, { guard: "previewReady", target: "Gate", actions: "markAvailable" }],
        PROMOTE_FULL: promotion.PROMOTE_FULL,
        ABORT: promotion.ABORT,
      },
    },
    // Pre-promotion analysis (if any), then the promotion decision.
    Gate: {
      on: {
        TICK: [
          { guard: "held" },
          { guard: "hasPre", target: "PrePromotion" },
          { guard: "manualPromotion", target: "Paused", actions: "awaitPromotion" },
          { guard: "autoPromotionDue", target: "ScalingUp" },
        ],
        ...promotion,
      },
    },
    PrePromotion: {
      on: {
        TICK: [
          { guard: "preFailed", target: "Aborted", actions: "abortPre" },
          { guard: "preInconclusive", target: "Paused", actions: "inconclusive" },
          { guard: "held" },
          { guard: "preSucceeded", target: "Promotable" },
        ],
        PROMOTE_FULL: promotion.PROMOTE_FULL,
        ABORT: promotion.ABORT,
      },
    },
    // Analysis passed: promote now, after autoPromotionSeconds, or when a person says so.
    Promotable: {
      on: {
        TICK: [
          { guard: "held" },
          { guard: "manualPromotion", target: "Paused", actions: "awaitPromotion" },
          { guard: "autoPromotionDue", target: "ScalingUp" },
        ],
        ...promotion,
      },
    },
    Paused: {
      entry: record("Normal", "Paused", ({ context }) =>
        context.pauseReason === "inconclusive"
          ? "analysis inconclusive: waiting for promote or abort"
          : "waiting for promote",
      ),
      on: {
        ...promotion,
      },
    },
    // The new version goes to full scale; the switch waits until every pod is available.
    ScalingUp: {
      on: {
        TICK: [
          { guard: "held" },
          {
            guard: "fullyReady",
            target: "Switched",
            actions: [
              "markSwitched",
              record(
                "Normal",
                "Switched",
                ({ context }) => `the active Service now selects version ${context.podHash}`,
              ),
            ],
          },
        ],
        ABORT: { target: "Aborted", actions: "abortByRequest" },
      },
    },
    // The active Service selects the new version; the old one is still up for an instant switch back.
    Switched: {
      on: {
        TICK: [{ guard: "hasPost", target: "PostPromotion" }, { target: "Completed" }],
        ABORT: { target: "Aborted", actions: "abortByRequest" },
      },
    },
    PostPromotion: {
      on: {
        TICK: [
          { guard: "postFailed", target: "Aborted", actions: "abortPost" },
          { guard: "postInconclusive", target: "PostPaused", actions: "inconclusive" },
          { guard: "postSucceeded", target: "Completed" },
        ],
        PROMOTE_FULL: { target: "Completed", actions: "full" },
        ABORT: { target: "Aborted", actions: "abortByRequest" },
      },
    },
    PostPaused: {
      entry: record(
        "Normal",
        "Paused",
        () => "post-promotion analysis inconclusive: waiting for promote or abort",
      ),
      on: {
        PROMOTE: { target: "Completed", actions: "clearPause" },
        PROMOTE_FULL: { target: "Completed", actions: "full" },
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
          target: "Preview",
          actions: ["restart", record("Normal", "Retried", () => "the new version is previewed again")],
        },
      },
    },
  },
});
