// A metric's measurements as uPlot's columnar data: x in Unix seconds, y the value, null where a
// measurement has no number (an Error, or a non-numeric result) so the line shows the gap.
import type { MeasurementView } from "../../../contract.ts";

/** uPlot's AlignedData for one series: [xs, ys]. */
export type SeriesData = [number[], (number | null)[]];

/** The number a measurement's value holds: "0.98", "[0.98]" (a one-element vector), "true"/"false" as 1/0. */
export function measurementNumber(value: string | undefined): number | null {
  if (value === undefined) return null;
  let text = value.trim();
  const vector = /^\[\s*([^,\]]*)\s*(?:,.*)?\]$/s.exec(text);
  if (vector) text = (vector[1] ?? "").trim().replace(/^"|"$/g, "");
  if (text === "true") return 1;
  if (text === "false") return 0;
  if (text === "" || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** Measurements sorted by time as uPlot data; measurements with an unreadable time are left out. */
export function measurementsToData(measurements: readonly MeasurementView[]): SeriesData {
  const points = measurements
    .map((m) => ({ x: Date.parse(m.at) / 1000, y: measurementNumber(m.value) }))
    .filter((p) => !Number.isNaN(p.x))
    .sort((a, b) => a.x - b.x);
  return [points.map((p) => p.x), points.map((p) => p.y)];
}

/** Whether any measurement carries a number at all (else the page shows a table instead of a chart). */
export const hasNumbers = (data: SeriesData): boolean => data[1].some((y) => y !== null);
