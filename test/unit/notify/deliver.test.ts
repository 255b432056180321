// Deliveries against real loopback HTTP servers: success, order per destination, Retry-After, timeouts,
// a down receiver, the queue bound, de-duplication, answers that are final, and stop.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { closedPort, deliver, job, type Loopback, loopback, rig } from "./deliver-helpers.ts";

const DEPTH = "ramp_notifications_queue_depth";
const SENT = "ramp_notifications_sent_total";
const FAILED = "ramp_notifications_failed_total";

describe("notification deliveries", () => {
  const servers: Loopback[] = [];
  const serve = async (...a: Parameters<typeof loopback>) => {
    const s = await loopback(...a);
    servers.push(s);
    return s;
  };
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });

  test("a 2xx is success: the body is POSTed with the job's headers, and counted as sent", async () => {
    const s = await serve((_req, res) => res.end("ok"));
    const r = rig();
    const o = await deliver(
      r.d,
      job("m1", "Notifier/shop/hook", `${s.url}/in`, { headers: { "x-team": "shop" } }),
    );
    assert.equal(o.ok, true);
    assert.equal(s.hits.length, 1);
    assert.deepEqual(JSON.parse(s.hits[0]?.body ?? ""), { id: "m1" });
    assert.equal(s.hits[0]?.headers["x-team"], "shop");
    assert.equal(s.hits[0]?.headers["content-type"], "application/json");
    assert.equal(await r.count(SENT, { destination: "Notifier/shop/hook", event: "paused" }), 1);
    assert.equal(await r.count(FAILED, {}), 0);
    assert.equal(r.d.has("m1"), false);
    await r.d.stop();
  });

  test("one destination: in order, one at a time, each onDone awaited before the next send", async () => {
    let inFlight = 0;
    let most = 0;
    const s = await serve((_req, res) => {
      most = Math.max(most, ++inFlight);
      // Later messages answer sooner: any overlap would reorder them.
      setTimeout(
        () => {
          inFlight--;
          res.end();
        },
        40 - 7 * s.hits.length,
      );
    });
    const r = rig();
    const done: string[] = [];
    const sentBeforeDone: number[] = [];
    for (let i = 0; i < 5; i++)
      r.d.enqueue(job(`m${i}`, "Notifier/shop/a", s.url), async () => {
        await new Promise((res) => setTimeout(res, 10));
        sentBeforeDone.push(s.hits.length);
        done.push(`m${i}`);
      });
    // Five waiting, or four once the first has been taken to be sent.
    assert.ok((await r.count(DEPTH, { destination: "Notifier/shop/a" })) >= 4);
    while (done.length < 5) await new Promise((res) => setTimeout(res, 10));
    assert.deepEqual(
      s.hits.map((h) => JSON.parse(h.body).id),
      ["m0", "m1", "m2", "m3", "m4"],
    );
    assert.deepEqual(done, ["m0", "m1", "m2", "m3", "m4"]);
    assert.equal(most, 1);
    // When message i's onDone ends, message i+1 has not been sent yet.
    assert.deepEqual(sentBeforeDone, [1, 2, 3, 4, 5]);
    assert.equal(await r.count(DEPTH, { destination: "Notifier/shop/a" }), 0);
    await r.d.stop();
  });

  test("429 with Retry-After: 1 waits about a second, then sends again", async () => {
    const s = await serve((_req, res) => {
      if (s.hits.length === 1) {
        res.writeHead(429, { "retry-after": "1" });
        res.end("slow down");
      } else res.end();
    });
    const r = rig({ backoff: { initialMs: 10, maxMs: 40 }, sleep: async () => undefined });
    const o = await deliver(r.d, job("m1", "Notifier/shop/a", s.url));
    assert.equal(o.ok, true);
    assert.equal(s.hits.length, 2);
    assert.equal(r.sleeps.length, 1);
    assert.ok(
      r.sleeps[0] !== undefined && r.sleeps[0] >= 1000 && r.sleeps[0] <= 1100,
      `slept ${r.sleeps[0]}`,
    );
    assert.equal(await r.count(FAILED, { reason: "rate_limited" }), 1);
    await r.d.stop();
  });

  test("503 with an HTTP-date Retry-After waits until that date; maxRetryAfterMs caps it", async () => {
    const t = Date.UTC(2026, 11, 7, 12, 0, 0);
    const answer = (at: number) => async () => {
      const s = await serve((_req, res) => {
        if (s.hits.length === 1) {
          res.writeHead(503, { "retry-after": new Date(at).toUTCString() });
          res.end();
        } else res.end();
      });
      return s;
    };
    const r = rig({ now: () => t, sleep: async () => undefined, giveUpAfterMs: 60_000 });
    const s = await answer(t + 5000)();
    assert.equal((await deliver(r.d, job("m1", "Notifier/shop/a", s.url))).ok, true);
    assert.ok(
      r.sleeps[0] !== undefined && r.sleeps[0] >= 5000 && r.sleeps[0] <= 5500,
      `slept ${r.sleeps[0]}`,
    );
    const capped = rig({
      now: () => t,
      sleep: async () => undefined,
      giveUpAfterMs: 60_000,
      maxRetryAfterMs: 2000,
    });
    const s2 = await answer(t + 3_600_000)();
    assert.equal((await deliver(capped.d, job("m1", "Notifier/shop/b", s2.url))).ok, true);
    assert.ok(capped.sleeps[0] !== undefined && capped.sleeps[0] >= 2000 && capped.sleeps[0] <= 2200);
    assert.equal(await r.count(FAILED, { reason: "status_5xx" }), 1);
    await r.d.stop();
    await capped.d.stop();
  });

  test("a receiver that hangs 30 s costs one attempt of attemptTimeoutMs; another destination is served meanwhile", async () => {
    const hang = await serve((_req, res) => {
      setTimeout(() => res.end(), 30_000).unref();
    });
    const fast = await serve((_req, res) => res.end());
    const r = rig({ attemptTimeoutMs: 300, giveUpAfterMs: 100 });
    const start = Date.now();
    const hung = deliver(r.d, job("h1", "Notifier/shop/hang", hang.url));
    const others = await Promise.all(
      [1, 2, 3].map((i) => deliver(r.d, job(`f${i}`, "Notifier/shop/fast", fast.url))),
    );
    const o = await hung;
    const took = Date.now() - start;
    assert.ok(
      others.every((x) => x.ok && x.at < o.at),
      "the other destination finished first",
    );
    assert.ok(took >= 290 && took < 2000, `the hanging attempt took ${took} ms`);
    assert.equal(o.ok, false);
    assert.equal(!o.ok && o.reason, "gave_up");
    assert.match(
      !o.ok ? o.message : "",
      /gave up after 1 attempt .*no answer from http:\/\/127\.0\.0\.1:\d+ within 300 ms/,
    );
    assert.equal(hang.hits.length, 1);
    assert.equal(await r.count(FAILED, { destination: "Notifier/shop/hang", reason: "timeout" }), 1);
    assert.equal(await r.count(FAILED, { destination: "Notifier/shop/hang", reason: "gave_up" }), 1);
    assert.equal(await r.count(SENT, { destination: "Notifier/shop/fast" }), 3);
    await r.d.stop();
  });

  test("a down destination (closed port) is retried with backoff, then given up after giveUpAfterMs", async () => {
    const url = await closedPort();
    const r = rig({
      giveUpAfterMs: 400,
      backoff: { initialMs: 20, maxMs: 80 },
      sleep: (ms) => new Promise((res) => setTimeout(res, ms)),
    });
    const start = Date.now();
    const o = await deliver(r.d, job("m1", "ClusterNotifier/ops", url));
    const took = Date.now() - start;
    assert.equal(!o.ok && o.reason, "gave_up");
    assert.match(!o.ok ? o.message : "", /could not be reached: ECONNREFUSED/);
    assert.ok(took >= 300 && took <= 1500, `gave up after ${took} ms`);
    const attempts = await r.count(FAILED, { destination: "ClusterNotifier/ops", reason: "network" });
    assert.ok(attempts >= 3, `${attempts} attempts`);
    assert.equal(await r.count(FAILED, { reason: "gave_up" }), 1);
    assert.equal(await r.count(SENT, {}), 0);
    // Exponential: each wait at least half the doubled step, capped.
    for (const [i, ms] of r.sleeps.entries())
      assert.ok(ms >= Math.min(80, 20 * 2 ** i) / 2 && ms <= 80, `wait ${i}: ${ms}`);
    await r.d.stop();
  });

  test("a dead destination's backlog ends in bounded time: once one message is given up, those that waited out the budget are given up unsent", async () => {
    const url = await closedPort();
    const r = rig({
      giveUpAfterMs: 300,
      backoff: { initialMs: 20, maxMs: 80 },
      sleep: (ms) => new Promise((res) => setTimeout(res, ms)),
    });
    const start = Date.now();
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) => deliver(r.d, job(`m${i}`, "Notifier/shop/dead", url))),
    );
    const took = Date.now() - start;
    assert.ok(outcomes.every((o) => !o.ok && o.reason === "gave_up"));
    // Thirty budgets one after another would take 9 s and 90 attempts or more; the backlog shares one.
    assert.ok(took < 3000, `30 messages resolved in ${took} ms (a budget is 300 ms)`);
    const attempts = await r.count(FAILED, { destination: "Notifier/shop/dead", reason: "network" });
    assert.ok(attempts < 30, `${attempts} attempts for 30 messages`);
    const unsent = outcomes.filter((o) => !o.ok && /gave up unsent/.test(o.message));
    assert.ok(unsent.length >= 1, "messages that waited out the budget are given up without an attempt");
    assert.match(
      !unsent[0]?.ok ? (unsent[0]?.message ?? "") : "",
      /ECONNREFUSED/,
      "naming why the destination is down",
    );
    assert.equal(await r.count(FAILED, { destination: "Notifier/shop/dead", reason: "gave_up" }), 30);
    await r.d.stop();
  });

  test("the queue is bounded per destination: beyond, enqueue says no and counts queue_full", async () => {
    let release = () => {};
    const gate = new Promise<void>((res) => {
      release = res;
    });
    const s = await serve((_req, res) => void gate.then(() => res.end()));
    const r = rig({ maxQueuedPerDestination: 2 });
    const first = deliver(r.d, job("m0", "Notifier/shop/a", s.url));
    while (s.hits.length === 0) await new Promise((res) => setTimeout(res, 5));
    const queued = [1, 2].map((i) => deliver(r.d, job(`m${i}`, "Notifier/shop/a", s.url)));
    assert.equal(
      r.d.enqueue(job("m3", "Notifier/shop/a", s.url), () => assert.fail("never queued")),
      false,
    );
    // Another destination has its own bound.
    const other = deliver(r.d, job("m4", "Notifier/shop/b", s.url));
    assert.equal(await r.count(DEPTH, { destination: "Notifier/shop/a" }), 2);
    assert.equal(await r.count(FAILED, { destination: "Notifier/shop/a", reason: "queue_full" }), 1);
    release();
    assert.ok((await Promise.all([first, ...queued, other])).every((o) => o.ok));
    assert.equal(r.d.has("m3"), false);
    await r.d.stop();
  });

  test("a job queued or in flight under the same id is not queued again", async () => {
    let release = () => {};
    const gate = new Promise<void>((res) => {
      release = res;
    });
    const s = await serve((_req, res) => void gate.then(() => res.end()));
    const r = rig();
    const first = deliver(r.d, job("same", "Notifier/shop/a", s.url));
    assert.equal(r.d.has("same"), true);
    assert.equal(
      r.d.enqueue(job("same", "Notifier/shop/a", s.url), () => assert.fail("a duplicate's onDone")),
      true,
    );
    while (s.hits.length === 0) await new Promise((res) => setTimeout(res, 5));
    assert.equal(
      r.d.enqueue(job("same", "Notifier/shop/a", s.url), () => assert.fail("a duplicate's onDone")),
      true,
    );
    release();
    assert.equal((await first).ok, true);
    assert.equal(s.hits.length, 1);
    // The id is held until onDone has returned (the caller records the outcome there).
    await new Promise((res) => setImmediate(res));
    assert.equal(r.d.has("same"), false);
    // Done, the id may be queued again (the caller's record decides whether it should be).
    assert.equal((await deliver(r.d, job("same", "Notifier/shop/a", s.url))).ok, true);
    assert.equal(s.hits.length, 2);
    await r.d.stop();
  });

  test("final answers are not retried: 404 and a 2xx that check refuses are rejected; 5xx and 408 are retried", async () => {
    const s = await serve((req, res) => {
      const n = s.hits.filter((h) => h.path === req.url).length;
      if (req.url === "/gone") res.writeHead(404).end("no_service");
      else if (req.url === "/slack") res.end(JSON.stringify({ ok: false, error: "channel_not_found" }));
      else if (req.url === "/html") res.end("<html>ok</html>");
      else if (req.url === "/flaky") res.writeHead(n === 1 ? 500 : n === 2 ? 408 : 200).end();
      else res.end();
    });
    const r = rig();
    const gone = await deliver(r.d, job("a", "Notifier/shop/a", `${s.url}/gone`));
    assert.deepEqual(gone.ok ? {} : { reason: gone.reason, message: gone.message }, {
      reason: "rejected",
      message: `${s.url}/… answered 404: no_service`,
    });
    const slackCheck = (status: number, body: string) => {
      const b = JSON.parse(body) as { ok?: boolean; error?: string };
      return status === 200 && b.ok === false ? (b.error ?? "ok:false") : undefined;
    };
    const slack = await deliver(r.d, job("b", "Notifier/shop/b", `${s.url}/slack`, { check: slackCheck }));
    assert.equal(!slack.ok && slack.reason, "rejected");
    assert.match(!slack.ok ? slack.message : "", /answered 200 but channel_not_found$/);
    // A check that throws (an HTML answer where JSON was due) rejects the message, and the lane goes on.
    const html = await deliver(r.d, job("h", "Notifier/shop/b", `${s.url}/html`, { check: slackCheck }));
    assert.equal(!html.ok && html.reason, "rejected");
    assert.match(!html.ok ? html.message : "", /answered 200 but the answer could not be checked \(.*JSON/);
    const flaky = await deliver(r.d, job("c", "Notifier/shop/c", `${s.url}/flaky`));
    assert.equal(flaky.ok, true);
    assert.equal(s.hits.filter((h) => h.path === "/gone").length, 1);
    assert.equal(s.hits.filter((h) => h.path === "/slack").length, 1);
    assert.equal(s.hits.filter((h) => h.path === "/flaky").length, 3);
    assert.equal(await r.count(FAILED, { reason: "rejected" }), 3);
    assert.equal(await r.count(FAILED, { destination: "Notifier/shop/c", reason: "status_5xx" }), 1);
    assert.equal(await r.count(FAILED, { destination: "Notifier/shop/c", reason: "timeout" }), 1);
    await r.d.stop();
  });

  test("a prepare that throws is a failed attempt, retried, its reason from err.reason (else prepare)", async () => {
    const s = await serve((_req, res) => res.end());
    const r = rig();
    let calls = 0;
    const o = await deliver(r.d, {
      ...job("m1", "Notifier/shop/a", s.url),
      prepare: async () => {
        calls++;
        if (calls === 1)
          throw Object.assign(new Error("Secret shop/slack has no key url"), { reason: "secret_missing" });
        if (calls === 2) throw new Error("template: bad placeholder");
        return { url: s.url, headers: {}, body: "{}" };
      },
    });
    assert.equal(o.ok, true);
    assert.equal(await r.count(FAILED, { reason: "secret_missing" }), 1);
    assert.equal(await r.count(FAILED, { reason: "prepare" }), 1);
    await r.d.stop();
  });

  test("a 2xx answer is read up to 64 KiB: a larger body is cut, the message still sent", async () => {
    const big = "x".repeat(1024 * 1024);
    const s = await serve((_req, res) => res.end(big));
    const r = rig();
    let seen = -1;
    const o = await deliver(
      r.d,
      job("m1", "Notifier/shop/a", s.url, {
        check: (_status, body) => {
          seen = body.length;
          return undefined;
        },
      }),
    );
    assert.equal(o.ok, true);
    assert.equal(seen, 64 * 1024);
    await r.d.stop();
  });

  test("an onDone that throws, or a sleep that throws, does not stop the lane", async () => {
    const s = await serve((req, res) => res.writeHead(req.url === "/500" ? 500 : 200).end());
    let sleeps = 0;
    const r = rig({
      sleep: async () => {
        sleeps++;
        throw new Error("clock broke");
      },
    });
    const ok: string[] = [];
    r.d.enqueue(job("a", "Notifier/shop/a", s.url), () => {
      throw new Error("the ledger write failed");
    });
    r.d.enqueue(job("b", "Notifier/shop/a", `${s.url}/500`), () => assert.fail("no outcome for b"));
    const c = await deliver(r.d, job("c", "Notifier/shop/a", s.url));
    ok.push(c.ok ? "c" : "");
    assert.deepEqual(ok, ["c"]);
    assert.equal(sleeps, 1);
    assert.equal(r.d.has("a") || r.d.has("b"), false);
    assert.match(
      r.logs.join(""),
      /recording a notification's outcome failed[\s\S]*delivering a notification failed/,
    );
    await r.d.stop();
  });

  test("stop aborts an attempt in flight at once; its onDone is not called and enqueue refuses", async () => {
    const hang = await serve((_req, res) => {
      setTimeout(() => res.end(), 30_000).unref();
    });
    const r = rig({ attemptTimeoutMs: 20_000 });
    r.d.enqueue(job("m1", "Notifier/shop/a", hang.url), () => assert.fail("onDone after stop"));
    while (hang.hits.length === 0) await new Promise((res) => setTimeout(res, 5));
    const start = Date.now();
    await r.d.stop();
    assert.ok(Date.now() - start < 1000);
    assert.equal(
      r.d.enqueue(job("m2", "Notifier/shop/a", hang.url), () => undefined),
      false,
    );
    assert.equal(await r.count(FAILED, {}), 0);
  });
});
