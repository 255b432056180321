// A relative time, kept current by the shared clock; the absolute time is in the tooltip. The ticker writes
// the text itself (Preact renders the element empty and never touches its text), so 1,000 ages cost a
// string comparison each per tick, not 1,000 component renders.
import { useLayoutEffect, useRef } from "preact/hooks";
import { formatAge } from "./lib/format.ts";
import { onTick } from "./now.ts";

export function Age(props: { since: string }) {
  const { since } = props;
  const el = useRef<HTMLTimeElement>(null);
  useLayoutEffect(() => {
    const node = el.current;
    if (!node) return;
    const update = (now: number) => {
      const text = formatAge(since, now);
      if (node.textContent !== text) node.textContent = text;
    };
    update(Date.now());
    return onTick(5000, update);
  }, [since]);
  return <time ref={el} dateTime={since} title={new Date(since).toLocaleString()} />;
}
