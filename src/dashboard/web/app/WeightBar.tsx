// A weight in percent as a small bar with its number; the bar's width is set from script (CSP allows it).
import { useLayoutEffect, useRef } from "preact/hooks";

export function WeightBar(props: { weight: number | undefined; testid?: string }) {
  const fill = useRef<HTMLSpanElement>(null);
  const w = props.weight;
  useLayoutEffect(() => {
    if (fill.current) fill.current.style.transform = `scaleX(${Math.max(0, Math.min(100, w ?? 0)) / 100})`;
  }, [w]);
  if (w === undefined) return <span class="muted">–</span>;
  return (
    <span class="weight" data-testid={props.testid ?? "weight"} title={`${w}% of traffic`}>
      <span class="bar" aria-hidden="true">
        <span class="fill" ref={fill} />
      </span>
      <span class="num">{w}%</span>
    </span>
  );
}
