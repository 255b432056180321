import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { after, before, describe, test } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import { defaultUserAgent, makeClients, statusCodeOf } from "../../../src/kube/client.ts";
import { type Answer, honourRetryAfter, retryAfterMs } from "../../../src/kube/retry-after.ts";
import { createMetrics } from "../../../src/observability/metrics.ts";

describe("retryAfterMs", () => {
  const cases: [string, number, Record<string, string>, number | undefined][] = [
    ["429 with seconds", 429, { "retry-after": "2" }, 2000],
    ["503 with seconds", 503, { "retry-after": "1" }, 1000],
    ["500 with zero", 500, { "retry-after": "0" }, 0],
    ["any header case", 429, { "Retry-After": "3" }, 3000],
    ["429 without the header", 429, {}, undefined],
    ["500 without the header", 500, {}, undefined],
    ["409 never", 409, { "retry-after": "1" }, undefined],
    ["200 never", 200, { "retry-after": "1" }, undefined],
    ["not a number", 429, { "retry-after": "soon" }, undefined],
    ["negative", 429, { "retry-after": "-1" }, undefined],
    ["an HTTP date", 503, { "retry-after": new Date(5000).toUTCString() }, 5000],
    ["a date in the past", 503, { "retry-after": new Date(0).toUTCString() }, 0],
  ];
  for (const [name, status, headers, want] of cases) {
    test(name, () => assert.equal(retryAfterMs(status, headers, 0), want));
  }
});

/** Answers in turn from a script of [status, Retry-After]; records what honourRetryAfter did. */
function scripted(script: [number, string?][]) {
  const calls = { attempts: 0, waits: [] as number[], drained: 0 };
  const attempt = async (): Promise<Answer> => {
    const [status, retryAfter] = script[Math.min(calls.attempts, script.length - 1)] ?? [200];
    calls.attempts++;
    return {
      httpStatusCode: status,
      headers: retryAfter === undefined ? {} : { "retry-after": retryAfter },
      body: {
        text: async () => {
          calls.drained++;
          return "";
        },
      },
    };
  };
  const wait = async (ms: number) => {
    calls.waits.push(ms);
  };
  return { attempt, wait, calls };
}

describe("honourRetryAfter", () => {
  test("retries a 429 and a 503 after the asked delay, drains their bodies and returns the success", async () => {
    const s = scripted([[429, "2"], [503, "1"], [200]]);
    const retried: number[] = [];
    const answer = await honourRetryAfter(s.attempt, {
      wait: s.wait,
      random: () => 0,
      onRetry: (a) => retried.push(a.httpStatusCode),
    });
    assert.equal(answer.httpStatusCode, 200);
    assert.deepEqual(s.calls, { attempts: 3, waits: [2000, 1000], drained: 2 });
    assert.deepEqual(retried, [429, 503]);
  });

  test("jitter only adds, at most 10% of the delay", async () => {
    for (const r of [0, 0.5, 0.999]) {
      const s = scripted([[429, "2"], [200]]);
      await honourRetryAfter(s.attempt, { wait: s.wait, random: () => r });
      const [waited = 0] = s.calls.waits;
      assert.ok(waited >= 2000 && waited < 2200, `waited ${waited} ms with random ${r}`);
    }
  });

  test("a long ask is capped", async () => {
    const s = scripted([[429, "600"], [200]]);
    await honourRetryAfter(s.attempt, { wait: s.wait, random: () => 0, maxDelayMs: 5000 });
    assert.deepEqual(s.calls.waits, [5000]);
  });

  test("gives up after maxRetries and returns the last answer for the caller to handle", async () => {
    const s = scripted([[429, "1"]]);
    const answer = await honourRetryAfter(s.attempt, { wait: s.wait, maxRetries: 3 });
    assert.equal(answer.httpStatusCode, 429);
    assert.equal(s.calls.attempts, 4);
    assert.equal(s.calls.waits.length, 3);
  });

  test("errors without Retry-After (500, 409, a 429 without it) go back at once", async () => {
    for (const status of [500, 409, 429, 404]) {
      const s = scripted([[status]]);
      const answer = await honourRetryAfter(s.attempt, { wait: s.wait });
      assert.equal(answer.httpStatusCode, status);
      assert.deepEqual(s.calls, { attempts: 1, waits: [], drained: 0 });
    }
  });

  test("a caller that gave up gets no retry, and an abort ends the wait", async () => {
    const done = AbortSignal.abort();
    const s = scripted([[429, "1"], [200]]);
    assert.equal((await honourRetryAfter(s.attempt, { wait: s.wait, signal: done })).httpStatusCode, 429);

    const ctl = new AbortController();
    const waiting = honourRetryAfter(scripted([[429, "30"], [200]]).attempt, { signal: ctl.signal });
    setImmediate(() => ctl.abort());
    await assert.rejects(waiting, { name: "AbortError" });
  });
});

