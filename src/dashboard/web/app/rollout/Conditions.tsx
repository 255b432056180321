// The Rollout's status conditions.
import type { ConditionView } from "../../../contract.ts";
import { Age } from "../Age.tsx";

export function Conditions(props: { conditions: ConditionView[] }) {
  return (
    <section class="card" data-testid="conditions">
      <h2>Conditions</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Type</th>
              <th>Status</th>
              <th>Reason</th>
              <th>Message</th>
              <th>Since</th>
            </tr>
          </thead>
          <tbody>
            {props.conditions.map((c) => (
              <tr key={c.type}>
                <td>{c.type}</td>
                <td class={`cond-${c.status.toLowerCase()}`}>{c.status}</td>
                <td>{c.reason}</td>
                <td class="message">{c.message}</td>
                <td>
                  <Age since={c.lastTransitionTime} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
