// Analysis runs: each metric's measurements plotted over time, with the conditions that judge them.
import { useMemo } from "preact/hooks";
import type { AnalysisRunView, MetricView } from "../../../contract.ts";
import { Age } from "../Age.tsx";
import { hasNumbers, measurementsToData } from "../lib/chart.ts";
import { Phase } from "../Phase.tsx";
import { MetricChart } from "./MetricChart.tsx";

function Metric(props: { run: string; metric: MetricView }) {
  const { run, metric } = props;
  const data = useMemo(() => measurementsToData(metric.measurements), [metric.measurements]);
  const last = metric.measurements.slice(-5).reverse();
  return (
    <div class="metric">
      <div class="metric-head">
        <strong>{metric.name}</strong> <Phase phase={metric.phase} />
      </div>
      <div class="metric-body">
        {hasNumbers(data) ? (
          <MetricChart data={data} label={metric.name} testid={`analysis-chart-${run}-${metric.name}`} />
        ) : (
          <p class="muted chart-empty" data-testid={`analysis-chart-${run}-${metric.name}`}>
            No numeric measurements yet.
          </p>
        )}
        {metric.judgement && (
          <div class="judgement" data-testid={`judgement-${run}-${metric.name}`}>
            <p>{metric.judgement.head}</p>
            <ul>
              {metric.judgement.metrics.map((j) => (
                <li key={j.name} class={`m-${j.verdict.toLowerCase()}`}>
                  {j.line}
                </li>
              ))}
            </ul>
          </div>
        )}
        <dl class="conditions-of-metric">
          <dt>Success when</dt>
          <dd>
            <code>{metric.successCondition ?? "–"}</code>
          </dd>
          <dt>Failure when</dt>
          <dd>
            <code>{metric.failureCondition ?? "–"}</code>
          </dd>
          <dt>Last measurements</dt>
          <dd>
            <ul class="measurements">
              {last.map((m, i) => (
                <li key={`${m.at}-${i}`} class={`m-${m.phase.toLowerCase()}`} title={m.message ?? ""}>
                  {m.value ?? "–"} <span class="muted">{m.phase}</span>
                </li>
              ))}
            </ul>
          </dd>
        </dl>
      </div>
    </div>
  );
}

export function Analysis(props: { runs: AnalysisRunView[] }) {
  if (props.runs.length === 0) return null;
  return (
    <section class="card" data-testid="analysis">
      <h2>Analysis</h2>
      {props.runs.map((run) => (
        <div key={run.name} class="run" data-testid={`run-${run.name}`}>
          <div class="run-head">
            {run.name} <Phase phase={run.phase} />
            {run.startedAt && (
              <span class="muted">
                {" "}
                started <Age since={run.startedAt} /> ago
              </span>
            )}
          </div>
          {run.message && <p class="message">{run.message}</p>}
          {run.args.length > 0 && (
            <p class="args muted">
              {run.args.map((a) => `${a.name}=${a.value ?? a.from ?? ""}`).join(" · ")}
            </p>
          )}
          {run.metrics.map((m) => (
            <Metric key={m.name} run={run.name} metric={m} />
          ))}
        </div>
      ))}
    </section>
  );
}
