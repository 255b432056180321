// The ReplicaSets of this Rollout, newest first, each with its pods and their readiness.
import type { VersionView } from "../../../contract.ts";

export function Versions(props: { versions: VersionView[] }) {
  const versions = [...props.versions].sort((a, b) => b.revision - a.revision);
  return (
    <section class="card" data-testid="versions">
      <h2>Versions</h2>
      {versions.length === 0 && <p class="muted">No ReplicaSets.</p>}
      <div class="versions">
        {versions.map((v) => (
          <div key={v.replicaSet} class={`version role-${v.role}`} data-testid={`version-${v.hash}`}>
            <div class="version-head">
              <span class="role">{v.role}</span> revision {v.revision}{" "}
              <span class="muted">
                {v.replicaSet} · {v.readyReplicas}/{v.replicas} ready
              </span>
            </div>
            <div class="images">{v.images.join(", ")}</div>
            <ul class="pods">
              {v.pods.map((p) => (
                <li key={p.name} class={p.ready ? "pod ready" : "pod not-ready"} title={p.phase}>
                  <span class="dot" aria-hidden="true" />
                  {p.name}{" "}
                  <span class="muted">
                    {p.ready ? "ready" : p.phase}
                    {p.restarts > 0 ? `, ${p.restarts} restarts` : ""}
                  </span>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
    </section>
  );
}
