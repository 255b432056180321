// Traffic as each router's object says now, which may differ from what ramp meant while it converges.
import type { RouterView } from "../../../contract.ts";
import { WeightBar } from "../WeightBar.tsx";

export function Routers(props: { routers: RouterView[] }) {
  return (
    <section class="card" data-testid="routers">
      <h2>Traffic</h2>
      {props.routers.length === 0 && <p class="muted">No traffic router: weights follow replica counts.</p>}
      {props.routers.map((r) => (
        <div key={`${r.kind}/${r.name}`} class="router">
          <div>
            <span class="muted">{r.kind}</span> {r.name}
          </div>
          <table>
            <tbody>
              {r.weights.map((w) => (
                <tr key={w.backend}>
                  <td>{w.backend}</td>
                  <td>
                    <WeightBar weight={w.weight} testid="router-weight" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
