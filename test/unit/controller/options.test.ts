// ramp-controller's options: the web-analysis flags and their environment variables, the apiserver rate limit.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type ControllerOptions, parseOptions } from "../../../src/controller/options.ts";

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  parseOptions(argv, env, "host") as ControllerOptions;

describe("--web-analysis-allow / --web-analysis-deny", () => {
  test("none by default", () => {
    const o = parse([]);
    assert.deepEqual([o.webAnalysisAllow, o.webAnalysisDeny], [[], []]);
  });
  test("a flag may repeat; each value is a list", () => {
    const o = parse(["--web-analysis-deny", "10.0.0.0/8,*.corp", "--web-analysis-deny=[fd00::/8]:443"]);
    assert.deepEqual(o.webAnalysisDeny, ["10.0.0.0/8,*.corp", "[fd00::/8]:443"]);
  });
  test("the environment is used when the flag is absent, and the flag wins over it", () => {
    const env = { RAMP_WEB_ANALYSIS_ALLOW: "169.254.170.2", RAMP_WEB_ANALYSIS_DENY: "*" };
    assert.deepEqual(parse([], env).webAnalysisAllow, ["169.254.170.2"]);
    assert.deepEqual(parse([], env).webAnalysisDeny, ["*"]);
    assert.deepEqual(parse(["--web-analysis-deny", "10.0.0.0/8"], env).webAnalysisDeny, ["10.0.0.0/8"]);
    assert.deepEqual(parse([], { RAMP_WEB_ANALYSIS_DENY: "  " }).webAnalysisDeny, []);
  });
  test("an entry that does not parse stops the controller, naming the flag", () => {
    assert.throws(
      () => parse(["--web-analysis-allow", "10.0.0.0/40"]),
      /^Error: --web-analysis-allow: "10\.0\.0\.0\/40"/,
    );
    assert.throws(
      () => parse([], { RAMP_WEB_ANALYSIS_DENY: "http://x" }),
      /--web-analysis-deny: "http:\/\/x"/,
    );
  });
});

describe("--kube-api-qps / --kube-api-burst", () => {
  test("no client-side limit by default", () => {
    const o = parse([]);
    assert.deepEqual([o.kubeApiQps, o.kubeApiBurst], [0, 1]);
  });
  test("burst defaults to twice the rate, and may be set", () => {
    const o = parse(["--kube-api-qps=50"]);
    assert.deepEqual([o.kubeApiQps, o.kubeApiBurst], [50, 100]);
    const p = parse(["--kube-api-qps", "2.5", "--kube-api-burst", "10"]);
    assert.deepEqual([p.kubeApiQps, p.kubeApiBurst], [2.5, 10]);
  });
  test("a negative rate, a fractional or zero burst, or a burst without a rate stops the controller", () => {
    assert.throws(() => parse(["--kube-api-qps=-1"]), /^Error: --kube-api-qps: "-1"/);
    assert.throws(() => parse(["--kube-api-qps=x"]), /^Error: --kube-api-qps: "x"/);
    assert.throws(
      () => parse(["--kube-api-qps=5", "--kube-api-burst=1.5"]),
      /^Error: --kube-api-burst: "1.5"/,
    );
    assert.throws(() => parse(["--kube-api-qps=5", "--kube-api-burst=0"]), /^Error: --kube-api-burst: "0"/);
    assert.throws(() => parse(["--kube-api-burst=5"]), /--kube-api-burst needs --kube-api-qps > 0/);
  });
});
