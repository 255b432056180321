import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseExposition } from "../../../dev/scrape.ts";
import { quantile, stagesBetween } from "../../../scripts/bench/histograms.ts";

const exposition = (counts: Record<string, number[]>) =>
  Object.entries(counts)
    .flatMap(([series, [a, b, c, inf]]) => {
      const [name, labels] = series.split("|");
      const l = labels ? `${labels},` : "";
      return [
        `${name}_bucket{${l}le="0.1"} ${a}`,
        `${name}_bucket{${l}le="0.25"} ${b}`,
        `${name}_bucket{${l}le="0.5"} ${c}`,
        `${name}_bucket{${l}le="+Inf"} ${inf}`,
      ];
    })
    .join("\n");

describe("bench controller stages", () => {
  test("quantile interpolates inside the bucket that holds the rank, as histogram_quantile does", () => {
    const b = new Map([
      [0.1, 50],
      [0.25, 90],
      [0.5, 100],
      [Infinity, 100],
    ]);
    assert.equal(quantile(0.5, b), 0.1);
    assert.ok(Math.abs(quantile(0.7, b) - 0.175) < 1e-9);
    assert.ok(Math.abs(quantile(0.99, b) - 0.475) < 1e-9);
  });
  test("a rank in +Inf is the last finite bound; no observations is 0", () => {
    const b = new Map([
      [0.1, 1],
      [Infinity, 10],
    ]);
    assert.equal(quantile(0.99, b), 0.1);
    assert.equal(quantile(0.99, new Map([[Infinity, 0]])), 0);
  });
  test("stages come from the pass's bucket deltas; API write counts only write verbs", () => {
    const q = 'ramp_workqueue_queue_duration_seconds|name="rollouts"';
    const api = "ramp_kube_api_request_duration_seconds";
    const before = parseExposition(
      exposition({
        [q]: [100, 100, 100, 100],
        [`${api}|verb="patch",resource="rollouts/status"`]: [0, 0, 0, 0],
      }),
    );
    const after = parseExposition(
      exposition({
        [q]: [100, 150, 200, 200],
        [`${api}|verb="patch",resource="rollouts/status"`]: [10, 10, 10, 10],
        [`${api}|verb="get",resource="rollouts"`]: [0, 0, 0, 5],
        "ramp_rollout_pause_overrun_seconds|": [0, 4, 4, 4],
      }),
    );
    const s = stagesBetween(before, after);
    // A histogram without labels, new since the first scrape: the deltas are its whole counts.
    assert.deepEqual(s.pauseOverrun, { n: 4, p50: 175, p99: 249 });
    assert.deepEqual(s.queueWait, { n: 100, p50: 250, p99: 495 });
    assert.deepEqual(s.apiWrite, { n: 10, p50: 50, p99: 99 });
    assert.deepEqual(s.handler, { n: 0, p50: 0, p99: 0 });
  });
});
