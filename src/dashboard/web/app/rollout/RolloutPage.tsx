// One Rollout, live from its stream: summary, actions, steps, versions, traffic, analysis, conditions, events.
import { useState } from "preact/hooks";
import type { DetailEvent, Me, RolloutDetail } from "../../../contract.ts";
import { API } from "../../../contract.ts";
import { Age } from "../Age.tsx";
import { useStream } from "../api.ts";
import { Phase } from "../Phase.tsx";
import { Link } from "../router.tsx";
import { StreamStatus } from "../StreamStatus.tsx";
import { WeightBar } from "../WeightBar.tsx";
import { Actions } from "./Actions.tsx";
import { Analysis } from "./Analysis.tsx";
import { Conditions } from "./Conditions.tsx";
import { Events } from "./Events.tsx";
import { Routers } from "./Routers.tsx";
import { Timeline } from "./Timeline.tsx";
import { Versions } from "./Versions.tsx";

type State = { kind: "loading" } | { kind: "ok"; detail: RolloutDetail } | { kind: "deleted" };

export function RolloutPage(props: { namespace: string; name: string; me: Me }) {
  const { namespace, name } = props;
  const [state, setState] = useState<State>({ kind: "loading" });
  const stream = useStream<DetailEvent>(API.detailStream(namespace, name), (event) => {
    if (event.type === "delete") setState({ kind: "deleted" });
    else setState({ kind: "ok", detail: event.rollout });
  });

  return (
    <div data-testid="rollout-page" class="rollout-page">
      <nav class="crumbs">
        <Link href="/">Rollouts</Link> / {namespace} / <strong>{name}</strong>
        <StreamStatus state={stream} />
      </nav>
      {state.kind === "loading" && (
        <p class="muted">{stream === "closed" ? "Not found, or not yours to see." : "Loading…"}</p>
      )}
      {state.kind === "deleted" && <p class="error">This Rollout was deleted.</p>}
      {state.kind === "ok" && <Detail d={state.detail} me={props.me} />}
    </div>
  );
}

function Detail(props: { d: RolloutDetail; me: Me }) {
  const { d } = props;
  return (
    <>
      <section class="card summary">
        <h1>
          {d.name} <Phase phase={d.phase} />
        </h1>
        <dl>
          <dt>Strategy</dt>
          <dd>{d.strategy === "blueGreen" ? "blue-green" : "canary"}</dd>
          <dt>Step</dt>
          <dd>{d.step ? `${d.step.index}/${d.step.count}` : "–"}</dd>
          <dt>Weight</dt>
          <dd>
            <WeightBar weight={d.weight} />
          </dd>
          <dt>Images</dt>
          <dd>{d.images.join(", ") || "–"}</dd>
          {d.stableImages && d.stableImages.length > 0 && (
            <>
              <dt>Stable</dt>
              <dd>{d.stableImages.join(", ")}</dd>
            </>
          )}
          <dt>Age</dt>
          <dd>
            <Age since={d.createdAt} />
          </dd>
        </dl>
        {d.message && <p class="message">{d.message}</p>}
        {d.abort && (
          <div class="abort" data-testid="abort">
            <strong>Aborted: {d.abort.reason}</strong>
            <p>{d.abort.message}</p>
            <p class="muted">
              {d.abort.by ? `by ${d.abort.by}, ` : ""}
              <Age since={d.abort.at} /> ago
            </p>
          </div>
        )}
      </section>
      <Actions d={d} me={props.me} />
      <Timeline steps={d.steps} />
      <Versions versions={d.versions} />
      <Routers routers={d.routers} />
      <Analysis runs={d.analysisRuns} />
      <Conditions conditions={d.conditions} />
      <Events events={d.events} />
    </>
  );
}
