// The peer bench's side-by-side table: one row per figure, one column per round in the order run (so drift
// between the first and last ramp rounds shows), then ramp's ratio to each Argo configuration (ramp's
// rounds averaged). Every figure is lower-is-better, so a ratio below 1 is ramp ahead.
import type { PeerPass } from "./pass.ts";
import type { RoundResult } from "./round.ts";

type Row = { figure: string; value: (r: RoundResult) => number | undefined };

const pass = (r: RoundResult, kind: PeerPass["kind"]) => r.passes.find((p) => p.kind === kind);
const promote = (r: RoundResult) => pass(r, "promote");
const rollback = (r: RoundResult) => pass(r, "rollback");
const nonEmpty = (s: { n: number; p50: number; p99: number } | undefined, q: "p50" | "p99") =>
  s && s.n > 0 ? s[q] : undefined;

export const ROWS: Row[] = [
  { figure: "Rollout completion p50 (s)", value: (r) => promote(r)?.perRolloutSeconds.p50 },
  { figure: "Rollout completion p99 (s)", value: (r) => promote(r)?.perRolloutSeconds.p99 },
  { figure: "overhead beyond the pauses p50 (s)", value: (r) => promote(r)?.overheadSeconds?.p50 },
  { figure: "overhead beyond the pauses p99 (s)", value: (r) => promote(r)?.overheadSeconds?.p99 },
  {
    figure: "spec change → canary RS p50 (ms)",
    value: (r) => nonEmpty(promote(r)?.specChangeToCanaryReplicaSetMs, "p50"),
  },
  {
    figure: "spec change → canary RS p99 (ms)",
    value: (r) => nonEmpty(promote(r)?.specChangeToCanaryReplicaSetMs, "p99"),
  },
  {
    figure: "failed measurement → 0% p50 (ms)",
    value: (r) => nonEmpty(rollback(r)?.failedMeasurementToZeroCanaryMs, "p50"),
  },
  {
    figure: "failed measurement → 0% p99 (ms)",
    value: (r) => nonEmpty(rollback(r)?.failedMeasurementToZeroCanaryMs, "p99"),
  },
  { figure: "idle RSS, 0 Rollouts (MiB)", value: (r) => r.idleRssMiB },
  { figure: "peak RSS (MiB)", value: (r) => r.peakRssMiB },
  { figure: "settled RSS after promote (MiB)", value: (r) => r.settledRssMiB },
  { figure: "controller CPU, promote pass (s)", value: (r) => promote(r)?.controllerCpuSeconds },
  { figure: "controller CPU, rollback pass (s)", value: (r) => rollback(r)?.controllerCpuSeconds },
  { figure: "controller CPU, whole round (s)", value: (r) => r.controllerCpuSeconds },
  { figure: "apiserver CPU, promote pass (s)", value: (r) => promote(r)?.apiserverCpuSeconds },
  { figure: "apiserver CPU, rollback pass (s)", value: (r) => rollback(r)?.apiserverCpuSeconds },
  {
    figure: "writes/Rollout/step, own client (promote)",
    value: (r) => promote(r)?.client.writesPerRolloutPerStep,
  },
  {
    figure: "writes/Rollout/step, apiserver (promote)",
    value: (r) => promote(r)?.apiserver.writesPerRolloutPerStep,
  },
  {
    figure: "writes/Rollout/step, own client (rollback)",
    value: (r) => rollback(r)?.client.writesPerRolloutPerStep,
  },
  {
    figure: "writes/Rollout/step, apiserver (rollback)",
    value: (r) => rollback(r)?.apiserver.writesPerRolloutPerStep,
  },
  { figure: "reads in promote pass, own client", value: (r) => promote(r)?.client.reads },
  { figure: "reads in promote pass, apiserver", value: (r) => promote(r)?.apiserver.reads },
  { figure: "promote pass wall time (s)", value: (r) => promote(r)?.totalSeconds },
];

const mean = (xs: number[]) => (xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length);
const defined = (xs: (number | undefined)[]) => xs.filter((x): x is number => x !== undefined);

/** The mean of a contender's rounds for one figure; undefined when no round has it. */
export function meanOf(rounds: RoundResult[], label: string, row: Row): number | undefined {
  return mean(defined(rounds.filter((r) => r.contender === label).map(row.value)));
}

/** ramp ÷ the other, two decimals; undefined when either is missing or the other is 0. */
export function ratio(ramp: number | undefined, other: number | undefined): number | undefined {
  if (ramp === undefined || other === undefined || other === 0) return undefined;
  return Math.round((ramp / other) * 100) / 100;
}

const cell = (n: number | undefined) => (n === undefined ? "-" : String(Math.round(n * 100) / 100));

export type Ratios = Record<string, { rampOverDefaults?: number; rampOverLifted?: number }>;

export function ratios(rounds: RoundResult[]): Ratios {
  const out: Ratios = {};
  for (const row of ROWS) {
    const ramp = meanOf(rounds, "ramp", row);
    const d = ratio(ramp, meanOf(rounds, "argo-defaults", row));
    const l = ratio(ramp, meanOf(rounds, "argo-lifted", row));
    out[row.figure] = {
      ...(d === undefined ? {} : { rampOverDefaults: d }),
      ...(l === undefined ? {} : { rampOverLifted: l }),
    };
  }
  return out;
}

/** A Markdown table (it reads as plain text in a terminal too). */
export function renderTable(rounds: RoundResult[]): string {
  const r = ratios(rounds);
  const head = [
    "figure (lower is better)",
    ...rounds.map((x, i) => `${x.contender} #${i + 1}`),
    "ramp ÷ argo defaults",
    "ramp ÷ argo lifted",
  ];
  const lines = ROWS.map((row) => [
    row.figure,
    ...rounds.map((x) => cell(row.value(x))),
    cell(r[row.figure]?.rampOverDefaults),
    cell(r[row.figure]?.rampOverLifted),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const fmt = (cols: string[]) => `| ${cols.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [fmt(head), fmt(widths.map((w) => "-".repeat(w))), ...lines.map(fmt)].join("\n");
}
