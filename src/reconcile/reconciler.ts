// One reconcile of one Rollout: parse, check, run its strategy, write status once, record Events.
import type { Logger } from "pino";
import { Rollout, type RolloutStatus } from "../api/index.ts";
import { TRAFFIC_FINALIZER } from "../api/labels.ts";
import { buildContext, type RolloutContext } from "../core/context.ts";
import { asWritten, type StatusFields, type StrategyOutcome } from "../core/outcome.ts";
import type { Deps, EventTarget } from "../core/ports.ts";
import { assembleStatus, invalidStatus } from "../core/status.ts";
import { codeOf, RampError } from "../errors.ts";
import { mergePatchDiff } from "../kube/merge-patch.ts";
import type { RolloutObservation } from "../observability/rollout-metrics.ts";
import { restartSelector } from "../strategy/shared/restart.ts";
import { apply } from "./apply.ts";
import { finalize, finalizersFor, wantsFinalizer } from "./finalizer.ts";
import { planRollout } from "./plan.ts";
import { StatusCoalescer } from "./status-coalesce.ts";

export type ReconcileResult = { requeueAfterMs?: number; urgent?: boolean } | undefined;

type Meta = {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  finalizers?: string[];
  deletionTimestamp?: unknown;
};
type Raw = { apiVersion?: string; kind?: string; metadata?: Meta; status?: RolloutStatus };

/**
 * Reconcile again at the earlier of a deadline (a pause ends, a delay runs out) and the flush of held
 * counts; neither given, only when something changes. Urgent while a deadline is pending: the queue keeps
 * one time per key, so a flush that waited in line would hold back the deadline re-armed after it.
 * Both count from the reconcile's start, and the queue counts from its end: `elapsedMs` between them (the
 * writes) comes off, or every pause would end late by the time its first status write took.
 */
export function requeue(
  deadline: number | undefined,
  held: number | undefined,
  elapsedMs = 0,
): ReconcileResult {
  const due = [deadline, held].filter((ms): ms is number => ms !== undefined);
  if (due.length === 0) return undefined;
  return { requeueAfterMs: Math.max(0, Math.min(...due) - elapsedMs), urgent: deadline !== undefined };
}

/** A zod issue path as a field path: spec.strategy.canary.steps[0].setWeight */
const fieldPath = (path: readonly PropertyKey[]): string =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");

export class Reconciler {
  readonly #deps: Deps;
  /** Per key, the resourceVersion our last status write started from: a cache still showing it is stale. */
  readonly #staleFrom = new Map<string, string>();
  /** Told every status a reconcile wrote (or found already written): the Rollout metrics. */
  readonly #observe: ((o: RolloutObservation) => void) | undefined;
  readonly #coalesce = new StatusCoalescer();

  constructor(deps: Deps, observe?: (o: RolloutObservation) => void) {
    this.#deps = deps;
    this.#observe = observe;
  }

