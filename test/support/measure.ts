// A provider's MeasureContext for unit tests: fixed run identity, and "s3cret" for every Secret value.
import type { MeasureContext } from "../../src/analysis/providers/provider.ts";
import type { Metric } from "../../src/api/index.ts";

export const measureContext = (metric: Metric, metricIndex = 0): MeasureContext => ({
  metric,
  metricIndex,
  args: {},
  namespace: "ns",
  runName: "run",
  runUid: "uid",
  index: 1,
  secret: async () => "s3cret",
});
