import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { Writable } from "node:stream";
import { describe, test } from "node:test";
import { createLogger, reconcileLogger } from "../../../src/observability/log.ts";
import { createMetrics } from "../../../src/observability/metrics.ts";

/** A destination that keeps each JSON line pino writes. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

describe("createLogger", () => {
  test("writes JSON with the level name, data first and a constant message", () => {
    const { lines, stream } = capture();
    const log = createLogger({ level: "debug", destination: stream });
    log.info({ step: 2 }, "step started");
    log.trace({}, "hidden");
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.level, "info");
    assert.equal(lines[0]?.msg, "step started");
    assert.equal(lines[0]?.step, 2);
    assert.equal(typeof lines[0]?.time, "string");
  });

  test("redacts secrets at the top level, one level down and in headers", () => {
    const { lines, stream } = capture();
    const log = createLogger({ destination: stream });
    log.info(
      {
        token: "t0",
        auth: { token: "t1", password: "p", bearerToken: "b", secret: "s", user: "kept" },
        headers: { authorization: "Bearer x", accept: "kept" },
        req: { headers: { authorization: "Bearer y" } },
      },
      "request",
    );
    const line = JSON.stringify(lines[0]);
    for (const secret of ['"t0"', '"t1"', '"p"', '"b"', '"s"', "Bearer x", "Bearer y"]) {
      assert.ok(!line.includes(secret), `${secret} leaked: ${line}`);
    }
    assert.ok(line.includes('"user":"kept"'));
    assert.ok(line.includes('"accept":"kept"'));
  });

  test("a reconcile child carries rollout, namespace and revision on every line", () => {
    const { lines, stream } = capture();
    const log = reconcileLogger(createLogger({ destination: stream }), {
      rollout: "web",
      namespace: "shop",
      revision: 3,
    });
    log.info({ weight: 20 }, "weight set");
    assert.deepEqual(
      { rollout: lines[0]?.rollout, namespace: lines[0]?.namespace, revision: lines[0]?.revision },
      { rollout: "web", namespace: "shop", revision: "3" },
    );
  });
});

describe("createMetrics", () => {
  test("each call has its own registry with build info and leader set", async () => {
    const a = createMetrics({ version: "1.2.3", defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.leader.set(1);
    assert.notEqual(a.registry, b.registry);
    const text = await a.registry.metrics();
    assert.match(text, /ramp_build_info\{version="1.2.3",node="v\d+\.\d+\.\d+"\} 1/);
    assert.match(text, /^ramp_leader 1$/m);
    assert.match(await b.registry.metrics(), /^ramp_leader 0$/m);
  });

  // promtool lints names, units and help; skipped where Prometheus is not installed.
  const promtool = spawnSync("promtool", ["--version"]).status === 0;
  test("the exposition passes promtool check metrics", {
    skip: !promtool && "promtool not installed",
  }, async () => {
    const m = createMetrics();
    m.kube.requests.inc({ verb: "list", resource: "rollouts", code: "200" });
    m.kube.watchRestarts.inc({ resource: "rollouts", reason: "gone" });
    m.kube.eventWriteFailures.inc({ reason: "ApiError" });
    m.workqueue.depth.set({ name: "rollouts" }, 1);
    m.workqueue.queueDuration.observe({ name: "rollouts" }, 0.01);
    m.workqueue.workDuration.observe({ name: "rollouts" }, 0.2);
    m.workqueue.retries.inc({ name: "rollouts" });
    const result = spawnSync("promtool", ["check", "metrics"], { input: await m.registry.metrics() });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  });
});
