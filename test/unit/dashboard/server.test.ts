// The dashboard server over a scripted apiserver: who gets in (one-time URL, TokenReview, sessions), what
// each viewer sees and may do (SubjectAccessReview), and the browser-facing defences (CSRF, Origin, CSP).
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import type { Attrs, Who } from "./fake-clients.ts";
import {
  ASSET_JS,
  call,
  openStream,
  REPLICASETS,
  ROLLOUTS,
  RUNS,
  rollout,
  startTestServer,
} from "./support.ts";

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function assertSecurityHeaders(headers: Record<string, unknown>, what: string) {
  assert.equal(headers["content-security-policy"], CSP, what);
  assert.equal(headers["x-content-type-options"], "nosniff", what);
  assert.equal(headers["referrer-policy"], "no-referrer", what);
  assert.equal(headers["x-frame-options"], "DENY", what);
}

// alice may read and patch in team-a, read but not act in team-b? No: team-b is invisible to her; in
// team-c she may read but not patch status. bob may do everything everywhere.
const ALICE = { username: "alice", groups: ["devs", "system:authenticated"], uid: "u-1" };
function rbac(who: Who, a: Attrs): boolean {
  if (who === "self") return true;
  if (who.user === "bob") return true;
  if (who.user !== "alice") return false;
  if (a.namespace === "team-a") return true;
  if (a.namespace === "team-c") return a.verb !== "patch";
  return false;
}

