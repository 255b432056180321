// --kube-api-qps / --kube-api-burst: the token bucket's arithmetic on a fake clock, and the client
// holding real requests to a stand-in apiserver to the rate (retries included), with no limit at qps 0
// and none on the controller's Lease client.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, test } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import { controllerClients } from "../../../src/controller/clients.ts";
import { makeClients } from "../../../src/kube/client.ts";
import { connectionOf } from "../../../src/kube/kubeconfig.ts";
import { TokenBucket } from "../../../src/kube/rate-limit.ts";
import { createMetrics } from "../../../src/observability/metrics.ts";

describe("TokenBucket", () => {
  test("the burst goes at once, then one token every 1/qps s, owed tokens queue in order", () => {
    let now = 0;
    const bucket = new TokenBucket({ qps: 10, burst: 3 }, () => now);
    // [advance the clock by ms, then reserve → expected wait in ms]
    const table: [number, number][] = [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 100],
      [0, 200],
      [50, 250], // 50 ms later the queue is 300 ms deep, less the 50 ms gone
      [1_000, 0], // a quiet second refills past the burst: capped at 3
      [0, 0],
      [0, 0],
      [0, 100],
    ];
    table.forEach(([advance, wait], i) => {
      now += advance;
      assert.equal(Math.round(bucket.reserve()), wait, `reservation ${i}`);
    });
  });

  test("refuses a rate of 0 or a burst below 1 (rateLimiter returns none for qps 0 instead)", () => {
    assert.throws(() => new TokenBucket({ qps: 0, burst: 1 }));
    assert.throws(() => new TokenBucket({ qps: 5, burst: 0 }));
  });
});

describe("the client under --kube-api-qps", () => {
  const arrivals: number[] = [];
  let server: Server;
  let kc: KubeConfig;
  before(async () => {
    server = createServer((req, res) => {
      arrivals.push(performance.now());
      const retry = req.url?.includes("retry") && arrivals.length % 2 === 1;
      res.writeHead(retry ? 429 : 200, {
        "content-type": "application/json",
        ...(retry ? { "retry-after": "0" } : {}),
      });
      res.end("{}");
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

  const burstOf = async (
    rateLimit: { qps: number; burst: number } | undefined,
    n: number,
    path = "/api/v1/a",
  ) => {
    arrivals.length = 0;
    const clients = makeClients(kc, createMetrics({ defaultMetrics: false }), rateLimit ? { rateLimit } : {});
    const started = performance.now();
    await Promise.all(Array.from({ length: n }, () => clients.request("GET", path)));
    await clients.close();
    return arrivals.map((t) => t - started);
  };

  test("qps 20, burst 5: 25 requests at once arrive over about a second, the first 5 at once", async () => {
    const at = await burstOf({ qps: 20, burst: 5 }, 25);
    assert.equal(at.length, 25);
    const sorted = at.sort((a, b) => a - b);
    // At once: paced at 20/s without a burst, the 5th would go at 200 ms (seen at 133 ms on a loaded machine).
    assert.ok((sorted[4] ?? Infinity) < 190, `the burst took ${sorted[4]} ms`);
    // 20 owed tokens at 20/s: the last goes about 1 s after the start.
    assert.ok((sorted[24] ?? 0) >= 950, `the 25th request arrived after ${sorted[24]} ms`);
    assert.ok((sorted[24] ?? Infinity) < 2_000, `the 25th request arrived after ${sorted[24]} ms`);
  });

  test("a retry takes a token too (client-go throttles every attempt)", async () => {
    const at = await burstOf({ qps: 10, burst: 1 }, 2, "/api/v1/retry");
    // 2 requests, each answered 429 once, the first attempt: 4 attempts at 10/s after a burst of 1.
    assert.equal(at.length, 4);
    assert.ok(Math.max(...at) >= 290, `4 attempts at 10/s took ${Math.max(...at)} ms`);
  });

  test("the controller's Lease client is outside the limit: a renewal goes at once while reconciles queue", async () => {
    arrivals.length = 0;
    const { clients, leaseClients } = controllerClients(
      connectionOf(kc),
      createMetrics({ defaultMetrics: false }),
      { identity: "ctl", kubeApiQps: 2, kubeApiBurst: 1, leaderElect: true },
    );
    assert.ok(leaseClients);
    const started = performance.now();
    // Four reconcile requests at 2/s after a burst of 1: the last goes about 1.5 s in.
    const queued = Promise.all(Array.from({ length: 4 }, () => clients.request("GET", "/api/v1/a")));
    await leaseClients.request("PUT", "/apis/coordination.k8s.io/v1/namespaces/ns/leases/l", {});
    const renewedAfter = performance.now() - started;
    await queued;
    const lastAfter = performance.now() - started;
    await Promise.all([clients.close(), leaseClients.close()]);
    assert.ok(renewedAfter < 300, `the renewal waited ${renewedAfter} ms behind the reconciles`);
    assert.ok(lastAfter >= 1_400, `the reconciles were not limited (${lastAfter} ms)`);
    const single = controllerClients(connectionOf(kc), createMetrics({ defaultMetrics: false }), {
      identity: "ctl",
      kubeApiQps: 0,
      kubeApiBurst: 1,
      leaderElect: false,
    });
    assert.equal(single.leaseClients, undefined, "no Lease client without leader election");
    await single.clients.close();
  });

  test("without a limit (qps 0, the default) 25 requests go at once", async () => {
    const at = await burstOf(undefined, 25);
    assert.equal(at.length, 25);
    assert.ok(Math.max(...at) < 500, `the last arrived after ${Math.max(...at)} ms`);
  });
});
