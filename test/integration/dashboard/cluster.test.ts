// The in-cluster dashboard (ramp-dashboard, cluster mode) in a real browser against the real control
// plane and real RBAC: ServiceAccounts bound to the built-in view and edit roles (which the chart's
// aggregated roles extend to Rollouts), their TokenRequest tokens as the users' bearer tokens. Every
// decision is the apiserver's (TokenReview, SubjectAccessReview): the server runs with the cluster admin's
// kubeconfig standing in for its own service account, so anything it let through that RBAC forbids would
// show here.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import { stringify } from "yaml";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import { API, DASHBOARD_ACTIONS, type RolloutDetail } from "../../../src/dashboard/contract.ts";
import { byTestId, clickTestId, TestBrowser, waitForTestId } from "../../support/browser.ts";
import { applyManifests, canI, deleteClusterScoped, type Manifest, render } from "../../support/chart.ts";
import {
  bearer,
  call,
  type Dashboard,
  serviceAccountToken,
  startDashboard,
} from "../../support/dashboard.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

const isAggregate = (d: Manifest) => d.kind === "ClusterRole" && /-aggregate-to-/.test(d.metadata.name);
const sa = (ns: string, name: string) => `system:serviceaccount:${ns}:${name}`;

/** A canary paused at its indefinite pause (step 4 of 5, 50%), from test/fixtures/canary/three-steps.yaml. */
async function pausedCanary(f: Fixture, name: string): Promise<void> {
  await f.applyFixture("canary/three-steps.yaml", {
    NAME: name,
    IMAGE: "app:1",
    PAUSE1: "1s",
    PAUSE2: "{}",
    DEADLINE: "600",
  });
  await f.waitHealthy(name);
  await f.setImage(name, "app:2");
  await f.waitStatus(
    name,
    "paused at the indefinite pause",
    (s) => s.phase === "Paused" && s.currentStepIndex === 3,
  );
}

/** The text of every phase on the page. */
const pagePhases = async (page: Page): Promise<string[]> =>
  (await page.locator(byTestId("phase")).allTextContents()).map((t) => t.trim());

// In the page (a string: the tests compile without the DOM's types): a MutationObserver that notes when the
// abort first shows.
const WATCH_FOR_ABORT = `(() => {
  const seen = () =>
    document.querySelector('[data-testid="abort-badge"]') !== null ||
    [...document.querySelectorAll('[data-testid="phase"]')].some((e) => e.textContent.trim() === "Degraded");
  new MutationObserver((_, obs) => {
    if (window.abortSeenAt === undefined && seen()) {
      window.abortSeenAt = Date.now();
      obs.disconnect();
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
})()`;

/** Runs `fn` inside the page (so the browser's credentials and Origin go with it): fetch → status. */
async function fetchInPage(
  page: Page,
  path: string,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  return page.evaluate(
    async ([p, i]) => {
      const res = await fetch(p, { credentials: "same-origin", ...i });
      return { status: res.status, body: await res.text() };
    },
    [path, init] as const,
  );
}

