// Filter the overview by name, by label selector (key=value, comma-separated) and by phase.
import type { Filter, Phase } from "../lib/rows.ts";
import { PHASES } from "../lib/rows.ts";

export function Filters(props: { filter: Filter; onChange: (f: Filter) => void }) {
  const { filter, onChange } = props;
  return (
    <form class="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      <input
        type="search"
        placeholder="Name"
        aria-label="Filter by name"
        data-testid="filter-name"
        value={filter.name}
        onInput={(e) => onChange({ ...filter, name: e.currentTarget.value })}
      />
      <input
        type="search"
        placeholder="Label: app=web"
        aria-label="Filter by label (key=value, comma-separated)"
        data-testid="filter-label"
        value={filter.label}
        onInput={(e) => onChange({ ...filter, label: e.currentTarget.value })}
      />
      <select
        aria-label="Filter by phase"
        data-testid="filter-phase"
        value={filter.phase}
        onChange={(e) => onChange({ ...filter, phase: e.currentTarget.value as Phase | "" })}
      >
        <option value="">All phases</option>
        {PHASES.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
    </form>
  );
}
