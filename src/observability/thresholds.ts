// The number a success/failure condition compares the measured value with, so dashboards can draw it
// next to ramp_analysis_metric_value. Only the plain forms have one: `result[0] > 0.05`, `0.95 <= result`.
const NUMBER = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`;
const VALUE = String.raw`result(?:\[0\])?`;
const OP = "<=|>=|<|>|==";
const valueFirst = new RegExp(String.raw`^\s*${VALUE}\s*(${OP})\s*(${NUMBER})\s*$`);
const numberFirst = new RegExp(String.raw`^\s*(${NUMBER})\s*(${OP})\s*${VALUE}\s*$`);

/** The threshold of a condition comparing the (first) result with a number literal, else undefined. */
export function thresholdOf(condition: string | undefined): number | undefined {
  if (condition === undefined) return undefined;
  const m = valueFirst.exec(condition);
  const literal = m ? m[2] : numberFirst.exec(condition)?.[1];
  if (literal === undefined) return undefined;
  const n = Number(literal);
  return Number.isFinite(n) ? n : undefined;
}
