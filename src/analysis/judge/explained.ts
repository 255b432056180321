// A judge measurement read back for people (kubectl ramp get, the dashboard): its score line and one line
// per judged metric with its verdict, from the measurement's value and message (judgement.ts wrote both).

export type ExplainedJudgement = {
  /** "judge vs stable: score 40 (pass 95, marginal 75) → FAIL: …" */
  head: string;
  metrics: { name: string; verdict: string; line: string }[];
};

/** The judgement a measurement holds, or undefined when it is not a judge's (or was cut short). */
export function explainedJudgement(
  value: string | undefined,
  message: string | undefined,
): ExplainedJudgement | undefined {
  if (!value || !message?.startsWith("judge vs ")) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  const metrics = (parsed as { metrics?: unknown }).metrics;
  if (!Array.isArray(metrics)) return undefined;
  const [head = "", ...lines] = message.split("\n");
  return {
    head,
    metrics: metrics.map((m: { name?: unknown; verdict?: unknown }, i) => ({
      name: String(m.name ?? ""),
      verdict: String(m.verdict ?? ""),
      line: lines[i] ?? "",
    })),
  };
}
