// Every Rollout the viewer may see, live from the server's stream. The rows live in a Map in a ref;
// events mutate it and bump a version at most once per animation frame, so a burst of 1,000 upserts costs
// one render, and memoised groups and rows skip all but the changed ones.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { OverviewEvent, RolloutSummary } from "../../../contract.ts";
import { API } from "../../../contract.ts";
import { useStream } from "../api.ts";
import { applyOverviewEvent, type Filter, type Group, groupRows, NO_FILTER } from "../lib/rows.ts";
import { StreamStatus } from "../StreamStatus.tsx";
import { Filters } from "./Filters.tsx";
import { NamespaceGroup } from "./NamespaceGroup.tsx";

export function Overview() {
  const rows = useRef(new Map<string, RolloutSummary>());
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const frame = useRef<number | undefined>(undefined);
  const [filter, setFilter] = useState<Filter>(NO_FILTER);
  const groups = useRef<Group[]>([]);

  const state = useStream<OverviewEvent>(API.overviewStream, (event) => {
    if (!applyOverviewEvent(rows.current, event) || frame.current !== undefined) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = undefined;
      setLoaded(true);
      setVersion((v) => v + 1);
    });
  });

  useEffect(
    () => () => {
      if (frame.current !== undefined) cancelAnimationFrame(frame.current);
    },
    [],
  );

  // `version` stands for the Map's contents, which change in place between renders.
  const { shown, total } = useMemo(() => {
    groups.current = groupRows(rows.current.values(), filter, groups.current);
    return { shown: groups.current, total: rows.current.size, version };
  }, [version, filter]);
  const count = shown.reduce((n, g) => n + g.rows.length, 0);
  return (
    <div data-testid="overview">
      <div class="toolbar">
        <h1>Rollouts</h1>
        <StreamStatus state={state} />
      </div>
      <Filters filter={filter} onChange={setFilter} />
      {!loaded ? (
        <p class="muted">Loading…</p>
      ) : total === 0 ? (
        <p class="muted">No Rollouts you may see.</p>
      ) : (
        <>
          <p class="muted count">{count === total ? `${total} Rollouts` : `${count} of ${total} Rollouts`}</p>
          {shown.map((g) => (
            <NamespaceGroup key={g.namespace} group={g} />
          ))}
        </>
      )}
    </div>
  );
}