describe("dashboard, cluster mode with real RBAC", () => {
  const id = randomBytes(3).toString("hex");
  let a: Fixture;
  let b: Fixture;
  let roles: Manifest[] = [];
  let dash: Dashboard;
  let browser: TestBrowser;
  const tokens = { viewer: "", editor: "", other: "" };

  before(async () => {
    a = await Fixture.create("dash-a");
    b = await Fixture.create("dash-b");
    await a.startController();
    // The chart's aggregated roles put Rollouts into view and edit (as aggregate-roles.test applies them).
    roles = (await render({ release: `dash${id}`, namespace: "ramp-system" })).filter(isAggregate);
    await applyManifests(roles);
    const objects = [
      { ns: a.namespace, name: "viewer", role: "view" },
      { ns: a.namespace, name: "editor", role: "edit" },
      { ns: b.namespace, name: "other", role: "edit" },
    ].flatMap(({ ns, name, role }) => [
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: ns } },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: `${name}-${role}`, namespace: ns },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
        subjects: [{ kind: "ServiceAccount", name, namespace: ns }],
      },
    ]);
    const res = await kubectl(["apply", "-f", "-"], {
      input: objects.map((o) => `---\n${stringify(o)}`).join(""),
    });
    assert.equal(res.code, 0, res.stderr);
    await waitFor(
      async () =>
        (await canI(sa(a.namespace, "viewer"), "watch", "rollouts.ramp.dev", { namespace: a.namespace })) &&
        (await canI(sa(a.namespace, "editor"), "patch", "rollouts.ramp.dev", {
          namespace: a.namespace,
          subresource: "status",
        })) &&
        (await canI(sa(b.namespace, "other"), "watch", "rollouts.ramp.dev", { namespace: b.namespace })),
      { what: "the aggregated rules in view and edit", timeoutMs: 30_000, intervalMs: 500 },
    );
    tokens.viewer = await serviceAccountToken(a.namespace, "viewer");
    tokens.editor = await serviceAccountToken(a.namespace, "editor");
    tokens.other = await serviceAccountToken(b.namespace, "other");
    await Promise.all([pausedCanary(a, "web"), pausedCanary(a, "api")]);
    // B's Rollout needs no controller: it only has to be there for `other` to see.
    await b.applyFixture("canary/three-steps.yaml", {
      NAME: "bapp",
      IMAGE: "app:1",
      PAUSE1: "1s",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    dash = await startDashboard({ mode: "cluster" });
    browser = await TestBrowser.launch();
  });

  after(async () => {
    await browser?.close();
    await dash?.close();
    await deleteClusterScoped(roles);
    await a?.cleanup();
    await b?.cleanup();
  });

  const as = (user: keyof typeof tokens) => browser.newContext({ headers: bearer(tokens[user]) });
  const rowA = (name: string) => `row-${a.namespace}-${name}`;

  test("no token, or a token the apiserver does not know: 401 on every API", async () => {
    const paths = [
      API.me,
      API.overviewStream,
      API.detail(a.namespace, "web"),
      API.detailStream(a.namespace, "web"),
    ];
    for (const path of paths) {
      assert.equal((await call(dash.url, path)).status, 401, path);
      assert.equal((await call(dash.url, path, { headers: bearer("not-a-token") })).status, 401, path);
    }
    const forged = await call(dash.url, API.action(a.namespace, "web", "promote"), { method: "POST" });
    assert.equal(forged.status, 401);
    // The page itself offers the login form and shows no Rollout.
    const ctx = await browser.newContext();
    try {
      const { page } = await browser.open(`${dash.url}/`, ctx);
      await waitForTestId(page, "login");
      assert.equal(await page.locator(byTestId(rowA("web"))).count(), 0);
    } finally {
      await ctx.close();
    }
  });

  test("the login form takes a bearer token (TokenReview) and shows that user's Rollouts", async () => {
    const ctx = await browser.newContext();
    try {
      const { page } = await browser.open(`${dash.url}/`, ctx);
      await page.locator(byTestId("login-token")).fill(tokens.viewer);
      await clickTestId(page, "login-submit");
      await waitForTestId(page, rowA("web"));
      assert.match((await page.locator(byTestId("user")).textContent()) ?? "", /viewer/);
    } finally {
      await ctx.close();
    }
  });

  test("viewer: sees namespace A, every action disabled with the reason, a forged POST is a 403", async () => {
    const ctx = await as("viewer");
    try {
      const { page } = await browser.open(`${dash.url}/`, ctx);
      await waitForTestId(page, `namespace-${a.namespace}`);
      await waitForTestId(page, rowA("web"));
      await waitForTestId(page, rowA("api"));
      assert.equal(
        await page.locator(byTestId(`namespace-${b.namespace}`)).count(),
        0,
        "B is not the viewer's",
      );

      const detail = await fetchInPage(page, API.detail(a.namespace, "web"));
      assert.equal(detail.status, 200);
      const d = JSON.parse(detail.body) as RolloutDetail;
      assert.equal(d.actions.promote.allowed, false);
      const reason = d.actions.promote.reason ?? "";
      assert.notEqual(reason, "", "a refused action says why");

      await page.goto(`${dash.url}/rollouts/${a.namespace}/web`);
      await waitForTestId(page, "rollout-page");
      const promote = page.locator(byTestId("action-promote")).first();
      await promote.waitFor({ state: "visible" });
      assert.equal(await promote.isDisabled(), true, "promote is disabled for a viewer");
      for (const action of DASHBOARD_ACTIONS) {
        assert.equal(d.actions[action].allowed, false, `${action} allowed for a viewer`);
        const button = page.locator(byTestId(`action-${action}`)).first();
        if ((await button.count()) > 0) assert.equal(await button.isDisabled(), true, action);
      }
      // The reason is on the button (its title) or beside it.
      const title = (await promote.getAttribute("title")) ?? "";
      const pageText = (await page.locator(byTestId("rollout-page")).textContent()) ?? "";
      assert.ok(
        title.includes(reason) || pageText.includes(reason),
        `"${reason}" not shown; title "${title}"`,
      );

      // A forged POST with a valid CSRF token: the apiserver (SubjectAccessReview) says no.
      const meRes = JSON.parse((await fetchInPage(page, API.me)).body) as { csrfToken: string };
      const before = await a.rollout("web");
      const post = await fetchInPage(page, API.action(a.namespace, "web", "promote"), {
        method: "POST",
        headers: { "X-CSRF-Token": meRes.csrfToken },
      });
      assert.equal(post.status, 403, post.body);
      const unchanged = await a.rollout("web");
      assert.equal(unchanged.status?.currentStepIndex, before.status?.currentStepIndex);
      assert.equal(unchanged.metadata.generation, before.metadata.generation);
    } finally {
      await ctx.close();
    }
  });

  test("other (edit in B only): nothing of namespace A, not in the overview, its detail a 404", async () => {
    const ctx = await as("other");
    try {
      const { page } = await browser.open(`${dash.url}/`, ctx);
      await waitForTestId(page, `row-${b.namespace}-bapp`);
      assert.equal(await page.locator(byTestId(`namespace-${a.namespace}`)).count(), 0);
      assert.equal(await page.locator(`[data-testid^="row-${a.namespace}-"]`).count(), 0);
      assert.equal((await fetchInPage(page, API.detail(a.namespace, "web"))).status, 404);
      // The same answer as for a Rollout that does not exist: names do not leak across namespaces.
      assert.equal((await fetchInPage(page, API.detail(a.namespace, "no-such"))).status, 404);
      assert.equal((await fetchInPage(page, API.detailStream(a.namespace, "web"))).status, 404);
      assert.equal(
        (await call(dash.url, API.detail(a.namespace, "web"), { headers: bearer(tokens.other) })).status,
        404,
      );
      await page.goto(`${dash.url}/rollouts/${a.namespace}/web`);
      await page.waitForTimeout(500);
      assert.equal(await page.locator(byTestId("timeline")).count(), 0, "no step of A's Rollout shown");
    } finally {
      await ctx.close();
    }
  });

  test("editor: promotes a Rollout at its indefinite pause from the page; the step advances, generation does not", async () => {
    const ctx = await as("editor");
    try {
      const before = await a.rollout("web");
      assert.equal(before.status?.currentStepIndex, 3);
      const { page } = await browser.open(`${dash.url}/rollouts/${a.namespace}/web`, ctx);
      await waitForTestId(page, "rollout-page");
      const promote = page.locator(byTestId("action-promote")).first();
      await promote.waitFor({ state: "visible" });
      await waitFor(async () => !(await promote.isDisabled()), { what: "promote enabled for the editor" });
      await promote.click();
      await waitForTestId(page, "confirm-dialog");
      await clickTestId(page, "confirm-ok");
      await waitForTestId(page, "action-result");
      const after = await a.waitStatus("web", "past the pause", (s) => (s.currentStepIndex ?? 0) > 3);
      assert.ok((after.currentStepIndex ?? 0) > 3);
      // The intent went to the status subresource: no spec change, no drift for GitOps.
      assert.equal((await a.rollout("web")).metadata.generation, before.metadata.generation);
      // …and the page shows it, pushed (the page never reloads).
      await waitFor(async () => (await pagePhases(page)).some((p) => p !== "Paused"), {
        what: "the page to show the Rollout past its pause",
        timeoutMs: 15_000,
        intervalMs: 100,
      });
    } finally {
      await ctx.close();
    }
  });

  test("an abort written outside the page appears on the open Rollout page within a second", async () => {
    const ctx = await as("editor");
    try {
      const { page } = await browser.open(`${dash.url}/rollouts/${a.namespace}/api`, ctx);
      await waitForTestId(page, "rollout-page");
      await waitFor(async () => (await pagePhases(page)).includes("Paused"), { what: "api shown Paused" });
      // The page notes, by the same wall clock, when the abort first shows: the badge or phase Degraded.
      await page.evaluate(WATCH_FOR_ABORT);
      const wrote = Date.now();
      await a.actions.abort("api"); // what `kubectl ramp abort` calls: the intent, to the status subresource
      // Polled from here (evaluated over CDP: the page's CSP rightly forbids string eval inside it).
      const seenAt = await waitFor(async () => Number(await page.evaluate("window.abortSeenAt ?? 0")), {
        what: "the abort on the page",
        timeoutMs: 10_000,
        intervalMs: 20,
      });
      const latencyMs = seenAt - wrote;
      // A functional requirement of the issue, not a benchmark: an abort shows on an open page within a
      // second of being written (the controller's reaction and the push to the browser included).
      assert.ok(latencyMs < 1000, `the abort showed after ${latencyMs} ms`);
      process.stderr.write(`dashboard: abort → page in ${latencyMs} ms\n`);
    } finally {
      await ctx.close();
    }
  });
});
