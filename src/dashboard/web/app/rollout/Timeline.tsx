// The steps as a timeline: done, the current one (with a timed pause counting down), and those to come.
import type { StepView } from "../../../contract.ts";
import { formatRemaining } from "../lib/format.ts";
import { useNow } from "../now.ts";

function Countdown(props: { endsAt: string }) {
  const now = useNow(1000);
  return <span class="countdown">{formatRemaining(props.endsAt, now)}</span>;
}

export function Timeline(props: { steps: StepView[] }) {
  if (props.steps.length === 0) return null;
  return (
    <section class="card">
      <h2>Steps</h2>
      <ol class="timeline" data-testid="timeline">
        {props.steps.map((s) => (
          <li
            key={s.index}
            class={`step step-${s.state}`}
            data-testid={`step-${s.index}`}
            data-state={s.state}
          >
            <span class="dot" aria-hidden="true" />
            <span class="describe">{s.describe}</span>
            <span class="state">{s.state === "current" ? "now" : s.state === "done" ? "done" : ""}</span>
            {s.state === "current" && s.endsAt && <Countdown endsAt={s.endsAt} />}
          </li>
        ))}
      </ol>
    </section>
  );
}
