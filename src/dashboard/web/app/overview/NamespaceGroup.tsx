// One namespace's Rollouts. Memoised on the group object, which groupRows keeps when no row changed.
import { memo } from "preact/compat";
import type { Group } from "../lib/rows.ts";
import { RolloutRow } from "./RolloutRow.tsx";

function NamespaceTable(props: { group: Group }) {
  const { namespace, rows } = props.group;
  return (
    <section class="ns" data-testid={`namespace-${namespace}`}>
      <h2>
        {namespace} <span class="muted">({rows.length})</span>
      </h2>
      <div class="table-wrap">
        <table class="rollouts">
          <thead>
            <tr>
              <th>Name</th>
              <th>Phase</th>
              <th class="hide-narrow">Strategy</th>
              <th>Step</th>
              <th>Weight</th>
              <th class="hide-narrow">Images</th>
              <th>Age</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <RolloutRow key={r.name} r={r} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export const NamespaceGroup = memo(NamespaceTable);
