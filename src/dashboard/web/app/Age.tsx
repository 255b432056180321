// A relative time, kept current by the shared clock; the absolute time is in the tooltip.
import { formatAge } from "./lib/format.ts";
import { useNow } from "./now.ts";

export function Age(props: { since: string }) {
  const now = useNow(5000);
  return (
    <time dateTime={props.since} title={new Date(props.since).toLocaleString()}>
      {formatAge(props.since, now)}
    </time>
  );
}