describe("the counted transport honours Retry-After", () => {
  // A stand-in apiserver: each path answers from its own script, then 200 with the request echoed.
  const scripts = new Map<string, [number, string?][]>();
  const seen: { method: string; path: string; body: string; at: number; agent: string }[] = [];
  let server: Server;
  let kc: KubeConfig;

  before(async () => {
    server = createServer(async (req: IncomingMessage, res) => {
      let body = "";
      for await (const chunk of req) body += chunk;
      const path = req.url ?? "";
      seen.push({
        method: req.method ?? "",
        path,
        body,
        at: Date.now(),
        agent: req.headers["user-agent"] ?? "",
      });
      const [status, retryAfter] = scripts.get(path)?.shift() ?? [200];
      res.writeHead(status, {
        "content-type": "application/json",
        ...(retryAfter === undefined ? {} : { "retry-after": retryAfter }),
      });
      res.end(JSON.stringify({ kind: "Status", code: status, message: `scripted ${status}`, echo: body }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: `http://127.0.0.1:${address.port}`, skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "x", cluster: "c", user: "u" }],
      currentContext: "x",
    });
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("a write answered 429 is sent again, same body, after the delay; counted as a retry", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const clients = makeClients(kc, metrics, { identity: "ctl-a" });
    const path = "/api/v1/namespaces/ns/configmaps";
    scripts.set(path, [
      [429, "1"],
      [503, "0"],
    ]);
    const out = await clients.request<{ echo: string }>("POST", path, { metadata: { name: "a" } });
    await clients.close();
    const sent = seen.filter((s) => s.path === path);
    assert.equal(sent.length, 3);
    assert.equal(new Set(sent.map((s) => s.body)).size, 1, "the same body each time");
    assert.equal(out.echo, sent[0]?.body);
    const gap = (sent[1]?.at ?? 0) - (sent[0]?.at ?? 0);
    assert.ok(gap >= 1000, `the retry came ${gap} ms after the 429 that asked for 1 s`);
    assert.equal(sent[0]?.agent, defaultUserAgent("ctl-a"));
    assert.match(sent[0]?.agent ?? "", /^ramp-controller\/\S+ \(ctl-a\)$/);
    const text = await metrics.registry.metrics();
    assert.match(text, /ramp_kube_api_retries_total\{verb="create",resource="configmaps",code="429"\} 1/);
    assert.match(text, /ramp_kube_api_retries_total\{verb="create",resource="configmaps",code="503"\} 1/);
    for (const code of ["429", "503", "200"])
      assert.match(
        text,
        new RegExp(`ramp_kube_api_requests_total\\{verb="create",resource="configmaps",code="${code}"\\} 1`),
      );
    // Each attempt is timed on its own: the Retry-After waits between them are not apiserver latency.
    assert.match(
      text,
      /ramp_kube_api_request_duration_seconds_count\{verb="create",resource="configmaps"\} 3/,
    );
    const sum = Number(
      /ramp_kube_api_request_duration_seconds_sum\{verb="create",resource="configmaps"\} (\S+)/.exec(
        text,
      )?.[1],
    );
    assert.ok(sum < 1, `three local answers took ${sum} s: the 1 s Retry-After wait was counted`);
  });

  test("a 500 without Retry-After, and a 409, reach the caller at once", async () => {
    const clients = makeClients(kc, createMetrics({ defaultMetrics: false }));
    const path = "/api/v1/namespaces/ns/configmaps/b";
    scripts.set(path, [[500], [409, "1"]]);
    const first = await clients.request("PATCH", path, { data: {} }).catch((e: unknown) => e);
    const second = await clients.request("PATCH", path, { data: {} }).catch((e: unknown) => e);
    await clients.close();
    assert.equal(statusCodeOf(first), 500);
    assert.equal(statusCodeOf(second), 409);
    assert.equal(seen.filter((s) => s.path === path).length, 2);
  });

  test("reads and watches retry too", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const clients = makeClients(kc, metrics, {
      retryAfter: { maxDelayMs: 0 },
    });
    scripts.set("/api/v1/namespaces/x", [
      [429, "5"],
      [429, "5"],
    ]);
    await clients.request("GET", "/api/v1/namespaces/x");
    const watchPath = "/api/v1/namespaces/ns/pods?watch=true";
    scripts.set(watchPath, [[503, "5"]]);
    const abort = new AbortController();
    const events = await clients.watch("/api/v1/namespaces/ns/pods", {}, abort.signal);
    abort.abort();
    await clients.close();
    assert.ok(events);
    assert.equal(seen.filter((s) => s.path === "/api/v1/namespaces/x").length, 3);
    assert.equal(seen.filter((s) => s.path === watchPath).length, 2);
    const text = await metrics.registry.metrics();
    assert.match(text, /ramp_kube_api_request_duration_seconds_count\{verb="get",resource="namespaces"\} 3/);
    assert.doesNotMatch(
      text,
      /ramp_kube_api_request_duration_seconds_count\{verb="watch"/,
      "a watch is a stream",
    );
  });
});