describe("dashboard server, cluster mode", async () => {
  const t = await startTestServer(
    "cluster",
    (fake) => {
      fake.tokens.set("alice-token", ALICE);
      fake.tokens.set("bob-token", { username: "bob", groups: ["ops"] });
      fake.decide = rbac;
      fake.set(ROLLOUTS, [rollout("team-a", "web"), rollout("team-b", "pay"), rollout("team-c", "api")]);
      fake.set(RUNS, [
        {
          apiVersion: "ramp.dev/v1alpha1",
          kind: "AnalysisRun",
          metadata: { namespace: "team-a", name: "web-h2-1", labels: { "ramp.dev/rollout": "web" } },
          spec: {
            metrics: [{ name: "errors", successCondition: "result < 0.01" }],
            // A value next to a Secret reference must never be shown either.
            args: [
              {
                name: "api-key",
                value: "s3cr3t-value",
                valueFrom: { secretKeyRef: { name: "db", key: "password" } },
              },
              { name: "service", value: "web" },
            ],
          },
          status: {
            phase: "Running",
            metricResults: [{ name: "errors", phase: "Successful", measurements: [] }],
          },
        } as never,
      ]);
    },
    { authHeader: "X-Forwarded-Access-Token" },
  );
  after(() => t.server.close());
  const alice = { Authorization: "Bearer alice-token" };
  const me = async (headers: Record<string, string>) =>
    JSON.parse((await call(t.url, "/api/me", { headers })).body) as { csrfToken: string; user: string };

  test("no credential: 401, with the security headers", async () => {
    const r = await call(t.url, "/api/me");
    assert.equal(r.status, 401);
    assertSecurityHeaders(r.headers, "401");
    assert.equal((await call(t.url, "/api/rollouts/team-a/web")).status, 401);
    assert.equal((await call(t.url, "/api/rollouts/stream")).status, 401);
  });

  test("a bearer token is checked by TokenReview, cached by its hash", async () => {
    const before = t.fake.count("/tokenreviews");
    const r = await call(t.url, "/api/me", { headers: alice });
    assert.equal(r.status, 200);
    const body = JSON.parse(r.body) as { user: string; groups: string[]; mode: string; csrfToken: string };
    assert.equal(body.user, "alice");
    assert.deepEqual(body.groups, ALICE.groups);
    assert.equal(body.mode, "cluster");
    assert.ok(body.csrfToken.length > 20);
    await call(t.url, "/api/me", { headers: alice });
    assert.equal(t.fake.count("/tokenreviews") - before, 1, "the second request used the cache");
    assert.equal((await call(t.url, "/api/me", { headers: { Authorization: "Bearer nope" } })).status, 401);
  });

  test("the operator's auth header carries the token too", async () => {
    const r = await call(t.url, "/api/me", { headers: { "X-Forwarded-Access-Token": "bob-token" } });
    assert.equal(r.status, 200);
    assert.equal((JSON.parse(r.body) as { user: string }).user, "bob");
  });

  test("POST /api/login turns a token into an HttpOnly Secure SameSite=Strict session; logout ends it", async () => {
    const bad = await call(t.url, "/api/login", { method: "POST", body: { token: "wrong" } });
    assert.equal(bad.status, 401);
    const r = await call(t.url, "/api/login", { method: "POST", body: { token: "alice-token" } });
    assert.equal(r.status, 200);
    const cookie = String(r.headers["set-cookie"]);
    for (const attr of ["HttpOnly", "Secure", "SameSite=Strict", "Path=/", "Max-Age=28800"])
      assert.ok(cookie.includes(attr), `${attr} in ${cookie}`);
    const session = { Cookie: cookie.split(";")[0] ?? "" };
    const m = await me(session);
    assert.equal(m.user, "alice");
    assert.equal(
      (await call(t.url, "/api/logout", { method: "POST", headers: session })).status,
      403,
      "no CSRF",
    );
    const out = await call(t.url, "/api/logout", {
      method: "POST",
      headers: { ...session, "X-CSRF-Token": m.csrfToken },
    });
    assert.equal(out.status, 200);
    assert.equal((await call(t.url, "/api/me", { headers: session })).status, 401);
  });

  test("the overview shows only namespaces where the viewer may list rollouts (SubjectAccessReview as alice)", async () => {
    const s = openStream(t.url, "/api/rollouts/stream", alice);
    await s.opened;
    assert.equal(s.status, 200);
    assert.match(String(s.headers["content-type"]), /^text\/event-stream/);
    assertSecurityHeaders(s.headers, "SSE");
    const first = await s.next();
    assert.equal(first.event, "snapshot");
    const names = (first.data as { rollouts: { namespace: string; name: string }[] }).rollouts
      .map((r) => `${r.namespace}/${r.name}`)
      .sort();
    assert.deepEqual(names, ["team-a/web", "team-c/api"]);
    const sar = t.fake.requests.find(
      (r) => r.path.endsWith("/subjectaccessreviews") && JSON.stringify(r.body).includes('"team-b"'),
    );
    assert.ok(sar, "a SubjectAccessReview about team-b");
    const spec = (sar.body as { spec: Record<string, unknown> }).spec;
    assert.equal(spec.user, "alice");
    assert.deepEqual(spec.groups, ALICE.groups);
    assert.equal(spec.uid, "u-1");

    // The informer sees a change: an upsert follows, no polling; a change in team-b is never sent.
    await t.fake.push(ROLLOUTS, "MODIFIED", rollout("team-b", "pay", { currentStepIndex: 2 }));
    await t.fake.push(
      ROLLOUTS,
      "MODIFIED",
      rollout("team-a", "web", { currentStepIndex: 2, canary: { weight: 50 } }),
    );
    const next = await s.next();
    assert.equal(next.event, "upsert");
    const row = (next.data as { rollout: { namespace: string; weight: number; step: unknown } }).rollout;
    assert.equal(row.namespace, "team-a");
    assert.equal(row.weight, 50);
    assert.deepEqual(row.step, { index: 3, count: 3 });
    s.close();
  });

  test("SubjectAccessReview answers are cached: a second read asks the apiserver nothing new", async () => {
    await call(t.url, "/api/rollouts/team-c/api", { headers: alice });
    const before = t.fake.count("/subjectaccessreviews");
    await call(t.url, "/api/rollouts/team-c/api", { headers: alice });
    assert.equal(t.fake.count("/subjectaccessreviews"), before);
  });

  test("a malformed asset path or name is a 404, not an error", async () => {
    assert.equal((await call(t.url, "/assets/%E0%A4%A")).status, 404);
    assert.equal((await call(t.url, "/api/rollouts/team-a/%E0%A4%A", { headers: alice })).status, 404);
    assert.equal(
      (await call(t.url, "/api/rollouts/team-a/..%2F..%2Fsecrets", { headers: alice })).status,
      404,
    );
  });

  test("a detail the viewer may not get is 404, not 403", async () => {
    const r = await call(t.url, "/api/rollouts/team-b/pay", { headers: alice });
    assert.equal(r.status, 404);
    assert.equal((await call(t.url, "/api/rollouts/team-b/pay/stream", { headers: alice })).status, 404);
    assert.equal((await call(t.url, "/api/rollouts/team-a/nope", { headers: alice })).status, 404);
    assert.equal(
      (await call(t.url, "/api/rollouts/team-b/pay", { headers: { Authorization: "Bearer bob-token" } }))
        .status,
      200,
    );
  });

  test("a detail never holds a Secret's value: an arg from a Secret is its reference", async () => {
    const r = await call(t.url, "/api/rollouts/team-a/web", { headers: alice });
    assert.equal(r.status, 200);
    assert.ok(!r.body.includes("s3cr3t-value"), r.body);
    const detail = JSON.parse(r.body) as {
      analysisRuns: { args: unknown[] }[];
      actions: Record<string, { allowed: boolean; reason?: string }>;
      steps: { state: string }[];
    };
    assert.deepEqual(detail.analysisRuns[0]?.args, [
      { name: "api-key", from: "secret:db/password" },
      { name: "service", value: "web" },
    ]);
    // The overview test's watch event moved it to step 3 of 3: the detail reads the same cache.
    assert.deepEqual(
      detail.steps.map((s) => s.state),
      ["done", "done", "current"],
    );
    assert.equal(detail.actions.promote?.allowed, true);
    assert.equal(detail.actions.retry?.allowed, false, "not aborted");
  });

  test("actions a viewer may not do are shown disabled with the rule", async () => {
    const r = await call(t.url, "/api/rollouts/team-c/api", { headers: alice });
    const detail = JSON.parse(r.body) as { actions: Record<string, { allowed: boolean; reason?: string }> };
    assert.deepEqual(detail.actions.promote, {
      allowed: false,
      reason: "needs RBAC: patch rollouts.ramp.dev/status in namespace team-c",
    });
  });

  test("CSRF: a POST without the token is 403; with a foreign Origin 403 even with it", async () => {
    const path = "/api/rollouts/team-a/web/actions/promote";
    const csrf = (await me(alice)).csrfToken;
    const noCsrf = await call(t.url, path, { method: "POST", headers: alice });
    assert.equal(noCsrf.status, 403);
    assertSecurityHeaders(noCsrf.headers, "403");
    const wrong = await call(t.url, path, {
      method: "POST",
      headers: { ...alice, "X-CSRF-Token": "x".repeat(43) },
    });
    assert.equal(wrong.status, 403);
    const foreign = await call(t.url, path, {
      method: "POST",
      headers: { ...alice, "X-CSRF-Token": csrf, Origin: "https://evil.example" },
    });
    assert.equal(foreign.status, 403);
    assert.match(foreign.body, /cross-origin/);
    assert.equal(t.fake.count("/rollouts/web/status"), 0, "nothing was patched");
  });

  test("a forged action is 403 naming the RBAC rule; one on an invisible Rollout is 404; each is audited", async () => {
    const csrf = (await me(alice)).csrfToken;
    const h = { ...alice, "X-CSRF-Token": csrf, Origin: t.url };
    const forbidden = await call(t.url, "/api/rollouts/team-c/api/actions/abort", {
      method: "POST",
      headers: h,
    });
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.body, /patch rollouts\.ramp\.dev\/status in namespace team-c/);
    const undo = await call(t.url, "/api/rollouts/team-c/api/actions/undo", { method: "POST", headers: h });
    assert.match(undo.body, /may not patch rollouts\.ramp\.dev in namespace team-c/);
    const hidden = await call(t.url, "/api/rollouts/team-b/pay/actions/abort", {
      method: "POST",
      headers: h,
    });
    assert.equal(hidden.status, 404);
    assert.equal(t.fake.requests.filter((r) => r.method === "PATCH").length, 0);
    const lines = t.lines.filter((l) => l.audit === true && l.rollout === "api" && l.action === "abort");
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.outcome, "forbidden");
    assert.equal(lines[0]?.user, "alice");
  });

  test("an allowed action runs the plugin's function as the viewer and is audited", async () => {
    const csrf = (await me(alice)).csrfToken;
    const r = await call(t.url, "/api/rollouts/team-a/web/actions/promote", {
      method: "POST",
      headers: { ...alice, "X-CSRF-Token": csrf, Origin: t.url },
    });
    assert.equal(r.status, 200, r.body);
    assert.match((JSON.parse(r.body) as { message: string }).message, /promoted: step 2\/3 → 3\/3/);
    const patch = t.fake.requests.find(
      (q) => q.method === "PATCH" && q.path.endsWith("/namespaces/team-a/rollouts/web/status"),
    );
    assert.ok(patch, "a status patch");
    const intent = (patch.body as { status: { intent: { action: string; requestedBy: string } } }).status
      .intent;
    assert.equal(intent.action, "promote");
    assert.equal(intent.requestedBy, "alice");
    const line = t.lines.find((l) => l.audit === true && l.action === "promote");
    assert.deepEqual(
      {
        user: line?.user,
        groups: line?.groups,
        rollout: line?.rollout,
        namespace: line?.namespace,
        outcome: line?.outcome,
      },
      { user: "alice", groups: ALICE.groups, rollout: "web", namespace: "team-a", outcome: "done" },
    );
  });

  test("an action the Rollout's state refuses is 409 with the plugin's message", async () => {
    const csrf = (await me(alice)).csrfToken;
    const r = await call(t.url, "/api/rollouts/team-a/web/actions/retry", {
      method: "POST",
      headers: { ...alice, "X-CSRF-Token": csrf },
    });
    assert.equal(r.status, 409);
    assert.match(r.body, /not aborted: nothing to retry/);
    assert.equal(
      (
        await call(t.url, "/api/rollouts/team-a/web/actions/explode", {
          method: "POST",
          headers: { ...alice, "X-CSRF-Token": csrf },
        })
      ).status,
      400,
    );
  });

  test("static files: hashed assets cached a year and gzipped; index.html no-cache on every page route", async () => {
    const a = await call(t.url, "/assets/app-1234.js", { headers: { "Accept-Encoding": "gzip" } });
    assert.equal(a.status, 200);
    assert.equal(a.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.equal(a.headers["content-encoding"], "gzip");
    assert.equal(a.body, ASSET_JS.toString());
    assertSecurityHeaders(a.headers, "asset");
    for (const page of ["/", "/rollouts/team-a/web"]) {
      const p = await call(t.url, page);
      assert.equal(p.status, 200, page);
      assert.equal(p.headers["cache-control"], "no-cache");
      assert.match(p.body, /app-1234\.js/);
      assertSecurityHeaders(p.headers, page);
    }
    const missing = await call(t.url, "/assets/nope.js");
    assert.equal(missing.status, 404);
    assertSecurityHeaders(missing.headers, "404");
  });

  test("failed authentications are rate limited per address: 429 with Retry-After, even for a good token then", async () => {
    let last = 0;
    for (let i = 0; i < 12; i++)
      last = (await call(t.url, "/api/me", { headers: { Authorization: `Bearer bad-${i}` } })).status;
    assert.equal(last, 429);
    const r = await call(t.url, "/api/me", { headers: alice });
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers["retry-after"]) >= 1);
  });
});

