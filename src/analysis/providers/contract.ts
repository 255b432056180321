// ramp's provider contract, metrics.ramp.dev/v1 (docs/provider-contract.md): what a web metric with
// `contract` sends (a JSON MeasurementRequest) and what it accepts back (a MeasurementResult), so any
// backend can sit behind a small service. Secret args are never sent: they belong in headers.
import type { MeasureContext, Outcome } from "./provider.ts";

export const CONTRACT_V1 = "metrics.ramp.dev/v1";

export type MeasurementRequest = {
  apiVersion: typeof CONTRACT_V1;
  kind: "MeasurementRequest";
  metric: string;
  analysisRun: { namespace: string; name: string; uid: string };
  /** The Rollout the run belongs to; "" for a run created on its own. */
  rollout: string;
  /** The run's args, those from Secrets left out. */
  args: Record<string, string>;
  measurement: { index: number };
};

/** The request body for this measurement. */
export function measurementRequest(ctx: MeasureContext): MeasurementRequest {
  const secret = new Set(Object.keys(ctx.secretArgs ?? {}));
  const args = Object.fromEntries(Object.entries(ctx.args).filter(([name]) => !secret.has(name)));
  return {
    apiVersion: CONTRACT_V1,
    kind: "MeasurementRequest",
    metric: ctx.metric.name,
    analysisRun: { namespace: ctx.namespace, name: ctx.runName, uid: ctx.runUid },
    rollout: ctx.rollout ?? "",
    args,
    measurement: { index: ctx.index },
  };
}

const isNumbers = (v: unknown): boolean =>
  typeof v === "number" || (Array.isArray(v) && v.every((x) => typeof x === "number"));

/**
 * A MeasurementResult read back: `value` (a number or a list of numbers; null, absent or [] is no data)
 * or `error` (the service's own message, an Error measurement). Anything else says what is wrong with it.
 */
export function readResult(body: unknown, where: string): Outcome {
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new Error(
      `${where} answered ${JSON.stringify(body)?.slice(0, 100)}, not a MeasurementResult object`,
    );
  const r = body as Record<string, unknown>;
  if (r.apiVersion !== CONTRACT_V1 || r.kind !== "MeasurementResult")
    throw new Error(
      `${where} answered apiVersion ${JSON.stringify(r.apiVersion)} kind ${JSON.stringify(r.kind)}; ` +
        `ramp speaks apiVersion "${CONTRACT_V1}", kind "MeasurementResult" (docs/provider-contract.md)`,
    );
  if (typeof r.error === "string" && r.error !== "") throw new Error(`${where}: ${r.error.slice(0, 1024)}`);
  if (r.value === undefined || r.value === null) return { kind: "value", value: [] };
  if (!isNumbers(r.value))
    throw new Error(
      `${where} answered value ${JSON.stringify(r.value).slice(0, 100)}: the contract's value is a number or a list of numbers`,
    );
  return { kind: "value", value: r.value };
}
