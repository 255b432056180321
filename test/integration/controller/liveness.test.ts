// Given the real controller started with --stuck-reconcile-seconds=1, when an AnalysisRun's web metric
// calls an endpoint that takes 6 s to answer (its reconcile waits on it), then the controller's /healthz
// answers 503 naming the reconcile check while the call hangs, and 200 again once it returns; the
// process keeps running (the kubelet, not the controller, decides to restart it).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { waitFor } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { createRun, waitRunDone } from "../../support/e2e/runs.ts";
import { type EchoServer, startEchoServer } from "../../support/echo-server.ts";

describe("liveness: a reconcile stuck on a call that does not return", () => {
  let f: Fixture;
  let echo: EchoServer | undefined;
  before(async () => {
    echo = await startEchoServer(6_000);
    f = await Fixture.create("liveness");
  });
  after(async () => {
    await f?.cleanup();
    await echo?.stop();
  });

  test("/healthz fails while an analysis reconcile runs past --stuck-reconcile-seconds, and recovers", async () => {
    const c = await f.startController({ args: ["--stuck-reconcile-seconds=1"] });
    const healthz = async () => {
      const res = await fetch(`${c.healthUrl}/healthz`);
      return `${res.status} ${(await res.text()).trim()}`;
    };
    assert.equal(await healthz(), "200 ok", "healthy before any reconcile");
    await createRun(f, "slow", {
      metrics: [
        {
          name: "slow",
          successCondition: "result == true",
          provider: { web: { url: `${echo?.http ?? ""}/slow/x`, jsonPath: "{$.ok}", timeoutSeconds: 30 } },
        },
      ],
    });
    await waitFor(async () => (await healthz()) === "503 reconcile failed", {
      what: "/healthz to fail on the stuck reconcile",
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    const done = await waitRunDone(f, "slow");
    assert.equal(done.status?.phase, "Successful", "the slow call did return and measure");
    await waitFor(async () => (await healthz()) === "200 ok", {
      what: "/healthz to pass again",
      timeoutMs: 10_000,
      intervalMs: 100,
    });
  });
});
