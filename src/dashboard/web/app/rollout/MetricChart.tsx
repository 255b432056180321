// One metric's measurements over time, drawn by uPlot. The plot is made once and fed new data on updates.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import type { SeriesData } from "../lib/chart.ts";

const HEIGHT = 160;

export function MetricChart(props: { data: SeriesData; label: string; testid: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT,
      legend: { show: true },
      scales: { x: { time: true } },
      series: [{}, { label: props.label, stroke: "#2563eb", width: 2, points: { show: true, size: 6 } }],
    };
    const p = new uPlot(opts, props.data, el);
    plot.current = p;
    const resize = new ResizeObserver(() =>
      p.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      p.destroy();
      plot.current = null;
    };
    // The plot is created once; data changes go through setData below.
  }, [props.label]);

  useEffect(() => {
    plot.current?.setData(props.data);
  }, [props.data]);

  return <div class="chart" ref={box} data-testid={props.testid} />;
}
