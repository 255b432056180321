// One Rollout in the overview. Memoised: it renders again only when its own summary object changes.
import { memo } from "preact/compat";
import type { RolloutSummary } from "../../../contract.ts";
import { PAGES } from "../../../contract.ts";
import { Age } from "../Age.tsx";
import { Phase } from "../Phase.tsx";
import { Link } from "../router.tsx";
import { WeightBar } from "../WeightBar.tsx";
import { AbortBadge } from "./AbortBadge.tsx";

function Row(props: { r: RolloutSummary }) {
  const { r } = props;
  return (
    <tr data-testid={`row-${r.namespace}-${r.name}`}>
      <td class="name">
        <Link href={PAGES.rollout(r.namespace, r.name)}>{r.name}</Link>
        {r.abort && <AbortBadge abort={r.abort} />}
      </td>
      <td>
        <Phase phase={r.phase} />
      </td>
      <td class="hide-narrow">{r.strategy === "blueGreen" ? "blue-green" : "canary"}</td>
      <td data-testid="step">{r.step ? `${r.step.index}/${r.step.count}` : "–"}</td>
      <td>
        <WeightBar weight={r.weight} />
      </td>
      <td class="images hide-narrow">
        {r.images.map((i) => (
          <div key={i}>{i}</div>
        ))}
        {r.stableImages && r.stableImages.length > 0 && (
          <div class="muted" title="the stable version's images">
            stable: {r.stableImages.join(", ")}
          </div>
        )}
      </td>
      <td>
        <Age since={r.createdAt} />
      </td>
    </tr>
  );
}

export const RolloutRow = memo(Row);
