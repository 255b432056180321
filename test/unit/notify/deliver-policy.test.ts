// Deliveries under the address policy (every resolved address, every redirect) and with secrets in the URL
// and headers: a refusal is final (denied) and sends nothing, and no log line or outcome repeats a secret.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { closedPort, deliver, guard, job, type Loopback, loopback, rig } from "./deliver-helpers.ts";

const FAILED = "ramp_notifications_failed_total";

describe("notification deliveries: address policy", () => {
  const servers: Loopback[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });

  test("a cloud metadata address is denied at once, not retried", async () => {
    const r = rig();
    const o = await deliver(r.d, job("m1", "Notifier/shop/a", "http://169.254.169.254/latest/meta-data/iam"));
    assert.equal(!o.ok && o.reason, "denied");
    assert.match(
      !o.ok ? o.message : "",
      /^refused by the address policy: http:\/\/169\.254\.169\.254\/… is refused by the default web-analysis deny entry "169\.254\.0\.0\/16"/,
    );
    assert.equal(await r.count(FAILED, { reason: "denied" }), 1);
    assert.deepEqual(r.sleeps, []);
    await r.d.stop();
  });

  test("a name resolving to an allowed and a denied address is denied before any connection", async () => {
    const s = await loopback((_req, res) => res.end());
    servers.push(s);
    const port = new URL(s.url).port;
    // The first address is the live loopback server: had the policy checked only it, the request would land.
    const r = rig({
      guard: guard(async () => [
        { address: "127.0.0.1", family: 4 },
        { address: "169.254.169.254", family: 4 },
      ]),
    });
    const o = await deliver(r.d, job("m1", "Notifier/shop/a", `http://hooks.example.test:${port}/x`));
    assert.equal(!o.ok && o.reason, "denied");
    assert.match(!o.ok ? o.message : "", /\(169\.254\.169\.254\) is refused/);
    assert.equal(s.hits.length, 0);
    await r.d.stop();
  });

  test("a redirect from an allowed loopback server to a denied address is refused, not followed", async () => {
    const s = await loopback((_req, res) => {
      res.writeHead(307, { location: "http://169.254.169.254/latest/meta-data/" });
      res.end();
    });
    servers.push(s);
    const r = rig();
    const o = await deliver(r.d, job("m1", "Notifier/shop/a", `${s.url}/hook/T0/B0/XyZsecret`));
    assert.equal(!o.ok && o.reason, "denied");
    assert.match(
      !o.ok ? o.message : "",
      /http:\/\/127\.0\.0\.1:\d+\/… redirected to http:\/\/169\.254\.169\.254\/… \(hop 1\)|redirected to http:\/\/169\.254\.169\.254\/…/,
    );
    assert.equal(s.hits.length, 1);
    assert.equal(await r.count(FAILED, {}), 1);
    await r.d.stop();
  });

  test("a loopback address the policy does not allow (127.0.0.2) is denied", async () => {
    const r = rig();
    const o = await deliver(r.d, job("m1", "Notifier/shop/a", "http://127.0.0.2:9/x"));
    assert.equal(!o.ok && o.reason, "denied");
    await r.d.stop();
  });
});

describe("notification deliveries: secrets stay out of logs and outcomes", () => {
  const servers: Loopback[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });
  const SECRETS = [
    "T0SECRETTEAM",
    "B0SECRETHOOK",
    "xoxb-SECRET-TOKEN",
    "qSECRETQUERY",
    "uSECRETUSER",
    "pSECRETPASS",
  ];
  const secretUrl = (origin: string, path = "/services") => {
    const u = new URL(origin);
    return `http://uSECRETUSER:pSECRETPASS@${u.host}${path}/T0SECRETTEAM/B0SECRETHOOK?token=qSECRETQUERY`;
  };
  const headers = { authorization: "Bearer xoxb-SECRET-TOKEN", "x-api-key": "xoxb-SECRET-TOKEN" };

  test("every failure path: an echoing 4xx and 5xx, a timeout, a refused port, a denied redirect", async () => {
    // A bad receiver that echoes the request (URL and headers) in its answer.
    const echo = await loopback((req, res) => {
      const said = JSON.stringify({ url: req.url, headers: req.headers });
      if (req.url?.startsWith("/bad")) res.writeHead(400).end(said);
      else if (req.url?.startsWith("/down")) res.writeHead(500).end(said);
      else if (req.url?.startsWith("/away"))
        res.writeHead(302, { location: `http://169.254.169.254${req.url}` }).end();
      else if (req.url?.startsWith("/slack")) res.end(JSON.stringify({ ok: false, error: said }));
      else setTimeout(() => res.end(), 30_000).unref();
    });
    servers.push(echo);
    const r = rig({ attemptTimeoutMs: 150, giveUpAfterMs: 60 });
    const refused = await closedPort();
    const echoCheck = (_s: number, body: string) => (JSON.parse(body) as { error?: string }).error;
    const outcomes = [
      await deliver(r.d, { ...job("a", "Notifier/shop/a", secretUrl(echo.url, "/bad"), { headers }) }),
      await deliver(r.d, job("b", "Notifier/shop/b", secretUrl(echo.url, "/down"), { headers })),
      await deliver(r.d, job("c", "Notifier/shop/c", secretUrl(echo.url, "/hang"), { headers })),
      await deliver(r.d, job("d", "Notifier/shop/d", secretUrl(refused), { headers })),
      await deliver(r.d, job("e", "Notifier/shop/e", secretUrl(echo.url, "/away"), { headers })),
      await deliver(
        r.d,
        job("f", "Notifier/shop/f", secretUrl(echo.url, "/slack"), { headers, check: echoCheck }),
      ),
      await deliver(
        r.d,
        job("g", "Notifier/shop/g", "https://hooks.slack.com:99999/services/T0SECRETTEAM/B0SECRETHOOK", {
          headers,
        }),
      ),
    ];
    // The receiver did get the secrets: the test would prove nothing if they never left.
    assert.ok(
      echo.hits.some(
        (h) => h.path.includes("B0SECRETHOOK") && h.headers["x-api-key"] === "xoxb-SECRET-TOKEN",
      ),
    );
    const messages = outcomes.map((o) => (o.ok ? "" : `${o.reason}: ${o.message}`));
    assert.deepEqual(
      outcomes.map((o) => (o.ok ? "ok" : o.reason)),
      ["rejected", "gave_up", "gave_up", "gave_up", "denied", "rejected", "rejected"],
    );
    const text = [...messages, ...r.logs].join("\n");
    for (const s of SECRETS) assert.ok(!text.includes(s), `${s} leaked:\n${text}`);
    assert.ok(!text.includes("/services"), `a path leaked:\n${text}`);
    // What they do say: the origin, cut with "…".
    assert.match(messages[0] ?? "", /^rejected: http:\/\/127\.0\.0\.1:\d+\/… answered 400: /);
    assert.match(messages[6] ?? "", /^rejected: the destination URL is not valid$/);
    assert.ok(r.logs.length >= 7, "the failures were logged");
    await r.d.stop();
  });
});
