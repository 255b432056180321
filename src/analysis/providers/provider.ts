// The MetricProvider interface: every analysis source behind one shape, chosen by a factory.
import type { Metric, RunPhase } from "../../api/index.ts";
import type { Value } from "../assess.ts";
import type { SecretRef } from "./job-args.ts";

/** What one measurement produced: a value to judge, a phase decided by the provider (a Job), or not yet. */
export type Outcome =
  | { kind: "value"; value: Value; metadata?: Record<string, string> }
  | {
      kind: "phase";
      phase: RunPhase;
      message: string;
      /** What was measured, as JSON text, when the provider has figures to show (the judge's). */
      value?: string;
      metadata?: Record<string, string>;
    }
  | { kind: "pending"; metadata: Record<string, string> };

export type MeasureContext = {
  metric: Metric;
  /** The metric's position in the AnalysisRun's spec.metrics, for messages naming a field. */
  metricIndex: number;
  /** Resolved args, Secret values included (never logged or stored). */
  args: Record<string, string>;
  /**
   * The args that come from Secrets, with their references: a Job gets them as valueFrom.secretKeyRef.
   * The run reconciler always sets it; a job metric refuses to run without it.
   */
  secretArgs?: Readonly<Record<string, SecretRef>>;
  namespace: string;
  runName: string;
  runUid: string;
  /** The Rollout the run belongs to (its label), for the provider contract's request. */
  rollout?: string;
  /** When the run started (epoch ms): the judge samples no earlier. */
  runStartedAt?: number;
  /** Index of this measurement within the metric, for names that must not repeat. */
  index: number;
  /** Reads a Secret key in the run's namespace (for auth); throws naming the Secret when missing. */
  secret(name: string, key: string): Promise<string>;
};

export interface MetricProvider {
  /** Takes a measurement. Throwing makes it an Error measurement, never a failed reconcile. */
  measure(ctx: MeasureContext): Promise<Outcome>;
  /** Looks again at a pending measurement (a running Job). */
  resume?(ctx: MeasureContext, metadata: Record<string, string>): Promise<Outcome>;
}