  /** Forget a deleted Rollout. */
  forget(key: string): void {
    this.#staleFrom.delete(key);
    this.#coalesce.forget(key);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const raw = this.#deps.caches.rollout(key) as Raw | undefined;
    if (!raw?.metadata?.name) return undefined;
    const rv = raw.metadata.resourceVersion ?? "";
    // Our own status write has not reached the cache yet: deciding now would act on old state.
    if (this.#staleFrom.get(key) === rv) return { requeueAfterMs: 1000 };
    this.#staleFrom.delete(key);

    const log = this.#deps.log.child({ rollout: raw.metadata.name, namespace: raw.metadata.namespace });
    const target: EventTarget = {
      kind: "Rollout",
      apiVersion: "ramp.dev/v1alpha1",
      name: raw.metadata.name,
      namespace: raw.metadata.namespace ?? "",
      uid: raw.metadata.uid ?? "",
    };
    if (raw.metadata.deletionTimestamp) {
      if (!raw.metadata.finalizers?.includes(TRAFFIC_FINALIZER)) return undefined;
      const records = await finalize(key, raw, this.#deps);
      // Until the cache shows it gone, a reconcile would only repeat this one.
      this.#staleFrom.set(key, rv);
      log.info({ events: records.map((r) => r.reason) }, "rollout finalized");
      for (const r of records) this.#deps.events.record(target, r);
      return undefined;
    }
    const parsed = Rollout.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${fieldPath(i.path)}: ${i.message}`).join("; ");
      const reason = {
        reason: "InvalidSpec" as const,
        message: `the Rollout does not match ramp's schema: ${issues}`,
      };
      log.warn({ issues }, "invalid rollout");
      const held = await this.#write(
        key,
        raw,
        invalidStatus(raw as never, reason, this.#deps.now()),
        target,
        [{ type: "Warning", reason: reason.reason, message: reason.message }],
        { onChange: true },
      );
      // No deadline, and a held write was not sent: nothing took time since the hold was counted.
      return requeue(undefined, held);
    }
    const rollout = parsed.data;
    // The finalizer is on before any route is written, and off once the spec no longer routes traffic.
    const finalizers = finalizersFor(raw.metadata.finalizers, wantsFinalizer(rollout));
    if (finalizers) {
      await this.#deps.writer.patchRolloutFinalizers(target.namespace, target.name, rv, finalizers);
      // Its watch event brings the next reconcile, which must not start from the object before this write.
      this.#staleFrom.set(key, rv);
      return undefined;
    }

    let outcome: StrategyOutcome;
    let ctx: RolloutContext;
    try {
      // A workloadRef is resolved here: a missing Deployment is a RampError like any other.
      ctx = buildContext(key, rollout, this.#deps);
      outcome = await this.#planAndApply(ctx, log);
    } catch (err) {
      if (!(err instanceof RampError)) throw err;
      // A problem the spec must fix: Degraded with the code, state kept, other Rollouts unaffected.
      log.warn({ code: err.code, err: err.message }, "rollout cannot be reconciled");
      const status = invalidStatus(rollout, { reason: codeOf(err), message: err.message }, this.#deps.now());
      const held = await this.#write(
        key,
        raw,
        status,
        target,
        [{ type: "Warning", reason: err.code, message: err.message }],
        { onChange: true },
      );
      return requeue(undefined, held);
    }
    const status = assembleStatus(ctx, outcome);
    const dueAt = outcome.requeueAfterMs === undefined ? undefined : ctx.now + outcome.requeueAfterMs;
    const held = await this.#write(key, raw, status, target, outcome.records, {
      dueAt,
      rollout: ctx.rollout,
    });
    return requeue(outcome.requeueAfterMs, held, this.#deps.now() - ctx.now);
  }

  /** The plan for this reconcile, written to the world (not the status): the outcome to report. */
  async #planAndApply(ctx: RolloutContext, log: Logger): Promise<StrategyOutcome> {
    const { caches } = this.#deps;
    let plan = planRollout(ctx, caches);
    // Pods are not cached: listed only when a due restart asks for them, then the plan is made again.
    const selector = plan.needsPods ? restartSelector(ctx) : undefined;
    if (selector) plan = planRollout(ctx, caches, await this.#deps.pods.list(ctx.namespace, selector));
    await apply(ctx.namespace, plan, { ...this.#deps, log: log.child({ revision: ctx.currentHash }) });
    return plan.outcome;
  }

  /**
   * Writes the status diff (none when nothing changed) and records Events. `onChange` Events are
   * recorded only when the Stalled reason or message changes: one Event per problem, not per reconcile.
   * A diff of counts only may be held (see status-coalesce.ts), up to the reconcile's own deadline
   * `dueAt`: then returns when to reconcile again. The notification ledger rides on this same write.
   */
  async #write(
    key: string,
    raw: Raw,
    fields: StatusFields,
    target: EventTarget,
    records: StrategyOutcome["records"],
    opts: { onChange?: boolean; dueAt?: number | undefined; rollout?: Rollout | undefined } = {},
  ): Promise<number | undefined> {
    const { onChange = false, dueAt, rollout } = opts;
    const notify = this.#deps.notify;
    const prior = raw.status ?? undefined;
    const ledger = notify?.ledger(key, rollout, prior, asWritten(prior ?? {}, fields), this.#deps.now());
    const status = ledger ? { ...fields, notifications: ledger } : fields;
    const patch = mergePatchDiff(
      raw.status as Record<string, unknown> | undefined,
      status as Record<string, unknown>,
    );
    const held = this.#coalesce.hold(key, patch, this.#deps.now(), dueAt);
    const written = held === undefined && Object.keys(patch).length > 0;
    if (written) {
      const rv = raw.metadata?.resourceVersion ?? "";
      await this.#deps.writer.patchRolloutStatus(target.namespace, target.name, rv, patch);
      this.#staleFrom.set(key, rv);
    }
    notify?.persisted(key, target, written ? ledger : prior?.notifications);
    const at = this.#deps.now();
    this.#observe?.({ key, object: raw as RolloutObservation["object"], written: status, at });
    const stalled = (c: RolloutStatus["conditions"] | null | undefined) =>
      c?.find((x) => x.type === "Stalled" && x.status === "True");
    const [before, after] = [stalled(raw.status?.conditions), stalled(status.conditions)];
    if (!(onChange && before?.reason === after?.reason && before?.message === after?.message))
      for (const r of records) this.#deps.events.record(target, r);
    return held;
  }
}