describe("dashboard server, local mode", async () => {
  const t = await startTestServer("local", (fake) => {
    fake.decide = (_who, a) => a.namespace === "team-a";
    fake.set(ROLLOUTS, [rollout("team-a", "web"), rollout("team-b", "pay")]);
    fake.set(REPLICASETS, []);
  });
  after(() => t.server.close());

  test("nothing without the one-time URL: API and pages are 401", async () => {
    assert.equal((await call(t.url, "/api/me")).status, 401);
    const page = await call(t.url, "/");
    assert.equal(page.status, 401);
    assertSecurityHeaders(page.headers, "local 401");
  });

  test("a request for another Host name is refused (DNS rebinding)", async () => {
    const r = await call(t.url, `/?token=${t.localToken}`, { headers: { Host: "evil.example" } });
    assert.equal(r.status, 403);
  });

  test("the one-time token works once: a cookie and a redirect that drops it from the URL", async () => {
    assert.equal((await call(t.url, "/?token=wrong-token-aaaaaaaaaaaa")).status, 401);
    const r = await call(t.url, `/?token=${t.localToken}`);
    assert.equal(r.status, 302);
    assert.equal(r.headers.location, "/");
    const cookie = String(r.headers["set-cookie"]);
    for (const attr of ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"])
      assert.ok(cookie.includes(attr), cookie);
    assertSecurityHeaders(r.headers, "302");
    assert.equal((await call(t.url, `/?token=${t.localToken}`)).status, 401, "spent");
    const session = { Cookie: cookie.split(";")[0] ?? "" };
    const me = await call(t.url, "/api/me", { headers: session });
    assert.equal(me.status, 200);
    assert.deepEqual(JSON.parse(me.body).user, "me@example.com");
    assert.equal((await call(t.url, "/", { headers: session })).status, 200);
    const again = await call(t.url, `/?token=${t.localToken}`, { headers: session });
    assert.equal(again.status, 302, "signed in already: straight on, no new session");
    assert.equal(again.headers["set-cookie"], undefined);
    // A bearer token is no way in locally.
    assert.equal((await call(t.url, "/api/me", { headers: { Authorization: "Bearer x" } })).status, 401);

    // Permissions are the user's own: SelfSubjectAccessReview, never a SubjectAccessReview.
    const s = openStream(t.url, "/api/rollouts/stream", session);
    const snap = await s.next();
    s.close();
    assert.deepEqual(
      (snap.data as { rollouts: { name: string }[] }).rollouts.map((x) => x.name),
      ["web"],
    );
    assert.ok(t.fake.count("/selfsubjectaccessreviews") > 0);
    assert.equal(t.fake.requests.filter((q) => q.path.endsWith("/v1/subjectaccessreviews")).length, 0);
  });
});
