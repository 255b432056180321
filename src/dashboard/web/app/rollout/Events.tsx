// The Rollout's last Kubernetes Events, newest first.
import type { EventView } from "../../../contract.ts";
import { Age } from "../Age.tsx";

export function Events(props: { events: EventView[] }) {
  const events = [...props.events].sort((a, b) => Date.parse(b.lastSeen) - Date.parse(a.lastSeen));
  return (
    <section class="card" data-testid="events">
      <h2>Events</h2>
      {events.length === 0 && <p class="muted">No recent Events.</p>}
      <ul class="events">
        {events.map((e, i) => (
          <li key={`${e.reason}-${e.lastSeen}-${i}`} class={e.type === "Warning" ? "warning" : ""}>
            <span class="muted">
              <Age since={e.lastSeen} /> ago
            </span>{" "}
            <strong>{e.reason}</strong>
            {e.count > 1 && <span class="muted"> ×{e.count}</span>} {e.message}
          </li>
        ))}
      </ul>
    </section>
  );
}
