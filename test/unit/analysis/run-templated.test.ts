// The run reconciler with count, failureLimit and interval from args: it measures exactly count times at
// the resolved interval, and a value that resolves to nothing usable ends the run Error naming the field.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { ConditionEvaluator } from "../../../src/analysis/conditions.ts";
import type { Metric } from "../../../src/api/index.ts";
import { runArgs, runHarness } from "../../support/analysis-run.ts";

const evaluator = new ConditionEvaluator({ timeoutMs: 1000 });
let server: Server;
let url = "";
let calls = 0;
before(async () => {
  server = createServer((_req, res) => {
    calls++;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ ok: 1 }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/check`;
});
after(async () => {
  await evaluator.close();
  await new Promise((resolve) => server.close(resolve));
});

/** A run of one web metric (1 when measured) with these fields and args. */
function harness(
  metric: Partial<Metric>,
  args: Record<string, string>,
  secrets: Record<string, string> = {},
) {
  const spec = {
    metrics: [
      {
        name: "errors",
        provider: { web: { url, jsonPath: "{$.ok}" } },
        successCondition: "result == 1",
        ...metric,
      },
    ],
    args: runArgs(args),
  };
  return runHarness(spec, { evaluator, secrets });
}

describe("run with templated fields", () => {
  test("count and interval from args: exactly count measurements, interval apart, then Successful", async () => {
    calls = 0;
    const h = harness(
      { count: "{{args.count}}", failureLimit: "{{args.limit}}", interval: "{{args.every}}" },
      { count: "3", limit: "0", every: "10s" },
    );
    const waits: (number | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      const next = await h.reconcile();
      waits.push(next?.requeueAfterMs);
      h.clock.now += next?.requeueAfterMs ?? 0;
    }
    assert.deepEqual(waits, [10_000, 10_000, undefined]);
    assert.equal(h.status()?.phase, "Successful");
    assert.equal(h.status()?.metricResults?.[0]?.count, 3);
    const times = (h.status()?.metricResults?.[0]?.measurements ?? []).map((m) =>
      Date.parse(m.startedAt ?? ""),
    );
    assert.deepEqual(
      times.map((t) => t - (times[0] ?? 0)),
      [0, 10_000, 20_000],
    );
    h.clock.now += 60_000;
    await h.reconcile();
    assert.equal(calls, 3, "no measurement after count");
  });

  test("an arg that resolves to abc: the run ends Error naming the metric, field and arg; nothing is measured", async () => {
    calls = 0;
    const h = harness({ count: "{{args.count}}" }, { count: "abc" });
    assert.equal(await h.reconcile(), undefined);
    assert.equal(h.status()?.phase, "Error");
    assert.equal(
      h.status()?.message,
      'metric "errors": count "{{args.count}}" resolved to "abc", which is not a whole number: pass an integer in the analysis arg "count"',
    );
    assert.ok(h.status()?.finishedAt);
    assert.equal(calls, 0);
  });

  test("a condition that does not parse still fails the run first (Failed, InvalidCondition)", async () => {
    const h = harness({ successCondition: "result >", count: "{{args.count}}" }, { count: "abc" });
    await h.reconcile();
    assert.equal(h.status()?.phase, "Failed");
    assert.match(h.status()?.message ?? "", /^InvalidCondition: metric errors: successCondition: /);
  });

  test("a value from a Secret resolves at run start, and never shows in the message", async () => {
    const ok = harness({ count: "{{args.n}}" }, { n: "secret:n" }, { n: "1" });
    await ok.reconcile();
    assert.equal(ok.status()?.phase, "Successful");
    const bad = harness({ interval: "{{args.n}}" }, { n: "secret:n" }, { n: "hunter2" });
    await bad.reconcile();
    assert.equal(bad.status()?.phase, "Error");
    assert.match(
      bad.status()?.message ?? "",
      /^metric "errors": interval "\{\{args\.n\}\}" resolved to "\*+"/,
    );
    assert.doesNotMatch(bad.status()?.message ?? "", /hunter2/);
  });
});
